// Property-based (fast-check): generated deployment files, valid and mutated. Each one either is
// refused with a DeploymentError naming the file and a field, or synthesizes to a stack that
// keeps the invariants: every hostname has its records, every exposed port is in the firewall
// and nothing else is, no user text outside its file, user_data within Hetzner's limit and
// interpolating nothing but the volume id. Bounded: a fixed number of runs and a time limit.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { Testing, TerraformStack } from "cdktf";
import fc from "fast-check";
import YAML from "yaml";
import { DeploymentError } from "../../constructs/deployment/errors";
import { loadDeploymentFile } from "../../constructs/deployment/load";
import { TrackerDeployment } from "../../constructs/tracker/tracker-deployment";
import { USER_DATA_LIMIT_BYTES } from "../../constructs/tracker/user-data";
import { testApp } from "../helpers/cdktf";
import { tempDir } from "../helpers/tmp";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmVs+9pPbUihLPBUxQxVoWyo0klTsdBl6118CD0DBMu admin@example.com";
/** Marks user text so the test can find every place it lands. */
const MARK = "Zq7userText";

const LABELS = ["api", "http1", "http2", "udp1", "udp2", "grafana", "test", "tracker"] as const;
const port = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(22, 53, 80, 443, 1313, 2019, 3000, 8081, 9090) },
  { weight: 6, arbitrary: fc.integer({ min: 1024, max: 65535 }) },
);
const nasty = fc.constantFrom("${HOME}", "%{ if x }", "{$HOME}", "{env.X}", "$host", "'; reboot; '", '"quoted"', "<b>", "é ü 中", "\\n", "`id`");
const message = fc.array(nasty, { maxLength: 3 }).map((parts) => `${MARK} ${parts.join(" ")}`.slice(0, 200));
/** Mostly true: each rarely-false switch keeps most generated files valid. */
const usually = (v: boolean) => fc.oneof({ weight: 5, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: fc.constant(!v) });

/** Distinct hostnames by construction (a shared HTTP+UDP name sometimes); clashes come from mutations. */
const names = fc.shuffledSubarray([...LABELS], { minLength: LABELS.length, maxLength: LABELS.length });

const deploymentArb = fc
  .record({
    names,
    shareTrackerName: usually(false),
    name: fc.constantFrom("example", "prod-1", "t2"),
    domain: fc.constantFrom("example.com", "tracker.example.org", "a.b.c.example.net"),
    caa: fc.boolean(),
    proxied: fc.boolean(),
    ipv6: usually(true),
    serverType: fc.constantFrom("ccx23", "cx33", "cpx22"),
    location: fc.constantFrom("nbg1", "nbg1", "hel1", "ash"),
    cidrs: fc.constantFrom(["0.0.0.0/0", "::/0"], ["203.0.113.0/24"], ["2001:db8::/32", "198.51.100.0/24"]),
    kind: fc.constantFrom("caddy", "nginx-certbot", "pingoo"),
    hsts: fc.boolean(),
    acme: fc.oneof(fc.constant({ email: "admin@example.com" }), fc.constant({ staging: true }), fc.constant({ directoryUrl: "https://ca.example.net/dir", caaIdentity: "example.net" })),
    private: usually(false),
    http: fc.array(fc.record({ port, viaProxy: usually(true) }), { maxLength: 2 }),
    udp: fc.uniqueArray(port, { maxLength: 3 }),
    apiPort: port,
    prometheus: usually(true),
    grafana: usually(true),
    live: fc.boolean(),
    hello: fc.option(message, { nil: undefined }),
  })
  .map((g) => {
    const [api, h1, h2, u1, u2, grafana, hello, shared] = g.names;
    const httpNames = [g.shareTrackerName ? shared : h1, h2];
    const udpNames = [g.shareTrackerName ? shared : u1, u2, "udp3"];
    return {
      name: g.name,
      domain: g.domain,
      cloudflare: { zoneId: "0123456789abcdef0123456789abcdef", caa: g.caa, proxiedSubdomains: g.proxied ? [grafana] : [] },
      hetzner: { ipv6: g.ipv6, serverType: g.serverType, location: g.location },
      admin: { sshKeys: [{ name: "admin", publicKey: KEY }], sshAllowedCidrs: g.cidrs },
      proxy: { kind: g.kind, hsts: g.hsts },
      acme: g.acme,
      tracker: {
        private: g.private,
        httpTrackers: g.http.map((t, i) => ({ subdomain: httpNames[i], port: t.port, viaProxy: t.viaProxy })),
        udpTrackers: g.udp.map((p, i) => ({ subdomain: udpNames[i], port: p })),
        api: { subdomain: api, port: g.apiPort },
      },
      prometheus: { enabled: g.prometheus },
      grafana: { enabled: g.grafana, subdomain: grafana, live: g.kind === "pingoo" ? false : g.live },
      ...(g.hello !== undefined ? { helloWorld: { subdomain: hello, message: g.hello } } : {}),
    };
  });

/** A mutation: a field replaced by a value of the wrong kind (or left alone). */
const mutation = fc.option(
  fc.tuple(
    fc.constantFrom(["name"], ["domain"], ["cloudflare", "zoneId"], ["hetzner", "serverType"], ["tracker", "api", "port"], ["tracker", "api", "subdomain"], ["admin", "sshKeys"], ["proxy", "kind"], ["grafana"], ["tracker", "udpTrackers"], ["helloWorld", "message"], ["acme", "directoryUrl"]),
    fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 20 }), fc.constant([]), fc.constant({}), fc.constant("x".repeat(300)), nasty),
  ),
  { nil: undefined, freq: 3 },
);

function setIn(obj: any, at: readonly string[], value: unknown): void {
  let cur = obj;
  for (const k of at.slice(0, -1)) cur = cur[k] ??= {};
  cur[at[at.length - 1]] = value;
}

