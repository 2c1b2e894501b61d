// npm run plan -- NEW --against OLD: a prior state fabricated from OLD's planned values, then the
// real hcloud provider (and the Cloudflare stand-in's RequiresReplace facts) decide per resource.
// Needs `npm run tools` (the test command runs it).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { ResourceVerdict, Verdict } from "../../tofu/changes";
import { planAgainst } from "../../tofu/offline-plan";
import { tempDir } from "../helpers/tmp";
import { planCli } from "./helpers";

const ROOT = path.join(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "deployments/example.yaml");
/** The example's synthesized resources (the golden stack), by type. */
const GOLDEN = JSON.parse(fs.readFileSync(path.join(ROOT, "test/app/__golden__/example.cdk.tf.json"), "utf8")).resource as Record<string, Record<string, unknown>>;
const RESOURCES = Object.values(GOLDEN).reduce((n, byName) => n + Object.keys(byName).length, 0);
const DNS_RECORDS = Object.keys(GOLDEN.cloudflare_dns_record!).length;

/** The example with `edit` applied to its text, as a file in a temporary folder. */
function variant(name: string, edit: (yaml: string) => string): string {
  const file = path.join(tempDir("against-"), `${name}.yaml`);
  const text = edit(fs.readFileSync(EXAMPLE, "utf8").replace("$schema: ../schema", `$schema: ${ROOT}/schema`));
  assert.notEqual(text, fs.readFileSync(EXAMPLE, "utf8").replace("$schema: ../schema", `$schema: ${ROOT}/schema`), `${name}: the edit changed nothing`);
  fs.writeFileSync(file, text);
  return file;
}

/** `type construct/path` per verdict, e.g. { replaced: ["hcloud_server Tracker/Server"] }. */
function byVerdict(p: ReturnType<typeof planAgainst>): Partial<Record<Verdict, string[]>> {
  const out: Partial<Record<Verdict, string[]>> = {};
  for (const v of p.verdicts) (out[v.verdict] ??= []).push(`${v.type} ${p.paths.get(v.address) ?? v.address}`);
  for (const list of Object.values(out)) list.sort();
  return out;
}

function find(p: ReturnType<typeof planAgainst>, type: string): ResourceVerdict {
  const v = p.verdicts.find((x) => x.type === type);
  assert.ok(v, `no ${type} in the plan`);
  return v;
}

