// Table-driven: malformed deployment files, each must fail with an error that names the file,
// the field path and the bad value. Each case mutates the (valid) example deployment.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers/tmp";
import YAML from "yaml";
import { DeploymentError } from "../../constructs/deployment/errors";
import { loadDeploymentFile } from "../../constructs/deployment/load";

const EXAMPLE = YAML.parse(fs.readFileSync(path.join(__dirname, "../../deployments/example.yaml"), "utf8"));
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmVs+9pPbUihLPBUxQxVoWyo0klTsdBl6118CD0DBMu admin@example.com";

interface Case {
  name: string;
  mutate: (d: any) => void;
  /** Field path that the message must name. */
  field: string;
  /** Text the message must contain (the bad value or the reason). */
  says: RegExp;
}

const cases: Case[] = [
  { name: "name with capitals", mutate: (d) => (d.name = "Example"), field: "name", says: /"Example"/ },
  { name: "name as number", mutate: (d) => (d.name = 42), field: "name", says: /got 42/ },
  { name: "domain without a dot", mutate: (d) => (d.domain = "localhost"), field: "domain", says: /"localhost"/ },
  { name: "domain with trailing dot", mutate: (d) => (d.domain = "example.com."), field: "domain", says: /example\.com\./ },
  { name: "unknown top-level key (typo)", mutate: (d) => (d.grafna = { live: true }), field: "grafna", says: /unknown key "grafna".*did you mean "grafana"/ },
  { name: "unknown nested key (case typo)", mutate: (d) => ((d.cloudflare.zoneID = d.cloudflare.zoneId), delete d.cloudflare.zoneId), field: "cloudflare.zoneID", says: /did you mean "zoneId"/ },
  { name: "missing zone id", mutate: (d) => delete d.cloudflare.zoneId, field: "cloudflare.zoneId", says: /is required/ },
  { name: "zone id not hex", mutate: (d) => (d.cloudflare.zoneId = "my-zone"), field: "cloudflare.zoneId", says: /"my-zone"/ },
  { name: "ttl too small", mutate: (d) => (d.cloudflare.ttlSeconds = 30), field: "cloudflare.ttlSeconds", says: /^.*: must be 1 \(automatic\) or a whole number of seconds from 60 to 86400 \(got 30; allowed: 1 \(automatic\) or a whole number from 60 to 86400\)$/ },
  { name: "scrape interval too small", mutate: (d) => (d.prometheus = { scrapeIntervalSeconds: 1 }), field: "prometheus.scrapeIntervalSeconds", says: /: must be at least 5 \(got 1; allowed: a whole number from 5 to 300\)$/ },
  { name: "retention a fraction", mutate: (d) => (d.prometheus = { retentionDays: 0.5 }), field: "prometheus.retentionDays", says: /: must be a whole number \(got 0\.5; allowed: a whole number from 1 to 3650\)$/ },
  { name: "volume size as string", mutate: (d) => (d.hetzner.volumeSizeGb = "50"), field: "hetzner.volumeSizeGb", says: /: must be a size in GB, a number without quotes \(got "50"; allowed: a whole number from 10 to 10240\)$/ },
  { name: "volume too small", mutate: (d) => (d.hetzner.volumeSizeGb = 5), field: "hetzner.volumeSizeGb", says: /at least 10/ },
  { name: "unknown location", mutate: (d) => (d.hetzner.location = "fra1"), field: "hetzner.location", says: /"fra1".*allowed: "fsn1"/ },
  { name: "bad server type", mutate: (d) => (d.hetzner.serverType = "t2.micro"), field: "hetzner.serverType", says: /"t2\.micro"/ },
  { name: "EU-only type in Ashburn", mutate: (d) => ((d.hetzner.serverType = "cx33"), (d.hetzner.location = "ash")), field: "hetzner.serverType", says: /only in fsn1, nbg1, hel1/ },
  { name: "unsupported image", mutate: (d) => (d.hetzner.image = "debian-12"), field: "hetzner.image", says: /"debian-12".*ubuntu-24\.04/ },
  { name: "ipv6 as string", mutate: (d) => (d.hetzner.ipv6 = "yes"), field: "hetzner.ipv6", says: /must be a boolean.*"yes"/ },
  { name: "bad label value", mutate: (d) => (d.hetzner.labels = { team: "a b" }), field: "hetzner.labels.team", says: /"a b"/ },
  { name: "no ssh keys", mutate: (d) => (d.admin.sshKeys = []), field: "admin.sshKeys", says: /at least one/ },
  { name: "truncated ssh key", mutate: (d) => (d.admin.sshKeys[0].publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"), field: "admin.sshKeys[0].publicKey", says: /ssh-ed25519 AAAAC3/ },
  { name: "private key pasted", mutate: (d) => (d.admin.sshKeys[0].publicKey = "-----BEGIN OPENSSH PRIVATE KEY----- b3Blbn"), field: "admin.sshKeys[0].publicKey", says: /private key/ },
  { name: "ssh key of unknown type", mutate: (d) => (d.admin.sshKeys[0].publicKey = "ssh-dss AAAAB3NzaC1kc3M="), field: "admin.sshKeys[0].publicKey", says: /"ssh-dss"/ },
  { name: "ssh key type mismatch", mutate: (d) => (d.admin.sshKeys[0].publicKey = KEY.replace("ssh-ed25519", "ssh-rsa")), field: "admin.sshKeys[0].publicKey", says: /says "ssh-ed25519"/ },
  { name: "duplicate ssh key name", mutate: (d) => d.admin.sshKeys.push({ name: "admin", publicKey: KEY.replace("admin@", "other@") }), field: "admin.sshKeys[1]", says: /"admin"/ },
  { name: "cidr with host bits", mutate: (d) => (d.admin.sshAllowedCidrs = ["203.0.113.7/24"]), field: "admin.sshAllowedCidrs[0]", says: /host bits.*did you mean "203\.0\.113\.0\/24".*got "203\.0\.113\.7\/24"/ },
  { name: "cidr that is a name", mutate: (d) => (d.admin.sshAllowedCidrs = ["office"]), field: "admin.sshAllowedCidrs[0]", says: /ipv4 or ipv6.*got "office"/ },
  { name: "ipv6 cidr garbage", mutate: (d) => (d.admin.sshAllowedCidrs = ["2001:db8::zz/32"]), field: "admin.sshAllowedCidrs[0]", says: /expected an ipv4 or ipv6 address/ },
  { name: "root as admin user", mutate: (d) => (d.admin.username = "root"), field: "admin.username", says: /reserved/ },
  { name: "unknown proxy", mutate: (d) => (d.proxy.kind = "traefik"), field: "proxy.kind", says: /"traefik".*"caddy", "nginx-certbot", "pingoo"/ },
  { name: "bad acme email", mutate: (d) => (d.acme.email = "admin-at-example"), field: "acme.email", says: /admin-at-example/ },
  { name: "acme directory over http", mutate: (d) => (d.acme.directoryUrl = "http://127.0.0.1:14000/dir"), field: "acme.directoryUrl", says: /https/ },
  { name: "staging and directory both", mutate: (d) => ((d.acme.staging = true), (d.acme.directoryUrl = "https://127.0.0.1:14000/dir")), field: "acme.staging", says: /only one/ },
  { name: "ca root without directory", mutate: (d) => (d.acme.caRootFile = "ca.pem"), field: "acme.caRootFile", says: /directoryUrl/ },
  { name: "ca root file missing", mutate: (d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "nope.pem")), field: "acme.caRootFile", says: /cannot read/ },
  { name: "tracker image on latest", mutate: (d) => (d.tracker.image = "torrust/tracker:latest"), field: "tracker.image", says: /"latest" moves/ },
  { name: "tracker image without tag", mutate: (d) => (d.tracker.image = "torrust/tracker"), field: "tracker.image", says: /name:tag/ },
  { name: "port out of range", mutate: (d) => (d.tracker.udpTrackers[0].port = 70000), field: "tracker.udpTrackers[0].port", says: /70000/ },
  { name: "port as float", mutate: (d) => (d.tracker.httpTrackers[0].port = 7070.5), field: "tracker.httpTrackers[0].port", says: /7070\.5/ },
  { name: "duplicate subdomains", mutate: (d) => (d.grafana.subdomain = "api"), field: "grafana.subdomain", says: /already used by tracker\.api\.subdomain/ },
  { name: "subdomain with dot", mutate: (d) => (d.tracker.api.subdomain = "api.v1"), field: "tracker.api.subdomain", says: /"api\.v1"/ },
  { name: "tcp port clash api/http", mutate: (d) => (d.tracker.api.port = 7070), field: "tracker.httpTrackers[0].port", says: /already used by tracker\.api\.port/ },
  { name: "tcp port on reserved grafana port", mutate: (d) => (d.tracker.httpTrackers[0].port = 3000), field: "tracker.httpTrackers[0].port", says: /Grafana/ },
  { name: "udp port clash", mutate: (d) => d.tracker.udpTrackers.push({ subdomain: "udp2", port: 6969 }), field: "tracker.udpTrackers[1].port", says: /already used/ },
  { name: "udp port 443 (HTTP/3)", mutate: (d) => (d.tracker.udpTrackers[0].port = 443), field: "tracker.udpTrackers[0].port", says: /HTTP\/3/ },
  { name: "mixed reverse-proxy trackers", mutate: (d) => d.tracker.httpTrackers.push({ subdomain: "http2", port: 7071, viaProxy: false }), field: "tracker.httpTrackers[1].viaProxy", says: /on_reverse_proxy setting is global/ },
  { name: "proxied UDP tracker hostname", mutate: (d) => (d.cloudflare.proxiedSubdomains = ["udp1"]), field: "cloudflare.proxiedSubdomains[0]", says: /UDP tracker/ },
  { name: "proxied HTTP tracker hostname", mutate: (d) => (d.cloudflare.proxiedSubdomains = ["http1"]), field: "cloudflare.proxiedSubdomains[0]", says: /HTTP tracker/ },
  { name: "proxied unknown subdomain", mutate: (d) => (d.cloudflare.proxiedSubdomains = ["www"]), field: "cloudflare.proxiedSubdomains[0]", says: /"www".*allowed: test, api/ },
  { name: "grafana live as string", mutate: (d) => (d.grafana.live = "on"), field: "grafana.live", says: /"on"/ },
  { name: "httpTrackers not a list", mutate: (d) => (d.tracker.httpTrackers = { subdomain: "http1", port: 7070 }), field: "tracker.httpTrackers", says: /must be a list/ },
  { name: "hello message empty", mutate: (d) => (d.helloWorld.message = ""), field: "helloWorld.message", says: /: must not be empty \(got ""; allowed: the page's text, 1–200 characters\)$/ },
];

/** Every number and string field of the schema, with a valid value to start from. */
const NUMBER_FIELDS = [
  "cloudflare.ttlSeconds",
  "hetzner.volumeSizeGb",
  "tracker.httpTrackers.0.port",
  "tracker.udpTrackers.0.port",
  "tracker.api.port",
  "prometheus.scrapeIntervalSeconds",
  "prometheus.retentionDays",
  "backup.keepDays",
];
const STRING_FIELDS = [
  "name",
  "domain",
  "cloudflare.zoneId",
  "cloudflare.proxiedSubdomains.0",
  // hetzner.labels values may be empty (Hetzner allows it); their rule is checked by "bad label value".
  "admin.username",
  "admin.sshKeys.0.name",
  "admin.sshKeys.0.publicKey",
  "admin.sshAllowedCidrs.0",
  "acme.email",
  "acme.directoryUrl",
  "acme.caRootFile",
  "acme.caaIdentity",
  "acme.caaIodef",
  "tracker.image",
  "tracker.httpTrackers.0.subdomain",
  "tracker.udpTrackers.0.subdomain",
  "tracker.api.subdomain",
  "prometheus.image",
  "grafana.subdomain",
  "grafana.image",
  "database.image",
  "backup.schedule",
  "backup.s3.repository",
  "helloWorld.subdomain",
  "helloWorld.message",
  "backend.path",
];
const S3_BACKEND_FIELDS = ["backend.bucket", "backend.key", "backend.region", "backend.endpoint"];
/** zod's default phrasings ("Too small: expected number to be >=5", "Invalid input: expected int", "must be an int"). */
const ZOD_DEFAULT = /Too (small|big)|Invalid input|expected (string|number|int|boolean)|must be an int\b/;

function setAt(d: any, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let cur = d;
  keys.slice(0, -1).forEach((k, i) => (cur = cur[k] ??= /^\d+$/.test(keys[i + 1]) ? [] : {}));
  cur[keys[keys.length - 1]] = value;
}

describe("every number and string field: its own message with what is allowed, never zod's default", () => {
  const base = () => {
    const d = structuredClone(EXAMPLE);
    d.tracker.api ??= { subdomain: "api", port: 1212 };
    d.hetzner.labels = { team: "ops" };
    return d;
  };
  const rows: { field: string; value: unknown; backend?: "s3" }[] = [
    ...NUMBER_FIELDS.flatMap((field) => [-1, 0, 0.5, 1e9, "10"].map((value) => ({ field, value }))),
    ...STRING_FIELDS.map((field) => ({ field, value: "" })),
    ...S3_BACKEND_FIELDS.map((field) => ({ field, value: "", backend: "s3" as const })),
  ];
  for (const row of rows) {
    it(`${row.field} = ${JSON.stringify(row.value)}`, () => {
      const d = base();
      if (row.field === "backend.path") d.backend = { kind: "local" };
      if (row.backend) d.backend = { kind: "s3", bucket: "state-bucket", region: "fsn1" };
      setAt(d, row.field, row.value);
      const path = row.field.replace(/\.(\d+)/g, "[$1]");
      try {
        loadDeploymentFile(writeCase(tempDir("fields-"), "d", YAML.stringify(d)));
        assert.fail("accepted");
      } catch (e) {
        assert.ok(e instanceof DeploymentError, String(e));
        const lines = e.message.split("\n").filter((l) => l.includes(`: ${path}: `));
        assert.ok(lines.length > 0, `no line names ${path}:\n${e.message}`);
        for (const line of lines) {
          assert.doesNotMatch(line.split(" (got ")[0], ZOD_DEFAULT, line);
          assert.match(line, /\(got .*; allowed: .+\)$/, line);
        }
      }
    });
  }
});

function writeCase(dir: string, name: string, content: string): string {
  const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, "-")}.yaml`);
  fs.writeFileSync(file, content);
  return file;
}

describe("malformed deployment files", () => {
  const dir = tempDir("bad-deployments-");

  it("has at least 30 cases", () => assert.ok(cases.length >= 30, `${cases.length} cases`));

  for (const c of cases) {
    it(`rejects: ${c.name}`, () => {
      const d = structuredClone(EXAMPLE);
      c.mutate(d);
      const file = writeCase(dir, c.name, YAML.stringify(d));
      assert.throws(
        () => loadDeploymentFile(file),
        (e: unknown) => {
          assert.ok(e instanceof DeploymentError, `expected DeploymentError, got ${e}`);
          const line = e.message.split("\n").find((l) => l.includes(`${file}: ${c.field}`));
          assert.ok(line, `no line names ${file}: ${c.field} in:\n${e.message}`);
          assert.match(line, c.says);
          return true;
        },
      );
    });
  }

  it("rejects YAML syntax errors with the line", () => {
    const file = writeCase(dir, "syntax", "name: a\n  domain: [\n");
    assert.throws(() => loadDeploymentFile(file), /YAML syntax: .*line/);
  });

  it("rejects duplicate keys, naming the key, its path and both lines", () => {
    const file = writeCase(dir, "dupkeys", "name: a\nhetzner:\n  ipv6: true\n  location: nbg1\n  ipv6: false\nname: b\n");
    assert.throws(
      () => loadDeploymentFile(file),
      (e: unknown) => {
        assert.ok(e instanceof DeploymentError, String(e));
        const lines = e.message.split("\n").slice(1);
        assert.deepEqual(lines, [
          `  - ${file}: hetzner.ipv6: is written twice, on lines 3 and 5 (got false; allowed: each key once per mapping)`,
          `  - ${file}: name: is written twice, on lines 1 and 6 (got "b"; allowed: each key once per mapping)`,
        ]);
        return true;
      },
    );
  });

  it("rejects a file that is not a mapping", () => {
    const file = writeCase(dir, "list", "- a\n- b\n");
    assert.throws(() => loadDeploymentFile(file), /\(file\): must be a YAML mapping/);
  });

  it("reports every problem of a file at once", () => {
    const d = structuredClone(EXAMPLE);
    d.name = "Bad";
    d.hetzner.location = "mars";
    d.proxy.kind = "apache";
    const file = writeCase(dir, "many", YAML.stringify(d));
    assert.throws(() => loadDeploymentFile(file), /3 problems/);
  });
});
