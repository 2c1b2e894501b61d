import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { formatIssue } from "../../constructs/deployment/errors";
import { PROXY_KINDS, type ProxyKind } from "../../constructs/deployment/schema";
import { checkEdge, HELLO_UPSTREAM_PORT, type EdgeContext } from "../../constructs/edge";
import { PROXIES, proxyPlugin } from "../../constructs/proxies";
import { deployment, edgeContext } from "./fixtures";

const others = Object.values(PROXIES);

describe("PROXIES", () => {
  it("has one plug-in per proxy kind of the deployment schema, under its own kind", () => {
    assert.deepEqual(Object.keys(PROXIES).sort(), [...PROXY_KINDS].sort());
    for (const kind of PROXY_KINDS) {
      assert.equal(PROXIES[kind].kind, kind);
      assert.equal(proxyPlugin(kind), PROXIES[kind]);
    }
    assert.throws(() => proxyPlugin("traefik" as ProxyKind), {
      message: 'unknown proxy kind "traefik": expected one of caddy, nginx-certbot, pingoo',
    });
  });

  it("declares the capabilities the design decided", () => {
    const table = Object.fromEntries(Object.values(PROXIES).map((p) => [p.kind, p.capabilities]));
    assert.deepEqual(table, {
      caddy: {
        websocket: true, httpToHttpsRedirect: true, acmeChallenges: ["http-01", "tls-alpn-01"], tlsVersions: ["1.2", "1.3"],
        ipv6Listeners: true, acmeContactEmail: true, postQuantumKeyExchange: true, clientIpInXForwardedFor: true,
        hstsHeader: true, lenientClientRequests: true, staticFiles: true, offlineValidator: "caddy validate --adapter caddyfile",
      },
      "nginx-certbot": {
        websocket: true, httpToHttpsRedirect: true, acmeChallenges: ["http-01"], tlsVersions: ["1.2", "1.3"],
        ipv6Listeners: true, acmeContactEmail: true, postQuantumKeyExchange: false, clientIpInXForwardedFor: true,
        hstsHeader: true, lenientClientRequests: true, staticFiles: true, offlineValidator: "nginx -t",
      },
      pingoo: {
        websocket: false, httpToHttpsRedirect: false, acmeChallenges: ["tls-alpn-01"], tlsVersions: ["1.3"],
        ipv6Listeners: false, acmeContactEmail: false, postQuantumKeyExchange: true, clientIpInXForwardedFor: true,
        hstsHeader: false, lenientClientRequests: false, staticFiles: true,
      },
    });
  });

  it("matches the capability table of constructs/proxies/README.md", () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../constructs/proxies/README.md"), "utf8");
    const short = (v: unknown) =>
      typeof v === "boolean" ? (v ? "yes" : "no") : Array.isArray(v) ? v.join(", ") : v === undefined ? "none" : String(v).split(" --")[0];
    for (const key of Object.keys(PROXIES.caddy.capabilities)) {
      const row = new RegExp(`^\\| ${key} \\|(.*)\\|$`, "m").exec(readme);
      assert.ok(row, `README has no row for ${key}`);
      const cells = row[1].split("|").map((c) => c.trim());
      const expected = ["caddy", "nginx-certbot", "pingoo"].map((k) => short(PROXIES[k as ProxyKind].capabilities[key as "websocket"]));
      assert.deepEqual(cells, expected, `README row ${key}`);
    }
  });

  it("explains every missing capability in a note", () => {
    for (const p of Object.values(PROXIES)) {
      for (const [key, value] of Object.entries(p.capabilities)) {
        if (value === false || value === undefined) assert.ok(p.notes?.[key as keyof typeof p.notes], `${p.kind}: no note for ${key}`);
      }
    }
  });
});

