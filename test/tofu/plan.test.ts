// Offline plans of the golden stacks with the real OpenTofu and hcloud provider (Cloudflare: the
// stand-in): what tofu would create is what was synthesized. Needs `npm run tools` (the test
// command runs it).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { planStack } from "../../tofu/offline-plan";
import type { StackJson } from "../../tofu/stack";
import { tempDir } from "../helpers/tmp";
import { planCli } from "./helpers";

const ROOT = path.join(__dirname, "../..");
const GOLDEN = path.join(ROOT, "test/app/__golden__");

function after(plan: ReturnType<typeof planStack>, type: string): Record<string, any>[] {
  return (plan.plan.resource_changes ?? []).filter((rc) => rc.type === type).map((rc) => rc.change.after as Record<string, any>);
}

describe("offline plan of each golden stack (tofu plan + show -json)", () => {
  for (const file of fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".cdk.tf.json")).sort()) {
    const name = file.replace(".cdk.tf.json", "");
    it(`${name}: creates every synthesized resource with its key attributes`, () => {
      const json = JSON.parse(fs.readFileSync(path.join(GOLDEN, file), "utf8")) as StackJson;
      const p = planStack(name, json, { workRoot: tempDir("plan-") });

      const synthesized: Record<string, number> = {};
      for (const [type, byName] of Object.entries(json.resource ?? {})) synthesized[type] = Object.keys(byName).length;
      const planned: Record<string, number> = {};
      for (const rc of p.plan.resource_changes ?? []) planned[rc.type] = (planned[rc.type] ?? 0) + 1;
      assert.deepEqual(planned, synthesized);
      assert.ok(p.verdicts.every((v) => v.verdict === "created"));
      assert.match(p.plan.summary, new RegExp(`^Plan: ${Object.values(synthesized).reduce((a, b) => a + b)} to add, 0 to change, 0 to destroy\\.`));

      const lit = <T>(type: string): T => Object.values(json.resource![type]!)[0] as T;
      const [server] = after(p, "hcloud_server");
      const s = lit<Record<string, unknown>>("hcloud_server");
      for (const key of ["name", "server_type", "location", "image", "backups", "delete_protection", "rebuild_protection", "labels"]) {
        assert.deepEqual(server![key], s[key], `hcloud_server.${key}`);
      }
      assert.equal(server!.keep_disk, true);

      const ips = after(p, "hcloud_primary_ip").map((ip) => [ip.type, ip.auto_delete, ip.delete_protection, ip.location]);
      assert.deepEqual(ips.sort(), [
        ["ipv4", false, true, s.location],
        ["ipv6", false, true, s.location],
      ]);
      assert.equal(after(p, "hcloud_volume")[0]!.size, lit<{ size: number }>("hcloud_volume").size);

      const rules = (r: { protocol: string; port?: string | null }[]) => r.map((x) => `${x.protocol}/${x.port ?? ""}`).sort();
      const fw = after(p, "hcloud_firewall")[0]!;
      assert.deepEqual(rules(fw.rule), rules(lit<{ rule: { protocol: string; port?: string }[] }>("hcloud_firewall").rule));
      assert.ok(fw.rule.every((r: { port: unknown }) => r.port === null || typeof r.port === "string"), "ports are strings");

      const caa = after(p, "cloudflare_dns_record").filter((r) => r.type === "CAA");
      assert.ok(caa.length > 0, "CAA records planned");
      for (const r of caa) assert.deepEqual({ flags: r.data.flags, tag: r.data.tag, value: r.data.value }, { flags: 0, tag: "issue", value: "letsencrypt.org" });
      const names = after(p, "cloudflare_dns_record").map((r) => `${r.type} ${r.name}`).sort();
      const synthNames = Object.values(json.resource!.cloudflare_dns_record!).map((r) => `${r.type} ${r.name}`).sort();
      assert.deepEqual(names, synthNames);
    });
  }

  it("npm run plan prints what would be created, offline, naming the Cloudflare stand-in", () => {
    const r = planCli("deployments/example.yaml");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /every API endpoint is\s+http:\/\/127\.0\.0\.1:1 \(closed, checked\)/);
    assert.match(r.stdout, /Cloudflare: STAND-IN for cloudflare\/cloudflare 5\.14\.0/);
    assert.match(r.stdout, /example: state backend local \(.*\) → overridden to a local file in .* for this offline plan/);
    const n = /(\d+) created .*OpenTofu: Plan: (\d+) to add, 0 to change, 0 to destroy\./.exec(r.stdout);
    assert.ok(n && n[1] === n[2], "counts its creates as OpenTofu does");
    assert.match(r.stdout, /created +hcloud_server Tracker\/Server: example, ccx23 in nbg1, ubuntu-24\.04, keep_disk true/);
    assert.match(r.stdout, /created +cloudflare_dns_record Tracker\/Dns\/api\/CAA: CAA api\.example\.com 0 issue "letsencrypt\.org"/);
  });

  it("npm run plan names the file and field of a bad deployment and exits 1", () => {
    const dir = tempDir("plan-bad-");
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, fs.readFileSync(path.join(ROOT, "deployments/example.yaml"), "utf8").replace("serverType: ccx23", "serverType: huge"));
    const r = planCli(bad);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.yaml: hetzner\.serverType/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });
});