describe("plan --against an older deployment (fabricated prior state, -refresh=false)", () => {
  it("fidelity: a deployment against its own fabricated state has no changes", () => {
    const p = planAgainst(EXAMPLE, EXAMPLE, { workRoot: tempDir("against-work-") });
    assert.equal(p.plan.summary, "No changes. Your infrastructure matches the configuration.");
    assert.deepEqual(Object.keys(byVerdict(p)), ["kept"]);
    assert.equal(p.verdicts.length, RESOURCES);
  });

  it("Caddy → nginx + certbot replaces the server and its volume attachment, and nothing else", () => {
    const nginx = variant("nginx", (y) => y.replace("kind: caddy", "kind: nginx-certbot"));
    const p = planAgainst(nginx, EXAMPLE, { workRoot: tempDir("against-work-") });
    const v = byVerdict(p);
    assert.deepEqual(v.replaced, ["hcloud_server Tracker/Server", "hcloud_volume_attachment Tracker/Server/VolumeAttachments/Storage"]);
    assert.deepEqual(find(p, "hcloud_server").attributes, ["user_data"]);
    assert.deepEqual(find(p, "hcloud_volume_attachment").attributes, ["server_id"]);
    assert.equal(v.created, undefined);
    assert.equal(v.destroyed, undefined);
    // Caddy's HTTP/3 port (443/udp) closes: the firewall's rules change in place.
    assert.deepEqual(v["changed in place"], ["hcloud_firewall Tracker/Firewall"]);
    for (const kept of ["hcloud_volume Tracker/Storage", "hcloud_primary_ip Tracker/Ipv4", "hcloud_primary_ip Tracker/Ipv6"]) {
      assert.ok(v.kept?.includes(kept), `${kept} is kept`);
    }
    assert.equal(v.kept?.filter((k) => k.startsWith("cloudflare_dns_record")).length, DNS_RECORDS, "every DNS record is kept");
  });

  it("a serverType change and a larger volume change in place (keep_disk: the disk is not grown)", () => {
    const bigger = variant("bigger", (y) => y.replace("serverType: ccx23", "serverType: ccx33").replace("volumeSizeGb: 50", "volumeSizeGb: 100"));
    const p = planAgainst(bigger, EXAMPLE, { workRoot: tempDir("against-work-") });
    const v = byVerdict(p);
    assert.deepEqual(v["changed in place"], ["hcloud_server Tracker/Server", "hcloud_volume Tracker/Storage"]);
    assert.deepEqual(find(p, "hcloud_server").attributes, ["server_type"]);
    assert.equal((find(p, "hcloud_server").change.after as { keep_disk: boolean }).keep_disk, true);
    assert.deepEqual(find(p, "hcloud_volume").attributes, ["size"]);
    assert.deepEqual(Object.keys(v).sort(), ["changed in place", "kept"]);
  });

  it("renaming a subdomain replaces that name's records only (and the server, whose proxy config names it)", () => {
    const renamed = variant("renamed", (y) => y.replace("subdomain: api", "subdomain: tracker-api"));
    const p = planAgainst(renamed, EXAMPLE, { workRoot: tempDir("against-work-") });
    const v = byVerdict(p);
    const dns = (list: string[] | undefined) => (list ?? []).filter((x) => x.startsWith("cloudflare_dns_record"));
    const apiRecords = Object.keys(GOLDEN.cloudflare_dns_record!).filter((a) => a.startsWith("Tracker_Dns_api_"));
    assert.ok(apiRecords.length >= 2, "the example has records for api");
    assert.deepEqual(
      p.verdicts.filter((x) => x.verdict === "destroyed").map((x) => x.address).sort(),
      apiRecords.map((a) => `cloudflare_dns_record.${a}`).sort(),
    );
    assert.deepEqual(
      dns(v.created),
      apiRecords.map((a) => `cloudflare_dns_record Tracker/Dns/tracker-api/${/^Tracker_Dns_api_([A-Z]+)_/.exec(a)![1]}`).sort(),
    );
    assert.equal(dns(v.kept).length, DNS_RECORDS - apiRecords.length, "the other names' records are kept");
    assert.deepEqual(dns(v.replaced), []);
    assert.deepEqual(dns(v["changed in place"]), []);
    assert.deepEqual(find(p, "hcloud_server").verdict, "replaced");
  });

  it("a TTL change updates the records in place, and says the Cloudflare stand-in decided it", () => {
    const ttl = variant("ttl", (y) => y.replace("ttlSeconds: 300", "ttlSeconds: 600"));
    const r = planCli(ttl, "--against", EXAMPLE);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`OpenTofu: Plan: 0 to add, ${DNS_RECORDS} to change, 0 to destroy\\.`));
    assert.match(r.stdout, /changed in place +cloudflare_dns_record Tracker\/Dns\/api\/A: ttl 300 → 600\n/);
    assert.match(r.stdout, /Cloudflare: in place or replaced is decided by the stand-in's RequiresReplace facts of 5\.14\.0/);
    assert.doesNotMatch(r.stdout, /WARNING: the server/);
  });

  it("refuses an older file of another name: another stack and state, not an older version", () => {
    const other = variant("other", (y) => y.replace(/^name: example$/m, "name: other"));
    const r = planCli(EXAMPLE, "--against", other);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /is "other" and .* is "example": a different name is a different stack and state/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  it("prints per resource what happens and warns loudly when the server is replaced", () => {
    const nginx = variant("nginx", (y) => y.replace("kind: caddy", "kind: nginx-certbot"));
    const r = planCli(nginx, "--against", EXAMPLE);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /prior state fabricated from .*example\.yaml's planned values \(\d+ plans/);
    assert.match(r.stdout, /OpenTofu: Plan: 2 to add, 1 to change, 2 to destroy\./);
    assert.match(r.stdout, /replaced +hcloud_server Tracker\/Server: forced by user_data/);
    assert.match(r.stdout, /changed in place +hcloud_firewall Tracker\/Firewall: rule/);
    assert.match(r.stdout, /kept +[\s\S]*Tracker\/Storage[,\n]/);
    assert.match(r.stdout, /changed in place +hcloud_firewall Tracker\/Firewall: rule \(-udp\/443\)/);
    assert.match(r.stdout, /!!! WARNING: the server is REPLACED \(user_data\)/);
    assert.match(r.stdout, /!!! Kept: the primary IPs, the data volume, DNS records\./);
  });
});