describe("checkEdge with the plug-ins", () => {
  it("refuses Pingoo with Grafana Live, naming the Upgrade header issue and the alternatives", () => {
    const d = deployment({ proxy: { kind: "pingoo" } });
    const { errors } = checkEdge(d, edgeContext("pingoo", { deployment: d }), PROXIES.pingoo, others);
    assert.equal(errors.length, 1);
    assert.equal(
      formatIssue(errors[0]),
      'proxy.kind: Pingoo 0.14.7 cannot serve grafana.example.com with grafana.live: true: Grafana Live needs a WebSocket at /api/live/ws ' +
        "and Pingoo 0.14.7 strips the Upgrade header from proxied requests (pingooio/pingoo#23; the fix, PR #26, is unreleased). " +
        'Fix: use proxy.kind "caddy" or "nginx-certbot", or set grafana.live: false (got "pingoo"; allowed: "caddy", "nginx-certbot")',
    );
  });

  it("warns about Pingoo's missing redirect, IPv6 listener, contact email and TLS 1.2", () => {
    const d = deployment({ proxy: { kind: "pingoo" }, grafana: { live: false } });
    const { errors, warnings } = checkEdge(d, edgeContext("pingoo", { deployment: d }), PROXIES.pingoo, others);
    assert.deepEqual(errors, []);
    const text = warnings.join("\n");
    assert.match(text, /Pingoo 0\.14\.7 has no HTTP→HTTPS redirect \(pingooio\/pingoo#20 is open\)/);
    assert.match(text, /cannot listen on IPv6 \(listener addresses must be IP literals and \[::\] does not parse\)/);
    assert.match(text, /Pingoo 0\.14\.7 has no ACME contact email/);
    assert.match(text, /Pingoo 0\.14\.7 offers TLS 1\.3 only/);
    assert.match(text, /dashboards refresh by polling because Pingoo 0\.14\.7 strips the Upgrade header/);
  });

  it("refuses a Cloudflare-proxied hostname for Pingoo (TLS-ALPN-01) and only warns for Caddy and nginx", () => {
    const input = { cloudflare: { zoneId: "0123456789abcdef0123456789abcdef", proxiedSubdomains: ["test"] }, grafana: { live: false } };
    const pingoo = deployment({ ...input, proxy: { kind: "pingoo" } });
    assert.match(checkEdge(pingoo, edgeContext("pingoo", { deployment: pingoo }), PROXIES.pingoo, others).errors[0].message, /TLS-ALPN-01/);
    for (const kind of ["caddy", "nginx-certbot"] as const) {
      const d = deployment({ ...input, proxy: { kind } });
      const check = checkEdge(d, edgeContext(kind, { deployment: d }), PROXIES[kind], others);
      assert.deepEqual(check.errors, []);
      assert.equal(check.warnings.length, 1);
      assert.match(check.warnings[0], /test\.example\.com is proxied by Cloudflare/);
    }
  });

  it("accepts the example deployment with Caddy and nginx, without warnings", () => {
    for (const kind of ["caddy", "nginx-certbot"] as const) {
      const d = deployment({ proxy: { kind } });
      assert.deepEqual(checkEdge(d, edgeContext(kind, { deployment: d }), PROXIES[kind], others), { errors: [], warnings: [] });
    }
  });
});

describe("every plug-in", () => {
  for (const plugin of Object.values(PROXIES)) {
    it(`${plugin.kind}: proxies the hello page to 127.0.0.1:${HELLO_UPSTREAM_PORT} when the context has an upstream for it`, () => {
      const ctx = edgeContext(plugin.kind as ProxyKind);
      const withUpstream: EdgeContext = {
        ...ctx,
        helloPage: undefined,
        sites: ctx.sites.map((s) => (s.role === "hello" ? { ...s, upstream: { host: "127.0.0.1", port: HELLO_UPSTREAM_PORT } } : s)),
      };
      const rendering = plugin.render(withUpstream);
      const config = rendering.files.filter((f) => rendering.configPaths.includes(f.path)).map((f) => f.content).join("\n");
      assert.match(config, new RegExp(`127\\.0\\.0\\.1:${HELLO_UPSTREAM_PORT}`));
      assert.ok(!rendering.files.some((f) => f.path.endsWith("index.html")));
    });

    it(`${plugin.kind}: fails clearly when a site has neither upstream nor hello page`, () => {
      const ctx = edgeContext(plugin.kind as ProxyKind);
      assert.throws(() => plugin.render({ ...ctx, helloPage: undefined }), {
        message: "site test.example.com has no upstream and the edge context has no hello page to serve",
      });
    });

    it(`${plugin.kind}: starts every generated file but the HTML page with a provenance header and renders deterministically`, () => {
      const rendering = plugin.render(edgeContext(plugin.kind as ProxyKind));
      for (const f of rendering.files) {
        if (f.path.endsWith(".html")) continue;
        const head = f.content.split("\n").slice(0, 2).join("\n");
        assert.match(head, new RegExp(`# Generated by constructs/proxies/${plugin.kind}`), f.path);
        assert.doesNotMatch(f.content, /\b20\d\d-\d\d-\d\d/, `${f.path} holds a date`);
      }
      assert.deepEqual(plugin.render(edgeContext(plugin.kind as ProxyKind)), rendering);
    });
  }
});
