// `tofu validate` with the real OpenTofu and hcloud provider (Cloudflare: the stand-in's 5.14.0
// schema) on every stack the project synthesizes: the example, one per proxy, and held-out
// variants, as JSON and as `cdktf synth --hcl` writes them. Needs `npm run tools`.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import YAML from "yaml";
import { OfflineTofu } from "../../tofu/offline";
import { requiredProviders } from "../../tofu/providers";
import { type SynthesizedStack, synthHclStacks, synthStacks } from "../../tofu/stack";
import { formatDiagnostics, validate } from "../../tofu/validate";
import { tempDir } from "../helpers/tmp";

const ROOT = path.join(__dirname, "../..");
const base = (): Record<string, any> => {
  const d = YAML.parse(fs.readFileSync(path.join(ROOT, "deployments/example.yaml"), "utf8"));
  delete d.$schema;
  return d;
};

/** Deployments beyond the goldens: each changes what is synthesized in a way the goldens do not. */
const VARIANTS: Record<string, (d: Record<string, any>) => void> = {
  caddy: (d) => (d.proxy = { kind: "caddy" }),
  "nginx-certbot": (d) => (d.proxy = { kind: "nginx-certbot" }),
  pingoo: (d) => {
    d.proxy = { kind: "pingoo" };
    d.grafana.live = false;
  },
  "ipv4-only": (d) => (d.hetzner.ipv6 = false),
  protected: (d) => Object.assign(d.hetzner, { backups: true, serverProtection: true, labels: { team: "ops" }, volumeSizeGb: 200 }),
  "proxied-grafana": (d) => Object.assign(d.cloudflare, { proxiedSubdomains: ["grafana"], caa: false, ttlSeconds: 60 }),
  "many-trackers": (d) => {
    d.tracker.httpTrackers = [
      { subdomain: "http1", port: 7070 },
      { subdomain: "http2", port: 7071 },
    ];
    d.tracker.udpTrackers = [
      { subdomain: "udp1", port: 6969 },
      { subdomain: "udp2", port: 6970 },
    ];
    delete d.helloWorld;
    d.admin.sshAllowedCidrs = ["203.0.113.0/24", "2001:db8::/32"];
  },
  helsinki: (d) => Object.assign(d.hetzner, { location: "hel1", serverType: "cx33" }),
};

describe("tofu validate on every synthesized stack (JSON and --hcl)", () => {
  let json: SynthesizedStack[];
  let hcl: { name: string; hcl: string }[];
  let tofu: OfflineTofu;
  let dir: string;

  before(() => {
    const deployments = tempDir("validate-deployments-");
    fs.writeFileSync(path.join(deployments, "example.yaml"), fs.readFileSync(path.join(ROOT, "deployments/example.yaml"), "utf8").replace("$schema: ../schema", `$schema: ${ROOT}/schema`));
    for (const [name, edit] of Object.entries(VARIANTS)) {
      // One app refuses the same names in one zone and the same SSH key in one project: each variant
      // gets its own domain and key (an ed25519 public key blob from the name's hash).
      const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), createHash("sha256").update(name).digest()]);
      const d: Record<string, any> = { ...base(), name, domain: `${name}.example.com` };
      d.admin.sshKeys = [{ name: "admin", publicKey: `ssh-ed25519 ${blob.toString("base64")} ${name}@example.com` }];
      edit(d);
      fs.writeFileSync(path.join(deployments, `${name}.yaml`), YAML.stringify(d));
    }
    json = synthStacks(deployments);
    hcl = synthHclStacks(deployments);
    tofu = OfflineTofu.prepare(requiredProviders(json[0]!.json));
    dir = tempDir("validate-");
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ terraform: { required_providers: json[0]!.json.terraform!.required_providers } }));
    tofu.init(dir, { backend: false });
  });

  it("synthesizes the example, one stack per proxy and the held-out variants", () => {
    assert.deepEqual(json.map((s) => s.name).sort(), ["example", ...Object.keys(VARIANTS)].sort());
    assert.deepEqual(hcl.map((s) => s.name).sort(), json.map((s) => s.name).sort());
  });

  it("every JSON stack is valid, with no warning", () => {
    for (const s of json) {
      const r = validate(tofu, dir, { json: JSON.stringify(s.json) });
      assert.ok(r.valid && r.error_count === 0 && r.warning_count === 0, `${s.name} (JSON):\n${formatDiagnostics(r)}`);
    }
  });

  it("every --hcl stack parses and is valid, with no warning (no quoted references)", () => {
    for (const s of hcl) {
      const r = validate(tofu, dir, { hcl: s.hcl });
      assert.ok(r.valid && r.error_count === 0 && r.warning_count === 0, `${s.name} (HCL):\n${formatDiagnostics(r)}`);
      assert.match(s.hcl, /firewall_ids = \[\s*"\$\{hcloud_firewall\.[A-Za-z0-9_]+\.id\}"\s*\]/);
      assert.doesNotMatch(s.hcl, /^port = \d/m);
    }
  });

  it("the CAA record keeps flags = 0 in --hcl (cdktf dropped it)", () => {
    const example = hcl.find((s) => s.name === "example")!;
    assert.match(example.hcl, /type = "CAA"/);
    assert.match(example.hcl, /data = \{\s*flags = 0\s*tag = "issue"\s*value = "letsencrypt\.org"\s*\}/);
  });
});
