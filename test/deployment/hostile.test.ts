// Hostile deployment files, one table per class of bad input (issue 8). Every row must end in a
// DeploymentError that names the file and the field (or "(file)" for the whole file), never a
// crash, a hang or a plain Error; a few rows also run the real app (main.ts) under time and
// memory bounds and check that an existing cdktf.out is left exactly as it was.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import YAML from "yaml";
import { DeploymentError } from "../../constructs/deployment/errors";
import { DeploymentErrors, loadDeploymentFile, loadDeployments, MAX_DEPLOYMENT_BYTES } from "../../constructs/deployment/load";
import { tempDir } from "../helpers/tmp";

const ROOT = path.join(__dirname, "../..");
const EXAMPLE_FILE = path.join(ROOT, "deployments/example.yaml");
const EXAMPLE = YAML.parse(fs.readFileSync(EXAMPLE_FILE, "utf8"));
delete EXAMPLE.$schema;
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmVs+9pPbUihLPBUxQxVoWyo0klTsdBl6118CD0DBMu admin@example.com";
const KEY_BLOB = KEY.split(" ")[1];
/** A syntactically valid PEM certificate block (the loader checks the PEM framing, not the DER). */
const CERT = `-----BEGIN CERTIFICATE-----\n${Buffer.alloc(300, 7).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;

const yaml = (mutate: (d: any) => void = () => {}) => {
  const d = structuredClone(EXAMPLE);
  mutate(d);
  return YAML.stringify(d);
};

interface Row {
  readonly name: string;
  /** The file's bytes, or a function that makes the file (FIFO, device link, folder) and returns its path. */
  readonly content: string | Buffer | ((dir: string, file: string) => void);
  /** The field the error must name ("(file)" for the whole file). */
  readonly field: string;
  readonly says: RegExp;
  /** Extra files next to the deployment file (e.g. a CA root). */
  readonly beside?: Record<string, string | ((p: string) => void)>;
}

const classes: Record<string, Row[]> = {
  "files that are not regular, or too big": [
    { name: "a FIFO", content: (_d, f) => spawnSync("mkfifo", [f]), field: "(file)", says: /named pipe \(FIFO\).*allowed: a regular file/ },
    { name: "a link to /dev/zero", content: (_d, f) => fs.symlinkSync("/dev/zero", f), field: "(file)", says: /is a device/ },
    { name: "a link to /dev/urandom", content: (_d, f) => fs.symlinkSync("/dev/urandom", f), field: "(file)", says: /is a device/ },
    { name: "a folder named .yaml", content: (_d, f) => fs.mkdirSync(f), field: "(file)", says: /is a folder/ },
    { name: "a dangling link", content: (_d, f) => fs.symlinkSync("/nonexistent/x.yaml", f), field: "(file)", says: /no such file/ },
    { name: "one byte over the cap", content: `# ${"x".repeat(MAX_DEPLOYMENT_BYTES)}\n`, field: "(file)", says: /bytes.*allowed: at most 65536 bytes/ },
    { name: "a 10 MB file", content: Buffer.alloc(10 * 1024 * 1024, 0x61), field: "(file)", says: /allowed: at most 65536 bytes/ },
  ],
  "encodings": [
    { name: "UTF-16LE with BOM", content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yaml(), "utf16le")]), field: "(file)", says: /UTF-16.*save it as UTF-8/ },
    { name: "UTF-16BE with BOM", content: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(yaml(), "utf16le").swap16()]), field: "(file)", says: /UTF-16/ },
    { name: "UTF-16LE without BOM", content: Buffer.from(yaml(), "utf16le"), field: "(file)", says: /UTF-16/ },
    { name: "Latin-1 é", content: Buffer.from(yaml((d) => (d.helloWorld.message = "café")), "latin1"), field: "(file)", says: /not valid UTF-8/ },
    { name: "a NUL in the middle", content: `${yaml()}# \u0000\n`, field: "(file)", says: /NUL/ },
  ],
  "YAML that would hang or exhaust memory": [
    {
      name: "billion laughs",
      content: ["a: &a [x,x,x,x,x,x,x,x,x,x]", ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(",")}]`)].join("\n") + "\n",
      field: "(file)",
      says: /aliases expand too much/,
    },
    { name: "deep flow nesting", content: `name: ${"[".repeat(5000)}${"]".repeat(5000)}\n`, field: "(file)", says: /nested (more than 16 levels|too deeply)/ },
    { name: "deep block nesting", content: Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " x\n", field: "(file)", says: /nested more than 16 levels/ },
    { name: "merge key", content: `${yaml()}base: &b { x: 1 }\nother:\n  <<: *b\n`, field: "base", says: /unknown key "base"/ },
    { name: "custom tag", content: yaml().replace(/^name: /m, "name: !evil "), field: "(file)", says: /YAML: .*tag/i },
    { name: "binary tag", content: yaml().replace(/^name: .*/m, "name: !!binary aGVsbG8="), field: "name", says: /must be a string/ },
    { name: "two documents", content: `${yaml()}---\n${yaml()}`, field: "(file)", says: /YAML syntax: .*document/i },
    { name: "a bare scalar", content: "just text\n", field: "(file)", says: /must be a YAML mapping/ },
    { name: "an empty file", content: "", field: "(file)", says: /must be a YAML mapping/ },
  ],
  "values YAML types differently": [
    { name: "zone id of 32 digits unquoted", content: yaml().replace(/zoneId: .*/, "zoneId: 12345678901234567890123456789012"), field: "cloudflare.zoneId", says: /put it in quotes.*got "12345678901234567890123456789012"/ },
    { name: "zone id as a short number", content: yaml().replace(/zoneId: .*/, "zoneId: 42"), field: "cloudflare.zoneId", says: /quotes/ },
    { name: "name null", content: yaml().replace(/^name: .*/m, "name: null"), field: "name", says: /got null/ },
    { name: "ipv6 as yes", content: yaml().replace(/ipv6: .*/, "ipv6: yes"), field: "hetzner.ipv6", says: /must be a boolean.*"yes"/ },
    { name: "port as a float", content: yaml((d) => (d.tracker.api = { subdomain: "api", port: 1212.5 })), field: "tracker.api.port", says: /whole number/ },
    { name: "port as hex text", content: yaml((d) => (d.tracker.api = { subdomain: "api", port: "0x4bc" })), field: "tracker.api.port", says: /port number/ },
  ],
  "limits of names and services": [
    { name: "label of 64 characters", content: yaml((d) => (d.tracker.api = { subdomain: "a".repeat(64), port: 1212 })), field: "tracker.api.subdomain", says: /1–63 characters/ },
    { name: "domain of 254 characters", content: yaml((d) => (d.domain = `${"a".repeat(60)}.`.repeat(4) + "abcdefghijklmn.com")), field: "domain", says: /is \d+ characters; a domain name is at most 253 characters, each label at most 63/ },
    { name: "domain label of 64 characters", content: yaml((d) => (d.domain = `${"a".repeat(64)}.com`)), field: "domain", says: /label of 64 characters; each label is at most 63/ },
    { name: "hostname over 253 characters", content: yaml((d) => (d.domain = `${"a".repeat(60)}.`.repeat(4) + "abc.com")), field: "helloWorld.subdomain", says: /at most 253 characters/ },
    { name: "60 UDP trackers (over 50 firewall rules)", content: yaml((d) => (d.tracker.udpTrackers = Array.from({ length: 60 }, (_, i) => ({ subdomain: `u${i}`, port: 7000 + i })))), field: "tracker.udpTrackers", says: /at most 20 UDP trackers.*Hetzner allows 50/ },
    {
      name: "1,400 UDP trackers in 63 KB",
      content: YAML.stringify(
        { ...structuredClone(EXAMPLE), tracker: { udpTrackers: Array.from({ length: 1400 }, (_, i) => ({ subdomain: `u${i}`, port: 10000 + (i % 700) })) } },
        { collectionStyle: "flow" } as never,
      ),
      field: "tracker.udpTrackers",
      says: /at most 20/,
    },
    { name: "image with a moving tag", content: yaml((d) => (d.tracker = { ...d.tracker, image: "torrust/tracker:develop" })), field: "tracker.image", says: /moves/ },
    { name: "image digest after an invalid name", content: yaml((d) => (d.tracker = { ...d.tracker, image: `Torrust Tracker@sha256:${"a".repeat(64)}` })), field: "tracker.image", says: /valid image name/ },
    { name: "image digest too short", content: yaml((d) => (d.grafana.image = "grafana/grafana@sha256:abc")), field: "grafana.image", says: /64 lowercase hex/ },
    { name: "server type that is not sold", content: yaml((d) => (d.hetzner.serverType = "cx22")), field: "hetzner.serverType", says: /"cx22"/ },
    { name: "SSH only over IPv6 with IPv6 off", content: yaml((d) => ((d.hetzner.ipv6 = false), (d.admin.sshAllowedCidrs = ["2001:db8::/32"]))), field: "admin.sshAllowedCidrs", says: /nobody could log in/ },
    { name: "label overriding the project's own", content: yaml((d) => (d.hetzner.labels = { deployment: "other" })), field: "hetzner.labels", says: /set by this project/ },
    { name: "label key with spaces", content: yaml((d) => (d.hetzner.labels = { "a b": "x" })), field: "hetzner.labels", says: /label keys/ },
    { name: "Grafana without Prometheus", content: yaml((d) => (d.prometheus = { enabled: false })), field: "grafana.enabled", says: /without Prometheus/ },
    { name: "unknown CA without caaIdentity", content: yaml((d) => (d.acme.directoryUrl = "https://acme.example.net/dir")), field: "acme.directoryUrl", says: /acme\.caaIdentity/ },
    { name: "API on Caddy's admin port", content: yaml((d) => (d.tracker.api = { subdomain: "api", port: 2019 })), field: "tracker.api.port", says: /admin API/ },
    { name: "UDP tracker on 53", content: yaml((d) => (d.tracker.udpTrackers = [{ subdomain: "udp1", port: 53 }])), field: "tracker.udpTrackers[0].port", says: /systemd-resolved/ },
    { name: "two HTTP services on one name", content: yaml((d) => (d.tracker.httpTrackers = [{ subdomain: "api", port: 7070 }])), field: "tracker.httpTrackers[0].subdomain", says: /already used by tracker\.api\.subdomain/ },
    { name: "two UDP trackers on one port", content: yaml((d) => (d.tracker.udpTrackers = [{ subdomain: "u1", port: 6969 }, { subdomain: "u2", port: 6969 }])), field: "tracker.udpTrackers[1].port", says: /already used by tracker\.udpTrackers\[0\]\.port/ },
  ],
  "text that could become code in a generated file": [
    { name: "Terraform expression in an SSH key comment", content: yaml((d) => (d.admin.sshKeys[0].publicKey = `${KEY} \${file("/etc/passwd")}`)), field: "admin.sshKeys[0].publicKey", says: /Terraform would evaluate/ },
    { name: "Terraform directive in an SSH key comment", content: yaml((d) => (d.admin.sshKeys[0].publicKey = `${KEY} %{ if true }x%{ endif }`)), field: "admin.sshKeys[0].publicKey", says: /Terraform/ },
    { name: "two keys on one line break", content: yaml((d) => (d.admin.sshKeys[0].publicKey = `${KEY}\n${KEY}`)), field: "admin.sshKeys[0].publicKey", says: /several lines/ },
    { name: "authorized_keys options prefix", content: yaml((d) => (d.admin.sshKeys[0].publicKey = `command="/bin/sh" ${KEY}`)), field: "admin.sshKeys[0].publicKey", says: /options are not supported/ },
    { name: "Caddy env placeholder in the directory URL", content: yaml((d) => (d.acme.directoryUrl = "https://ca.example.net/{$HOME}/dir")), field: "acme.directoryUrl", says: /no query, spaces, quotes, \$ or braces/ },
    { name: "Caddy runtime placeholder in the directory URL", content: yaml((d) => (d.acme.directoryUrl = "https://ca.example.net/{env.HOME}")), field: "acme.directoryUrl", says: /braces/ },
    { name: "shell words in the directory URL", content: yaml((d) => (d.acme.directoryUrl = "https://ca.example.net/x'; reboot; '")), field: "acme.directoryUrl", says: /quotes/ },
    { name: "nginx variable in the directory URL", content: yaml((d) => (d.acme.directoryUrl = "https://ca.example.net/$host")), field: "acme.directoryUrl", says: /\$/ },
    { name: "query string in the directory URL", content: yaml((d) => (d.acme.directoryUrl = "https://ca.example.net/dir?a=b")), field: "acme.directoryUrl", says: /no query/ },
    { name: "email with a placeholder", content: yaml((d) => (d.acme.email = "{$USER}@example.com")), field: "acme.email", says: /email/ },
    { name: "CAA iodef with a placeholder", content: yaml((d) => (d.acme.caaIodef = "mailto:{$X}@example.com")), field: "acme.caaIodef", says: /mailto/ },
    { name: "label value with a placeholder", content: yaml((d) => (d.hetzner.labels = { team: "${var.x}" })), field: "hetzner.labels.team", says: /label value.*allowed: /i },
  ],
  "acme.caRootFile": [
    {
      name: "a private key beside the certificate",
      content: yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "ca.pem"))),
      beside: { "ca.pem": `${CERT}-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n` },
      field: "acme.caRootFile",
      says: /private key/,
    },
    {
      name: "an RSA private key only",
      content: yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "ca.pem"))),
      beside: { "ca.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n" },
      field: "acme.caRootFile",
      says: /private key/,
    },
    {
      name: "a FIFO",
      content: yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "ca.pem"))),
      beside: { "ca.pem": (p) => spawnSync("mkfifo", [p]) },
      field: "acme.caRootFile",
      says: /FIFO/,
    },
    {
      name: "/dev/zero",
      content: yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "/dev/zero"))),
      field: "acme.caRootFile",
      says: /device/,
    },
    {
      name: "a folder",
      content: yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "."))),
      field: "acme.caRootFile",
      says: /folder/,
    },
    {
      name: "a huge file",
      content: yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "ca.pem"))),
      beside: { "ca.pem": CERT.repeat(200) },
      field: "acme.caRootFile",
      says: /at most 65536 bytes/,
    },
    {
      name: "no certificate",
      content: yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "ca.pem"))),
      beside: { "ca.pem": "hello\n" },
      field: "acme.caRootFile",
      says: /not a PEM certificate/,
    },
    {
      name: "a missing file",
      content: yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "nope.pem"))),
      field: "acme.caRootFile",
      says: /no such file/,
    },
  ],
};

function writeRow(dir: string, row: Row): string {
  const sub = fs.mkdtempSync(path.join(dir, "row-"));
  const file = path.join(sub, `${row.name.replace(/[^a-z0-9]+/gi, "-")}.yaml`);
  if (typeof row.content === "function") row.content(sub, file);
  else fs.writeFileSync(file, row.content);
  for (const [name, content] of Object.entries(row.beside ?? {})) {
    const p = path.join(sub, name);
    if (typeof content === "function") content(p);
    else fs.writeFileSync(p, content);
  }
  return file;
}

function assertRefused(file: string, row: Pick<Row, "field" | "says">, run: () => unknown): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof DeploymentError, `expected a DeploymentError, got ${(e as Error)?.stack ?? e}`);
    const line = e.message.split("\n").find((l) => l.includes(`${file}: ${row.field}`));
    assert.ok(line, `no line names "${file}: ${row.field}" in:\n${e.message}`);
    assert.match(line, row.says);
    return true;
  });
}

describe("hostile deployment files, by class", () => {
  const dir = tempDir("hostile-");
  for (const [klass, rows] of Object.entries(classes)) {
    describe(klass, () => {
      it("has several rows", () => assert.ok(rows.length >= 4, `${rows.length} rows`));
      for (const row of rows) {
        it(`refuses ${row.name}`, () => {
          const file = writeRow(dir, row);
          const started = Date.now();
          assertRefused(file, row, () => loadDeploymentFile(file));
          assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
        });
      }
    });
  }

  it("accepts a CA root file and keeps only its certificate blocks", () => {
    const sub = fs.mkdtempSync(path.join(dir, "ca-"));
    fs.writeFileSync(path.join(sub, "ca.pem"), `issuer comment\n${CERT}trailing text\n${CERT}`);
    const file = path.join(sub, "d.yaml");
    fs.writeFileSync(file, yaml((d) => ((d.acme.directoryUrl = "https://127.0.0.1:14000/dir"), (d.acme.caRootFile = "ca.pem"))));
    const loaded = loadDeploymentFile(file);
    assert.equal(loaded.acmeCaRootPem, `${CERT}${CERT}`);
  });

  it("accepts a UTF-8 BOM and user text with ${ and %{ (escaped for Terraform elsewhere)", () => {
    const sub = fs.mkdtempSync(path.join(dir, "bom-"));
    const file = path.join(sub, "d.yaml");
    fs.writeFileSync(file, `\uFEFF${yaml((d) => (d.helloWorld.message = "${HOME} %{x} {$Y} {env.Z} $host"))}`);
    assert.equal(loadDeploymentFile(file).deployment.helloWorld?.message, "${HOME} %{x} {$Y} {env.Z} $host");
  });
});

describe("across the files of one app", () => {
  const write = (dir: string, name: string, mutate: (d: any) => void) => {
    fs.writeFileSync(path.join(dir, `${name}.yaml`), yaml(mutate));
  };
  const other = (d: any, name: string) => {
    d.name = name;
    d.domain = `${name}.example.org`;
    d.admin.sshKeys = [{ name: "admin", publicKey: KEY.replace(KEY_BLOB, otherKeyBlob(name)) }];
  };
  const refusedNaming = (dir: string, file: string, field: string, says: RegExp, both: string) => {
    try {
      loadDeployments(dir);
      assert.fail("expected DeploymentErrors");
    } catch (e) {
      assert.ok(e instanceof DeploymentErrors, String(e));
      const line = e.message.split("\n").find((l) => l.includes(`${path.join(dir, file)}: ${field}`));
      assert.ok(line, e.message);
      assert.match(line, says);
      assert.ok(line.includes(path.join(dir, both)), `names the other file ${both}: ${line}`);
    }
  };

  it("refuses two deployments with one name", () => {
    const dir = tempDir("cross-");
    write(dir, "a", (d) => other(d, "same"));
    write(dir, "b", (d) => (other(d, "same"), (d.domain = "b.example.org")));
    refusedNaming(dir, "b.yaml", "name", /stack names must be unique/, "a.yaml");
  });

  it("refuses the same Hetzner SSH key name made from different parts", () => {
    const dir = tempDir("cross-");
    write(dir, "a", (d) => (other(d, "ab"), (d.admin.sshKeys[0].name = "cd-ef")));
    write(dir, "b", (d) => (other(d, "ab-cd"), (d.admin.sshKeys[0].name = "ef")));
    refusedNaming(dir, "b.yaml", "admin.sshKeys[0].name", /Hetzner SSH key name "ab-cd-ef"/, "a.yaml");
  });

  it("refuses the same public key in two files", () => {
    const dir = tempDir("cross-");
    write(dir, "a", (d) => other(d, "one"));
    write(dir, "b", (d) => (other(d, "two"), (d.admin.sshKeys[0].publicKey = KEY.replace(KEY_BLOB, otherKeyBlob("one")))));
    refusedNaming(dir, "b.yaml", "admin.sshKeys[0].publicKey", /same fingerprint/, "a.yaml");
  });

  it("reports every clash of one file in one block", () => {
    const dir = tempDir("cross-");
    write(dir, "a", (d) => other(d, "same"));
    write(dir, "b", (d) => (other(d, "same"), (d.domain = "b.example.org")));
    try {
      loadDeployments(dir);
      assert.fail("expected DeploymentErrors");
    } catch (e) {
      assert.ok(e instanceof DeploymentErrors, String(e));
      assert.equal(e.errors.length, 1, e.message);
      // Exactly four lines: the file's count, then its three clashes.
      assert.match(e.message, /^[^\n]*b\.yaml: 3 problems\n.*b\.yaml: name: .*\n.*b\.yaml: admin\.sshKeys\[0\]\.name: .*\n.*b\.yaml: admin\.sshKeys\[0\]\.publicKey: [^\n]*$/);
    }
  });

  it("refuses the same DNS names in one zone", () => {
    const dir = tempDir("cross-");
    write(dir, "a", (d) => other(d, "one"));
    write(dir, "b", (d) => (other(d, "two"), (d.domain = "one.example.org")));
    refusedNaming(dir, "b.yaml", "tracker.api.subdomain", /same Cloudflare zone/, "a.yaml");
  });

  it("reports a crash-class error in one file together with the other files' problems", () => {
    const dir = tempDir("cross-");
    spawnSync("mkfifo", [path.join(dir, "a-fifo.yaml")]);
    write(dir, "b", (d) => (d.name = "Bad"));
    try {
      loadDeployments(dir);
      assert.fail("expected DeploymentErrors");
    } catch (e) {
      assert.ok(e instanceof DeploymentErrors);
      assert.match(e.message, /a-fifo\.yaml: \(file\): .*FIFO/);
      assert.match(e.message, /b\.yaml: name: /);
    }
  });
});

/** A distinct, well-formed ed25519 public key blob per name. */
function otherKeyBlob(seed: string): string {
  const type = Buffer.from("ssh-ed25519");
  const raw = Buffer.alloc(32, 0);
  raw.write(seed.slice(0, 32));
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([len(type.length), type, len(32), raw]).toString("base64");
}

describe("the app (main.ts) with hostile input: exit 1 within 5 s and 256 MB, cdktf.out untouched", () => {
  const dir = tempDir("hostile-app-");
  const run = (target: string, outdir: string) => {
    const rss = path.join(dir, `rss-${Math.random().toString(36).slice(2)}`);
    const started = Date.now();
    const r = spawnSync(process.execPath, ["--require", path.join(ROOT, "test/helpers/report-rss.cjs"), "--import", "tsx", "main.ts"], {
      cwd: ROOT,
      env: { ...process.env, TRACKER_DEPLOYMENTS: target, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", REPORT_RSS_FILE: rss },
      encoding: "utf8",
      timeout: 30_000,
    });
    const used = JSON.parse(fs.readFileSync(rss, "utf8")) as { maxRssKiB: number; cpuMs: number };
    return { ...r, ms: Date.now() - started, rssKiB: used.maxRssKiB, cpuMs: used.cpuMs };
  };
  const rows: { name: string; target: (d: string) => string; says: RegExp }[] = [
    { name: "billion laughs", target: (d) => writeRow(d, classes["YAML that would hang or exhaust memory"][0]), says: /aliases expand too much/ },
    { name: "deep nesting", target: (d) => writeRow(d, classes["YAML that would hang or exhaust memory"][1]), says: /nested/ },
    { name: "a FIFO", target: (d) => writeRow(d, classes["files that are not regular, or too big"][0]), says: /FIFO/ },
    { name: "a 10 MB file", target: (d) => writeRow(d, classes["files that are not regular, or too big"][6]), says: /at most 65536 bytes/ },
    { name: "UTF-16", target: (d) => writeRow(d, classes["encodings"][0]), says: /UTF-16/ },
    { name: "an empty TRACKER_DEPLOYMENTS", target: () => "", says: /TRACKER_DEPLOYMENTS: \(file\): is empty.*allowed: a deployment file/ },
    { name: "TRACKER_DEPLOYMENTS=/dev/null", target: () => "/dev/null", says: /\/dev\/null: \(file\): is a device, not a file or folder/ },
  ];
  for (const row of rows) {
    it(`${row.name}: exit 1, a clean message, no stack trace`, () => {
      const outdir = path.join(dir, `out-${row.name.replace(/\W+/g, "-")}`);
      fs.mkdirSync(path.join(outdir, "stacks", "old"), { recursive: true });
      fs.writeFileSync(path.join(outdir, "stacks", "old", "cdk.tf.json"), "previous synth\n");
      const r = run(row.target(dir), outdir);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, row.says);
      assert.match(r.stderr, /Nothing was synthesized\.\n$/);
      assert.doesNotMatch(r.stderr, /^\s+at .*\(.*:\d+:\d+\)$/m, "no stack trace");
      // 5 s of work: CPU time (user + system), which a loaded shared machine does not inflate;
      // the wall clock is bounded too (spawnSync's timeout), so a hang still fails.
      assert.ok(r.cpuMs < 5000, `${r.cpuMs} ms of CPU (${r.ms} ms wall)`);
      assert.ok(r.ms < 30_000, `${r.ms} ms wall`);
      assert.ok(r.rssKiB < 256 * 1024, `${r.rssKiB} KiB`);
      assert.deepEqual(fs.readdirSync(outdir, { recursive: true }).sort(), ["stacks", "stacks/old", "stacks/old/cdk.tf.json"]);
      assert.equal(fs.readFileSync(path.join(outdir, "stacks", "old", "cdk.tf.json"), "utf8"), "previous synth\n");
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes(".synth-")), [], "no staging folder left");
    });
  }
});
