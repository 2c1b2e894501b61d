import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TerraformStack, Testing } from "cdktf";
import { RecordTarget, Zone } from "../../constructs/cloudflare";
import { synthScope, testApp } from "../helpers/cdktf";

const ZONE_ID = "0123456789abcdef0123456789abcdef";
const zone = () => Zone.fromZoneId(ZONE_ID, "example.com");
const records = (build: Parameters<typeof synthScope>[0]) =>
  JSON.parse(synthScope(build)).resource.cloudflare_dns_record as Record<string, Record<string, unknown>>;

describe("DnsRecord", () => {
  it("defaults: FQDN name, DNS-only, TTL 300", () => {
    const r = records((s) => zone().addRecord(s, "Api", { subdomain: "api", target: RecordTarget.ipv4("203.0.113.10") }));
    assert.deepEqual(r.Api, { content: "203.0.113.10", name: "api.example.com", proxied: false, ttl: 300, type: "A", zone_id: ZONE_ID });
  });

  it("proxied records use TTL 1 (Cloudflare requires it)", () => {
    const r = records((s) => zone().addRecord(s, "G", { subdomain: "grafana", target: RecordTarget.ipv6("2001:db8::1"), proxied: true, ttlSeconds: 600 }));
    assert.equal(r.G.proxied, true);
    assert.equal(r.G.ttl, 1);
    assert.equal(r.G.type, "AAAA");
  });

  it("TXT content is quoted and never proxied", () => {
    const r = records((s) => zone().addRecord(s, "T", { subdomain: "udp1", target: RecordTarget.txt("BITTORRENT UDP:6969") }));
    assert.equal(r.T.content, '"BITTORRENT UDP:6969"');
    assert.equal(r.T.proxied, undefined);
  });

  it("CAA data is an attribute with its flags in synth --hcl (cdktf prints it as a block without flags)", () => {
    const stack = new TerraformStack(testApp(), "stack");
    zone().addRecord(stack, "Caa", { subdomain: "@", target: RecordTarget.caaIssue("letsencrypt.org") });
    const hcl: string = Testing.synthHcl(stack);
    assert.match(hcl, /data = \{\s*flags = 0\s*tag = "issue"\s*value = "letsencrypt\.org"\s*\}/);
  });

  it("CAA on the apex with numeric flags", () => {
    const r = records((s) => zone().addRecord(s, "Caa", { subdomain: "@", target: RecordTarget.caaIssue("letsencrypt.org") }));
    assert.equal(r.Caa.name, "example.com");
    assert.deepEqual(r.Caa.data, { flags: 0, tag: "issue", value: "letsencrypt.org" });
  });

  it("construct id is the Terraform address", () => {
    const r = records((s) => zone().addRecord(s, "udp1", { subdomain: "udp1", target: RecordTarget.ipv4("203.0.113.1") }));
    assert.deepEqual(Object.keys(r), ["udp1"]);
  });

  it("rejects bad literals with the value", () => {
    assert.throws(() => Zone.fromZoneId("nope", "example.com"), /got "nope"/);
    assert.throws(() => RecordTarget.ipv4("2001:db8::1"), /IPv4 address, got "2001:db8::1"/);
    assert.throws(() => RecordTarget.ipv6("1.2.3.4"), /IPv6 address, got "1.2.3.4"/);
    assert.throws(() => RecordTarget.txt("x".repeat(256)), /at most 255 bytes.*got 256/);
    assert.throws(() => RecordTarget.txt('a"b'), /double quotes/);
    assert.throws(() => RecordTarget.caaIssue("Let's Encrypt"), /got "Let's Encrypt"/);
    assert.throws(
      () => synthScope((s) => zone().addRecord(s, "X", { subdomain: "Api", target: RecordTarget.ipv4("1.2.3.4") })),
      /got "Api"/,
    );
    assert.throws(
      () => synthScope((s) => zone().addRecord(s, "X", { subdomain: "t", target: RecordTarget.txt("a"), proxied: true })),
      /TXT records cannot be proxied/,
    );
    assert.throws(
      () => synthScope((s) => zone().addRecord(s, "X", { subdomain: "t", target: RecordTarget.ipv4("1.2.3.4"), ttlSeconds: 30 })),
      /got 30/,
    );
  });
});
