// The L3 construct: which resources a deployment creates, their addresses (a public contract:
// renaming one replaces a resource), the rules enforced at synth, and what never reaches the output.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Testing, TerraformStack } from "cdktf";
import YAML from "yaml";
import { DeploymentSchema, type Deployment } from "../../constructs/deployment/schema";
import { DeploymentError } from "../../constructs/deployment/errors";
import { escapeTerraformTemplate, TrackerDeployment } from "../../constructs/tracker/tracker-deployment";

const EXAMPLE = YAML.parse(fs.readFileSync(path.join(__dirname, "../../deployments/example.yaml"), "utf8"));

function deployment(mutate: (d: any) => void = () => {}): Deployment {
  const d = structuredClone(EXAMPLE);
  mutate(d);
  return DeploymentSchema.parse(d);
}

function build(d: Deployment): { json: any; tracker: TrackerDeployment; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "stack");
  const tracker = new TrackerDeployment(stack, "Tracker", { deployment: d, source: "example.yaml" });
  return { json: JSON.parse(Testing.synth(stack)), tracker, stack };
}

const records = (json: any) => Object.values(json.resource.cloudflare_dns_record) as any[];
const rules = (json: any) => (Object.values(json.resource.hcloud_firewall)[0] as any).rule as any[];

describe("TrackerDeployment", () => {
  it("creates every resource of the deployment, under pinned addresses", () => {
    const { json } = build(deployment());
    const addresses = Object.entries(json.resource).flatMap(([type, byName]) =>
      Object.keys(byName as object).map((name) => `${type}.${name}`),
    );
    assert.deepEqual(addresses.sort(), [
      "cloudflare_dns_record.Tracker_Dns_Caa_61C6D845",
      "cloudflare_dns_record.Tracker_Dns_api_AAAA_941589D3",
      "cloudflare_dns_record.Tracker_Dns_api_A_CA9D8043",
      "cloudflare_dns_record.Tracker_Dns_grafana_AAAA_4430BC45",
      "cloudflare_dns_record.Tracker_Dns_grafana_A_8DD9574C",
      "cloudflare_dns_record.Tracker_Dns_http1_AAAA_DEB78176",
      "cloudflare_dns_record.Tracker_Dns_http1_A_B344E85B",
      "cloudflare_dns_record.Tracker_Dns_http1_TXT_AD253988",
      "cloudflare_dns_record.Tracker_Dns_test_AAAA_CC8D0AF2",
      "cloudflare_dns_record.Tracker_Dns_test_A_ED1113CC",
      "cloudflare_dns_record.Tracker_Dns_udp1_AAAA_848BE07D",
      "cloudflare_dns_record.Tracker_Dns_udp1_A_D24B15B4",
      "cloudflare_dns_record.Tracker_Dns_udp1_TXT_3E484846",
      "hcloud_firewall.Tracker_Firewall_87DEEC4E",
      "hcloud_primary_ip.Tracker_Ipv4_41E47590",
      "hcloud_primary_ip.Tracker_Ipv6_AA1AECFD",
      "hcloud_rdns.Tracker_Ipv4_ReverseDns_283173A9",
      "hcloud_rdns.Tracker_Ipv6_ReverseDns_F4F9922D",
      "hcloud_server.Tracker_Server_F9F6A7CD",
      "hcloud_ssh_key.Tracker_SshKeys_admin_B80A0D3B",
      "hcloud_volume.Tracker_Storage_FBF177A4",
      "hcloud_volume_attachment.Tracker_Server_VolumeAttachments_Storage_6486AAC9",
    ]);
  });

  it("keeps IPs and the volume safe across server replacement", () => {
    const { json } = build(deployment());
    for (const ip of Object.values(json.resource.hcloud_primary_ip) as any[]) {
      assert.equal(ip.auto_delete, false);
      assert.equal(ip.delete_protection, true);
      assert.equal(ip.location, "nbg1");
    }
    const volume = Object.values(json.resource.hcloud_volume)[0] as any;
    assert.equal(volume.delete_protection, true);
    assert.equal(volume.size, 50);
    assert.equal(volume.format, "ext4");
    const server = Object.values(json.resource.hcloud_server)[0] as any;
    assert.equal(server.server_type, "ccx23");
    assert.equal(server.image, "ubuntu-24.04");
    assert.equal(server.delete_protection, false);
    assert.equal(server.rebuild_protection, false);
    assert.deepEqual(server.lifecycle.ignore_changes, ["ssh_keys"]);
    assert.match(JSON.stringify(server.public_net), /hcloud_primary_ip\.Tracker_Ipv4.*\.id/);
    assert.equal(server.labels.deployment, "example");
  });

  it("creates DNS records before the server (ACME never sees NXDOMAIN)", () => {
    const { json } = build(deployment());
    const server = Object.values(json.resource.hcloud_server)[0] as any;
    const recordNames = Object.keys(json.resource.cloudflare_dns_record).map((n) => `cloudflare_dns_record.${n}`);
    assert.deepEqual([...server.depends_on].sort(), recordNames.sort());
  });

  it("DNS: A+AAAA per subdomain, BEP 34 TXT on trackers, CAA on the apex, all DNS-only", () => {
    const { json } = build(deployment());
    const rs = records(json);
    const names = (type: string) => rs.filter((r) => r.type === type).map((r) => r.name).sort();
    const hosts = ["api", "grafana", "http1", "test", "udp1"].map((s) => `${s}.example.com`);
    assert.deepEqual(names("A"), hosts);
    assert.deepEqual(names("AAAA"), hosts);
    assert.deepEqual(
      rs.filter((r) => r.type === "TXT").map((r) => [r.name, r.content]).sort(),
      [["http1.example.com", '"BITTORRENT TCP:443"'], ["udp1.example.com", '"BITTORRENT UDP:6969"']],
    );
    assert.deepEqual(names("CAA"), ["example.com"]);
    assert.ok(rs.filter((r) => r.type === "A").every((r) => r.proxied === false && r.ttl === 300));
  });

  it("firewall: SSH from the admin networks, proxy ports, UDP trackers, ICMP — nothing internal", () => {
    const { json } = build(deployment((d) => (d.admin.sshAllowedCidrs = ["203.0.113.0/24"])));
    const open = rules(json).map((r) => `${r.protocol}/${r.port ?? "-"}`).sort();
    assert.deepEqual(open, ["icmp/-", "tcp/22", "tcp/443", "tcp/80", "udp/443", "udp/6969"]);
    const ssh = rules(json).find((r) => r.port === "22");
    assert.deepEqual(ssh.source_ips, ["203.0.113.0/24"]);
    const udp = rules(json).find((r) => r.port === "6969");
    assert.deepEqual([...udp.source_ips].sort(), ["0.0.0.0/0", "::/0"]);
    for (const internal of ["1212", "7070", "3000", "9090", "1313"]) {
      assert.ok(!rules(json).some((r) => r.port === internal), `${internal} must stay closed`);
    }
  });

  it("without IPv6: no IPv6 primary IP, no AAAA, IPv4-only rules", () => {
    const { json } = build(deployment((d) => (d.hetzner.ipv6 = false)));
    assert.equal(Object.keys(json.resource.hcloud_primary_ip).length, 1);
    assert.ok(!records(json).some((r) => r.type === "AAAA"));
    assert.ok(rules(json).filter((r) => r.port !== "22").every((r) => !r.source_ips.includes("::/0")));
    const server = Object.values(json.resource.hcloud_server)[0] as any;
    assert.equal(server.public_net[0].ipv6_enabled, false);
  });

  it("pingoo without an IPv6 listener: AAAA only on the UDP tracker hostname, 443/tcp only", () => {
    const { json, stack } = build(deployment((d) => ((d.proxy.kind = "pingoo"), (d.grafana.live = false))));
    assert.deepEqual(records(json).filter((r) => r.type === "AAAA").map((r) => r.name), ["udp1.example.com"]);
    const open = rules(json).map((r) => `${r.protocol}/${r.port ?? "-"}`).sort();
    assert.deepEqual(open, ["icmp/-", "tcp/22", "tcp/443", "udp/6969"]);
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    assert.ok(warnings.some((w) => /Grafana Live is switched off/.test(w)), warnings.join("\n"));
    assert.ok(warnings.some((w) => /no HTTP→HTTPS redirect/.test(w)), warnings.join("\n"));
  });

  it("refuses pingoo with Grafana Live, explaining why and how to fix", () => {
    assert.throws(
      () => build(deployment((d) => (d.proxy.kind = "pingoo"))),
      (e: unknown) => {
        assert.ok(e instanceof DeploymentError);
        assert.match(e.message, /example\.yaml: proxy\.kind: .*Pingoo.*Upgrade.*grafana\.live: false/);
        assert.match(e.message, /"caddy"/);
        return true;
      },
    );
  });

  it("refuses a TLS-ALPN-only proxy behind a Cloudflare-proxied hostname", () => {
    assert.throws(
      () => build(deployment((d) => ((d.proxy.kind = "pingoo"), (d.grafana.live = false), (d.cloudflare.proxiedSubdomains = ["grafana"])))),
      /cloudflare\.proxiedSubdomains\[0\]: .*TLS-ALPN-01.*cannot pass Cloudflare/,
    );
  });

  it("allows Cloudflare proxying of grafana with caddy, with a warning", () => {
    const { json, stack } = build(deployment((d) => (d.cloudflare.proxiedSubdomains = ["grafana"])));
    const grafana = records(json).filter((r) => r.name === "grafana.example.com" && r.type === "A");
    assert.equal(grafana[0].proxied, true);
    assert.equal(grafana[0].ttl, 1);
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).map((m) => String(m.data));
    assert.ok(warnings.some((w) => /proxied by Cloudflare/.test(w)));
  });

  it("direct HTTP trackers (no proxy): port opened, TXT with the port", () => {
    const { json } = build(deployment((d) => (d.tracker.httpTrackers = [{ subdomain: "http1", port: 7070, viaProxy: false }])));
    assert.ok(rules(json).some((r) => r.protocol === "tcp" && r.port === "7070"));
    assert.ok(records(json).some((r) => r.type === "TXT" && r.content === '"BITTORRENT TCP:7070"'));
  });

  it("user_data: the volume by id, Terraform template characters escaped, within 32,768 bytes", () => {
    const { json, tracker } = build(deployment());
    const server = Object.values(json.resource.hcloud_server)[0] as any;
    const userData: string = server.user_data;
    assert.match(userData, /^#cloud-config\n/);
    assert.match(userData, /scsi-0HC_Volume_\$\{hcloud_volume\.Tracker_Storage_[0-9A-F]+\.id\}/);
    const interpolations = userData.match(/(?<!\$)\$\{[^}]*\}/g) ?? [];
    assert.ok(interpolations.every((i) => /^\$\{hcloud_volume\./.test(i)), `only the volume id is interpolated: ${interpolations}`);
    assert.ok(!/(?<!%)%\{/.test(userData), "no unescaped %{ template directive");
    assert.ok(tracker.userDataBytes <= 32768, `${tracker.userDataBytes} bytes`);
  });

  it("escapes Terraform template sequences", () => {
    assert.equal(escapeTerraformTemplate("a ${HOME} %{if} $x {y}"), "a $${HOME} %%{if} $x {y}");
  });

  it("fails synth with the size when user_data exceeds Hetzner's limit", () => {
    // 400 distinct ed25519 keys (~100 bytes each, not compressible) push user_data past 32 KiB.
    const key = (i: number) => {
      const type = Buffer.from("ssh-ed25519");
      const raw = Buffer.alloc(32, 0);
      raw.writeUInt32BE(i);
      const len = (n: number) => Buffer.from([0, 0, 0, n]);
      return `ssh-ed25519 ${Buffer.concat([len(type.length), type, len(32), raw]).toString("base64")} k${i}`;
    };
    const keys = Array.from({ length: 400 }, (_, i) => ({ name: `k${i}`, publicKey: key(i) }));
    assert.throws(
      () => build(deployment((d) => (d.admin.sshKeys = keys))),
      /user_data|cloud-init is too large.*got \d{5} bytes.*at most 32768 bytes/,
    );
  });

  it("fromInput validates file-shaped input", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    assert.throws(() => TrackerDeployment.fromInput(stack, "T", { ...EXAMPLE, name: "Bad Name" }), /name/);
  });
});
