// The L3 construct: which resources a deployment creates, their addresses (a public contract:
// renaming one replaces a resource), the rules enforced at synth, and what never reaches the output.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { Testing, TerraformStack } from "cdktf";
import YAML from "yaml";
import { DeploymentSchema, type Deployment } from "../../constructs/deployment/schema";
import { DeploymentError } from "../../constructs/deployment/errors";
import { escapeTerraformTemplate, TrackerDeployment } from "../../constructs/tracker/tracker-deployment";
import { testApp } from "../helpers/cdktf";

const EXAMPLE = YAML.parse(fs.readFileSync(path.join(__dirname, "../../deployments/example.yaml"), "utf8"));

function deployment(mutate: (d: any) => void = () => {}): Deployment {
  const d = structuredClone(EXAMPLE);
  mutate(d);
  return DeploymentSchema.parse(d);
}

function build(d: Deployment): { json: any; tracker: TrackerDeployment; stack: TerraformStack } {
  const app = testApp();
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
      "cloudflare_dns_record.Tracker_Dns_api_AAAA_941589D3",
      "cloudflare_dns_record.Tracker_Dns_api_A_CA9D8043",
      "cloudflare_dns_record.Tracker_Dns_api_CAA_82357A51",
      "cloudflare_dns_record.Tracker_Dns_grafana_AAAA_4430BC45",
      "cloudflare_dns_record.Tracker_Dns_grafana_A_8DD9574C",
      "cloudflare_dns_record.Tracker_Dns_grafana_CAA_B8C49E87",
      "cloudflare_dns_record.Tracker_Dns_http1_AAAA_DEB78176",
      "cloudflare_dns_record.Tracker_Dns_http1_A_B344E85B",
      "cloudflare_dns_record.Tracker_Dns_http1_CAA_056C4746",
      "cloudflare_dns_record.Tracker_Dns_http1_TXT_AD253988",
      "cloudflare_dns_record.Tracker_Dns_test_AAAA_CC8D0AF2",
      "cloudflare_dns_record.Tracker_Dns_test_A_ED1113CC",
      "cloudflare_dns_record.Tracker_Dns_test_CAA_BB35B672",
      "cloudflare_dns_record.Tracker_Dns_udp1_AAAA_848BE07D",
      "cloudflare_dns_record.Tracker_Dns_udp1_A_D24B15B4",
      "cloudflare_dns_record.Tracker_Dns_udp1_CAA_24F642F5",
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

  it("DNS: A+AAAA per subdomain, BEP 34 TXT on trackers, CAA on each name (not the apex), all DNS-only", () => {
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
    assert.deepEqual(names("CAA"), hosts);
    assert.ok(rs.filter((r) => r.type === "CAA").every((r) => r.data.tag === "issue" && r.data.value === "letsencrypt.org" && r.data.flags === 0));
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

  it("create (and the deprecated fromInput) validate file-shaped input, schema and cross-field rules alike", () => {
    const stack = new TerraformStack(testApp(), "s");
    assert.throws(() => TrackerDeployment.create(stack, "T", { ...EXAMPLE, name: "Bad Name" }), (e: unknown) => e instanceof DeploymentError && /s\/T: 1 problem[\s\S]*name: /.test(e.message));
    assert.throws(() => TrackerDeployment.fromInput(stack, "U", { ...EXAMPLE, name: "Bad Name" }), DeploymentError);
    // A cross-field rule the schema cannot see: a UDP tracker behind Cloudflare's proxy.
    const proxiedUdp = { ...structuredClone(EXAMPLE), cloudflare: { ...EXAMPLE.cloudflare, proxiedSubdomains: ["udp1"] } };
    assert.throws(() => TrackerDeployment.create(stack, "V", proxiedUdp), /proxiedSubdomains\[0\]: is the UDP tracker/);
    // A port clash: the API on Grafana's port.
    const clash = structuredClone(EXAMPLE);
    clash.tracker.api = { subdomain: "api", port: 3000 };
    assert.throws(() => new TrackerDeployment(stack, "W", { deployment: DeploymentSchema.parse(clash) }), /tracker\.api\.port: TCP port 3000 is taken by Grafana/);
  });
});

describe("TrackerDeployment from the deployment plan (issues 9 and 10)", () => {
  it("CAA per name for the configured CA; an unknown CA is refused with the fix; iodef only if asked", () => {
    const staging = records(build(deployment((d) => (d.acme.staging = true))).json).filter((r) => r.type === "CAA");
    assert.ok(staging.length === 5 && staging.every((r) => r.data.value === "letsencrypt.org"));
    assert.ok(!records(build(deployment()).json).some((r) => r.type === "CAA" && r.data.tag === "iodef"));
    assert.throws(
      () => build(deployment((d) => (d.acme.directoryUrl = "https://acme.example.net/directory"))),
      /acme\.directoryUrl: the CAA identity of this CA is unknown.*acme\.caaIdentity/,
    );
    const named = records(
      build(deployment((d) => ((d.acme.directoryUrl = "https://acme.example.net/directory"), (d.acme.caaIdentity = "example.net"), (d.acme.caaIodef = "mailto:security@example.com")))).json,
    ).filter((r) => r.type === "CAA");
    assert.deepEqual([...new Set(named.filter((r) => r.data.tag === "issue").map((r) => r.data.value))], ["example.net"]);
    assert.equal(named.filter((r) => r.data.tag === "iodef").length, 5);
    assert.ok(!records(build(deployment((d) => (d.cloudflare.caa = false))).json).some((r) => r.type === "CAA"));
  });

  it("one hostname for an HTTP and a UDP tracker: one A/AAAA pair, one TXT with both BEP 34 entries", () => {
    const { json, tracker } = build(
      deployment((d) => ((d.tracker.httpTrackers = [{ subdomain: "tracker", port: 7070 }]), (d.tracker.udpTrackers = [{ subdomain: "tracker", port: 6969 }]))),
    );
    const rs = records(json).filter((r) => r.name === "tracker.example.com");
    assert.deepEqual(rs.map((r) => r.type).sort(), ["A", "AAAA", "CAA", "TXT"]);
    assert.equal(rs.find((r) => r.type === "TXT").content, '"BITTORRENT UDP:6969 TCP:443"');
    assert.deepEqual(tracker.announceUrls, ["https://tracker.example.com/announce", "udp://tracker.example.com:6969/announce"]);
    const rdns = Object.values(json.resource.hcloud_rdns) as any[];
    assert.ok(rdns.every((r) => r.dns_ptr === "tracker.example.com"));
    // Two HTTP services on one name stay refused.
    assert.throws(() => build(deployment((d) => (d.tracker.api.subdomain = "grafana"))), /grafana\.subdomain: subdomain is already used by tracker\.api\.subdomain/);
    assert.throws(
      () => build(deployment((d) => (d.tracker.udpTrackers = [{ subdomain: "udp1", port: 6969 }, { subdomain: "udp1", port: 6970 }]))),
      /udpTrackers\[1\]\.subdomain: subdomain is already used/,
    );
  });

  it("grafana and prometheus off: no record, site, service, secret, firewall change or output", () => {
    const { json, tracker } = build(deployment((d) => ((d.grafana.enabled = false), (d.prometheus = { enabled: false }))));
    assert.ok(!records(json).some((r) => r.name === "grafana.example.com"));
    assert.ok(!tracker.edge.sites.some((s) => s.role === "grafana"));
    assert.equal(tracker.grafanaUrl, undefined);
    const files = new Map(renderedFiles(json).map((f) => [f.path, f.content]));
    const compose = YAML.parse(files.get("/opt/torrust/compose.yaml")!);
    assert.deepEqual(Object.keys(compose.services).sort(), ["caddy", "tracker"]);
    const bootstrap = files.get("/opt/torrust/bin/bootstrap.sh")!;
    assert.doesNotMatch(bootstrap, /grafana|GF_SECURITY|prometheus/i);
    assert.ok(![...files.keys()].some((p) => /prometheus|grafana/.test(p)), [...files.keys()].join(", "));
    assert.deepEqual(
      rules(json).map((r) => `${r.protocol}/${r.port ?? "-"}`),
      rules(build(deployment()).json).map((r) => `${r.protocol}/${r.port ?? "-"}`),
    );
  });

  it("refuses Grafana without Prometheus, with the reason", () => {
    assert.throws(() => build(deployment((d) => (d.prometheus = { enabled: false }))), /grafana\.enabled: Grafana without Prometheus has no data/);
  });

  it("private mode: UDP trackers dropped with a warning; HTTP announce URLs carry a <key> placeholder", () => {
    const { json, tracker, stack } = build(deployment((d) => (d.tracker.private = true)));
    assert.ok(!records(json).some((r) => r.name === "udp1.example.com"));
    assert.ok(!rules(json).some((r) => r.protocol === "udp" && r.port === "6969"));
    assert.deepEqual(tracker.announceUrls, ["https://http1.example.com/announce/<key>"]);
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).map((m) => String(m.data));
    assert.ok(warnings.some((w) => /refuses every UDP announce/.test(w)), warnings.join("\n"));
    const toml = renderedFiles(json).find((f) => f.path.endsWith("tracker.toml"))!.content;
    assert.doesNotMatch(toml, /udp_trackers/);
  });

  it("warns at synth for a tracker tag whose facts were not reviewed, naming the reviewed tag; none for the pinned ones", () => {
    const warningsOf = (stack: TerraformStack) => stack.node.findAll().flatMap((c) => c.node.metadata).map((m) => String(m.data));
    const { stack } = build(deployment((d) => (d.tracker.image = "torrust/tracker:v3.1.0")));
    assert.ok(warningsOf(stack).some((w) => /tracker\.image is torrust\/tracker:v3\.1\.0, .*Reviewed tags: torrust\/tracker:v3\.0\.0\./.test(w)), warningsOf(stack).join("\n"));
    assert.ok(!warningsOf(build(deployment()).stack).some((w) => /Reviewed tags/.test(w)));
  });

  it("reserves json_exporter's and the stats relay's ports in the tracker's namespace while Prometheus runs", () => {
    assert.throws(
      () => build(deployment((d) => (d.tracker.httpTrackers = [{ subdomain: "http1", port: 7979, viaProxy: true }]))),
      /httpTrackers\[0\]\.port: TCP port 7979 is taken by json_exporter/,
    );
    assert.throws(() => build(deployment((d) => (d.tracker.api.port = 7980))), /tracker\.api\.port: TCP port 7980 is taken by the tracker stats relay/);
  });

  it("reserves the proxy's own ports: Caddy's admin 2019 and HTTP/3 443/udp; nginx neither", () => {
    assert.throws(() => build(deployment((d) => (d.tracker.api.port = 2019))), /tracker\.api\.port: TCP port 2019 is taken by Caddy 2\.10\.2: its admin API/);
    assert.throws(
      () => build(deployment((d) => (d.tracker.udpTrackers = [{ subdomain: "udp1", port: 443 }]))),
      /udpTrackers\[0\]\.port: UDP port 443 is taken by Caddy 2\.10\.2: HTTP\/3/,
    );
    build(deployment((d) => ((d.proxy.kind = "nginx-certbot"), (d.tracker.api.port = 2019))));
    const { json } = build(deployment((d) => ((d.proxy.kind = "nginx-certbot"), (d.tracker.udpTrackers = [{ subdomain: "udp1", port: 443 }]))));
    assert.ok(rules(json).some((r) => r.protocol === "udp" && r.port === "443" && r.description === "udp tracker udp1"));
  });

  it("UDP 53 clashes with systemd-resolved's stub (every address vs 127.0.0.53); an API on loopback 53 does not", () => {
    assert.throws(
      () => build(deployment((d) => (d.tracker.udpTrackers = [{ subdomain: "udp1", port: 53 }]))),
      /udpTrackers\[0\]\.port: UDP port 53 is taken by systemd-resolved's stub resolver on 127\.0\.0\.53/,
    );
    build(deployment((d) => (d.tracker.api.port = 53)));
  });
});

/** The files of the synthesized user_data (write_files, base64 decoded). */
function renderedFiles(json: any): { path: string; content: string }[] {
  const server = Object.values(json.resource.hcloud_server)[0] as any;
  const doc = YAML.parse(server.user_data.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{"), { version: "1.1" } as any);
  return (doc.write_files ?? []).map((f: any) => ({
    path: f.path,
    content: f.encoding === "b64" ? Buffer.from(f.content, "base64").toString("utf8") : f.encoding === "gz+b64" ? gunzipSync(Buffer.from(f.content, "base64")).toString("utf8") : f.content,
  }));
}