/** The files of the user_data, decoded. */
function writeFiles(userData: string): { path: string; content: string }[] {
  const doc = YAML.parse(userData.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{"), { version: "1.1" } as never) as any;
  return (doc.write_files ?? []).map((f: any) => ({
    path: f.path,
    content:
      f.encoding === "b64"
        ? Buffer.from(f.content, "base64").toString("utf8")
        : f.encoding === "gz+b64"
          ? gunzipSync(Buffer.from(f.content, "base64")).toString("utf8")
          : f.content,
  }));
}

describe("generated deployment files (fast-check)", () => {
  it("are refused naming file and field, or synthesize to a stack that keeps the invariants", () => {
    const dir = tempDir("property-");
    let n = 0;
    const seen = { refused: 0, synthesized: 0 };
    fc.assert(
      fc.property(deploymentArb, mutation, (input, mutate) => {
        const d: any = structuredClone(input);
        if (mutate) setIn(d, mutate[0], mutate[1]);
        const file = path.join(dir, `d${n++}.yaml`);
        fs.writeFileSync(file, YAML.stringify(d));

        let loaded;
        try {
          loaded = loadDeploymentFile(file);
        } catch (e) {
          assert.ok(e instanceof DeploymentError, `not a DeploymentError: ${(e as Error).stack}`);
          const lines = e.message.split("\n").slice(1);
          assert.ok(lines.length > 0 && lines.every((l) => l.startsWith(`  - ${file}: `)), e.message);
          assert.ok(lines.every((l) => /^ {2}- \S+: (\(file\)|[A-Za-z$][\w$]*(\.[\w$]+|\[\d+\])*( [a-z]\w*)?): /.test(l)), e.message);
          seen.refused++;
          return;
        }

        let tracker: TrackerDeployment;
        let json: any;
        try {
          const stack = new TerraformStack(testApp(), "stack");
          tracker = new TrackerDeployment(stack, "Tracker", { deployment: loaded.deployment, source: file });
          json = JSON.parse(Testing.synth(stack));
        } catch (e) {
          // The construct may still refuse (e.g. user_data size), but only as a DeploymentError.
          assert.ok(e instanceof DeploymentError, `construct threw a non-DeploymentError for an accepted file: ${(e as Error).stack}`);
          assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
          seen.refused++;
          return;
        }
        seen.synthesized++;
        const plan = tracker.plan;

        // Every hostname has its records: A, AAAA when planned, TXT on tracker names, CAA when on.
        const records = Object.values(json.resource.cloudflare_dns_record) as any[];
        for (const name of plan.dns) {
          const of = (type: string) => records.filter((r) => r.name === name.hostname && r.type === type);
          assert.equal(of("A").length, 1, `${name.hostname} A`);
          assert.equal(of("AAAA").length, name.aaaa ? 1 : 0, `${name.hostname} AAAA`);
          assert.equal(of("TXT").length, name.bep34 ? 1 : 0, `${name.hostname} TXT`);
          assert.equal(of("CAA").filter((r) => r.data.tag === "issue").length, name.caa ? 1 : 0, `${name.hostname} CAA`);
        }
        assert.deepEqual(
          new Set(records.map((r) => r.name)),
          new Set(plan.dns.map((x) => x.hostname)),
          "no record for a name the plan does not have",
        );

        // Every exposed port is in the firewall, and nothing else (SSH and ICMP aside).
        const rules = (Object.values(json.resource.hcloud_firewall)[0] as any).rule as any[];
        const open = new Set(rules.filter((r) => r.protocol !== "icmp" && r.description !== "ssh").map((r) => `${r.protocol}/${r.port}`));
        const exposed = new Set([
          ...plan.services.filter((s) => s.exposure === "udp" || s.exposure === "direct-tcp").map((s) => `${s.protocol}/${s.port}`),
          ...tracker.proxy.hostPorts.filter((p) => p.public).map((p) => `${p.protocol}/${p.port}`),
        ]);
        assert.deepEqual(open, exposed);
        assert.ok(rules.length <= 50);

        // user_data: within the limit, only the volume id interpolated.
        const server = Object.values(json.resource.hcloud_server)[0] as any;
        const userData: string = server.user_data;
        assert.ok(Buffer.byteLength(userData) <= USER_DATA_LIMIT_BYTES, `${Buffer.byteLength(userData)} bytes`);
        const interpolations = userData.match(/(?<!\$)\$\{[^}]*\}/g) ?? [];
        assert.ok(interpolations.every((i) => /^\$\{hcloud_volume\.[A-Za-z0-9_]+\.id\}$/.test(i)), String(interpolations));
        assert.ok(!/(?<!%)%\{/.test(userData));

        // No user text outside its file: the hello message is only in the hello page.
        const withoutUserData = JSON.stringify({ ...json, resource: { ...json.resource, hcloud_server: {} } });
        assert.ok(!withoutUserData.includes(MARK), "user text in a Terraform attribute");
        const doc = YAML.parse(userData, { version: "1.1" } as never) as any;
        for (const f of doc.write_files ?? []) delete f.content;
        assert.ok(!JSON.stringify(doc).includes(MARK), "user text in the cloud-config outside a file's content");
        for (const f of writeFiles(userData)) {
          if (f.content.includes(MARK)) assert.match(f.path, /\/index\.html$/, `user text in ${f.path}`);
        }
      }),
      { numRuns: 150, interruptAfterTimeLimit: 50_000, seed: Number(process.env.FC_SEED ?? 20261130), endOnFailure: true },
    );
    // The generators reach both outcomes (else the property says nothing).
    assert.ok(seen.refused > 10 && seen.synthesized > 10, JSON.stringify(seen));
  });
});
