// The deployment plan on its own: pure, deterministic, and the one place each derived fact
// comes from (firewall, DNS, compose ports, tracker binds, sites, outputs).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import YAML from "yaml";
import { DeploymentSchema, type Deployment } from "../../constructs/deployment/schema";
import { planDeployment } from "../../constructs/plan/plan";
import { validateDeployment } from "../../constructs/plan/validate";
import { PROXIES } from "../../constructs/proxies";

const EXAMPLE = YAML.parse(fs.readFileSync(path.join(__dirname, "../../deployments/example.yaml"), "utf8"));
const deployment = (mutate: (d: any) => void = () => {}): Deployment => {
  const d = structuredClone(EXAMPLE);
  mutate(d);
  return DeploymentSchema.parse(d);
};

describe("planDeployment", () => {
  it("derives the example's firewall, names, ports, binds and outputs", () => {
    const plan = planDeployment(deployment(), { proxy: PROXIES.caddy });
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(
      plan.firewall.map((r) => `${r.protocol}/${r.port ?? "-"} ${r.description}`),
      ["tcp/22 ssh", "tcp/80 caddy tcp", "tcp/443 caddy tcp", "udp/443 caddy udp", "udp/6969 udp tracker udp1", "icmp/- icmp"],
    );
    assert.deepEqual(plan.dns.map((n) => [n.subdomain, n.roles.join("+"), n.bep34 ?? "-", n.caa?.issue ?? "-"]), [
      ["test", "hello", "-", "letsencrypt.org"],
      ["api", "api", "-", "letsencrypt.org"],
      ["http1", "http-tracker", "BITTORRENT TCP:443", "letsencrypt.org"],
      ["udp1", "udp-tracker", "BITTORRENT UDP:6969", "letsencrypt.org"],
      ["grafana", "grafana", "-", "letsencrypt.org"],
    ]);
    assert.deepEqual(plan.trackerPorts, [
      { protocol: "udp", port: 6969 },
      { protocol: "tcp", port: 7070, hostAddress: "127.0.0.1" },
      { protocol: "tcp", port: 1212, hostAddress: "127.0.0.1" },
    ]);
    assert.equal(plan.trackerListeners.onReverseProxy, true);
    assert.deepEqual(plan.edge.sites.map((s) => s.role), ["hello", "api", "http-tracker", "grafana"]);
    assert.equal(plan.reverseDns, "udp1.example.com");
    assert.deepEqual(plan.outputs.announceUrls, ["https://http1.example.com/announce", "udp://udp1.example.com:6969/announce"]);
    assert.equal(plan.outputs.grafanaUrl, "https://grafana.example.com/");
    assert.ok(plan.hostBindings.some((b) => b.port === 2019 && b.address === "127.0.0.1" && /admin API/.test(b.owner)));
  });

  it("is pure: the same input gives the same plan, and the input is not changed", () => {
    const d = deployment();
    const before = JSON.stringify(d);
    assert.deepEqual(planDeployment(d, { proxy: PROXIES.pingoo }), planDeployment(d, { proxy: PROXIES.pingoo }));
    assert.equal(JSON.stringify(d), before);
  });

  it("derives the proxy's firewall ports from its plug-in (nginx opens no 443/udp; Pingoo only 443)", () => {
    const ports = (kind: keyof typeof PROXIES) =>
      planDeployment(deployment(), { proxy: PROXIES[kind] }).firewall.filter((r) => r.description.startsWith(kind)).map((r) => `${r.protocol}/${r.port}`);
    assert.deepEqual(ports("nginx-certbot"), ["tcp/80", "tcp/443"]);
    assert.deepEqual(ports("pingoo"), ["tcp/443"]);
  });

  it("a direct HTTP tracker: published on every address, in the firewall, http:// announce URL, TXT with its port", () => {
    const plan = planDeployment(deployment((d) => (d.tracker.httpTrackers = [{ subdomain: "http1", port: 7070, viaProxy: false }])), { proxy: PROXIES.caddy });
    assert.ok(plan.firewall.some((r) => r.protocol === "tcp" && r.port === 7070));
    assert.ok(plan.trackerPorts.some((p) => p.port === 7070 && p.hostAddress === undefined));
    assert.equal(plan.trackerListeners.onReverseProxy, false);
    assert.deepEqual(plan.outputs.announceUrls[0], "http://http1.example.com:7070/announce");
    assert.equal(plan.dns.find((n) => n.subdomain === "http1")?.bep34, "BITTORRENT TCP:7070");
    assert.ok(!plan.edge.sites.some((s) => s.role === "http-tracker"));
  });

  it("validateDeployment: schema problems first, then plan and rules together", () => {
    assert.throws(() => validateDeployment({ ...EXAMPLE, name: "X" }, { source: "f.yaml" }), /f\.yaml: 1 problem\n {2}- f\.yaml: name: /);
    const both = structuredClone(EXAMPLE);
    both.tracker.api = { subdomain: "api", port: 3000 };
    both.cloudflare.proxiedSubdomains = ["udp1"];
    assert.throws(() => validateDeployment(both, { source: "f.yaml" }), /2 problems[\s\S]*tracker\.api\.port: TCP port 3000 is taken by Grafana[\s\S]*proxiedSubdomains\[0\]: is the UDP tracker/);
  });

  it("a shared HTTP+UDP name behind a proxy without IPv6 listeners: no AAAA, with a warning", () => {
    const d = deployment((x) => {
      x.proxy = { kind: "pingoo" };
      x.grafana.live = false;
      x.tracker.httpTrackers = [{ subdomain: "tracker", port: 7070 }];
      x.tracker.udpTrackers = [{ subdomain: "tracker", port: 6969 }];
    });
    const plan = planDeployment(d, { proxy: PROXIES.pingoo });
    assert.equal(plan.dns.find((n) => n.subdomain === "tracker")?.aaaa, false);
    assert.ok(plan.warnings.some((w) => /tracker\.example\.com serves a UDP tracker and HTTPS .* no AAAA/.test(w)), plan.warnings.join("\n"));
    assert.equal(planDeployment(d, { proxy: PROXIES.caddy }).dns.find((n) => n.subdomain === "tracker")?.aaaa, true);
  });
});
