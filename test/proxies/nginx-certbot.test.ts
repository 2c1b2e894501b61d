import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { EdgeContext } from "../../constructs/edge";
import { NGINX_CERTBOT_PATHS as P, nginxCertbotPlugin } from "../../constructs/proxies";
import { deployment, edgeContext, pebbleDeployment, PEBBLE_DIRECTORY } from "./fixtures";
import { assertGolden, assertSuccess, fileAt, run, selfSignedCert, tempDir, testCaPem } from "./tools";

/**
 * Runs Debian's `nginx -t` on both generated site files inside a minimal wrapper, with throw-away
 * certificates at the referenced paths (/etc/letsencrypt/ is redirected into the temp dir).
 */
function nginxTest(ctx: EdgeContext, sites: readonly string[] = [P.httpSite, P.tlsSite], edit: (conf: string) => string = (c) => c) {
  const dir = tempDir("nginx-t");
  try {
    const rendering = nginxCertbotPlugin.render(ctx);
    const le = path.join(dir, "letsencrypt");
    selfSignedCert(path.join(le, "live/torrust/fullchain.pem"), path.join(le, "live/torrust/privkey.pem"), ctx.sites.map((s) => s.hostname));
    const includes = sites.map((site) => {
      const file = path.join(dir, path.basename(site));
      fs.writeFileSync(file, edit(fileAt(rendering, site).split(`${P.letsencrypt}/`).join(`${le}/`)));
      return `    include ${file};`;
    });
    const wrapper = [
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log;`,
      "events {}",
      "http {",
      `    access_log ${dir}/access.log;`,
      // What Debian's stock nginx.conf sets in http {}: our server blocks must override it.
      "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;",
      ...includes,
      "}",
      "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "nginx.conf"), wrapper);
    return run("nginx", ["-t", "-p", dir, "-c", path.join(dir, "nginx.conf")], "nginx");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** nginx -t passed with no warning (a warning often hides a directive that does not do what it says). */
function assertNginxOk(result: ReturnType<typeof nginxTest>, what: string): void {
  assertSuccess(result, what);
  assert.doesNotMatch(result.stderr, /\[warn\]/, `${what} warned:\n${result.stderr}`);
}

describe("nginx + certbot plug-in", () => {
  it("renders the example deployment as in the golden files", () => {
    assertGolden("nginx-certbot", nginxCertbotPlugin.render(edgeContext("nginx-certbot")));
  });

  it("passes Debian's nginx -t: phase 1 alone, and both phases (production, Pebble without IPv6)", () => {
    assertNginxOk(nginxTest(edgeContext("nginx-certbot"), [P.httpSite]), "nginx -t (phase 1)");
    assertNginxOk(nginxTest(edgeContext("nginx-certbot")), "nginx -t (phase 2)");
    const pebble = edgeContext("nginx-certbot", { deployment: pebbleDeployment(), acmeCaRootPem: testCaPem() });
    assertNginxOk(nginxTest(pebble), "nginx -t (Pebble)");
    assertNginxOk(nginxTest(edgeContext("nginx-certbot", { deployment: deployment({ helloWorld: undefined, proxy: { hsts: false } }) })), "nginx -t (no hello, no HSTS)");
  });

  it("is checked by a validator that rejects a broken config", () => {
    const result = nginxTest(edgeContext("nginx-certbot"), undefined, (c) => c.replace("proxy_http_version", "proxy_http_verzion"));
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /proxy_http_verzion/);
  });

  it("phase 1 serves the ACME webroot and redirects everything else with 301, on IPv4 and IPv6", () => {
    const http = fileAt(nginxCertbotPlugin.render(edgeContext("nginx-certbot")), P.httpSite);
    assert.match(http, /listen 80;\n\s+listen \[::\]:80;/);
    assert.match(http, /server_name test\.example\.com api\.example\.com http1\.example\.com grafana\.example\.com;/);
    assert.match(http, /location \/\.well-known\/acme-challenge\/ \{\n\s+root \/var\/www\/certbot;/);
    assert.match(http, /return 301 https:\/\/\$host\$request_uri;/);
    assert.doesNotMatch(http, /ssl|443/);
  });

  it("phase 2 has one TLS server per hostname with the forwarded headers, WebSocket map, keep-alive and HSTS", () => {
    const tls = fileAt(nginxCertbotPlugin.render(edgeContext("nginx-certbot")), P.tlsSite);
    const servers = tls.split(/^server \{$/m).slice(1);
    assert.equal(servers.length, 4);
    for (const s of servers) {
      assert.match(s, /listen 443 ssl http2;\n\s+listen \[::\]:443 ssl http2;/);
      assert.match(s, /ssl_certificate \/etc\/letsencrypt\/live\/torrust\/fullchain\.pem;/);
      assert.match(s, /ssl_protocols TLSv1\.2 TLSv1\.3;/);
      assert.match(s, /add_header Strict-Transport-Security max-age=31536000 always;/);
      assert.match(s, /location \/\.well-known\/acme-challenge\//);
    }
    const api = servers.find((s) => s.includes("server_name api.example.com;"))!;
    for (const line of [
      "proxy_pass http://torrust_api;",
      "proxy_http_version 1.1;",
      "proxy_set_header Host $host;",
      "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      "proxy_set_header X-Forwarded-Proto $scheme;",
      "proxy_set_header Upgrade $http_upgrade;",
      "proxy_set_header Connection $torrust_connection_upgrade;",
    ]) {
      assert.ok(api.includes(line), `api server lacks ${line}`);
    }
    assert.match(tls, /map \$http_upgrade \$torrust_connection_upgrade \{\n\s+default upgrade;\n\s+"" "";\n\}/);
    assert.match(tls, /upstream torrust_grafana \{\n\s+server 127\.0\.0\.1:3000;\n\s+keepalive 16;\n\}/);
    assert.match(servers[0], /root \/var\/www\/torrust-hello;/);
  });

  it("item 7: logs no request on the API site, whose URLs carry ?token= (nor on the HTTP trackers)", () => {
    const tls = fileAt(nginxCertbotPlugin.render(edgeContext("nginx-certbot")), P.tlsSite);
    const blocks = tls.split(/^server \{$/m).slice(1);
    const block = (host: string) => blocks.find((b) => new RegExp(`server_name ${host.replace(/\./g, "\\.")};`).test(b));
    assert.match(block("api.example.com") ?? "", /^\s*access_log off;$/m);
    assert.match(block("http1.example.com") ?? "", /^\s*access_log off;$/m);
  });

  it("listens on IPv4 only when the server has no IPv6", () => {
    const rendering = nginxCertbotPlugin.render(edgeContext("nginx-certbot", { deployment: pebbleDeployment() }));
    assert.doesNotMatch(fileAt(rendering, P.httpSite) + fileAt(rendering, P.tlsSite), /\[::\]/);
  });

  it("gets one certificate for every hostname with --server always, email or none", () => {
    const script = fileAt(nginxCertbotPlugin.render(edgeContext("nginx-certbot")), P.bootstrap);
    assert.match(script, /^readonly DOMAINS=\(test\.example\.com api\.example\.com http1\.example\.com grafana\.example\.com\)$/m);
    assert.match(script, /certonly --webroot -w "\$WEBROOT" --cert-name "\$CERT_NAME"/);
    assert.match(script, /--non-interactive --agree-tos/);
    assert.match(script, /-m admin@example\.com --no-eff-email/);
    assert.match(script, /--server https:\/\/acme-v02\.api\.letsencrypt\.org\/directory/);
    assert.doesNotMatch(script, /REQUESTS_CA_BUNDLE/);

    const pebble = nginxCertbotPlugin.render(edgeContext("nginx-certbot", { deployment: pebbleDeployment(), acmeCaRootPem: testCaPem() }));
    const pebbleScript = fileAt(pebble, P.bootstrap);
    assert.match(pebbleScript, /--register-unsafely-without-email/);
    assert.match(pebbleScript, new RegExp(`--server ${PEBBLE_DIRECTORY}`));
    assert.match(pebbleScript, /^export REQUESTS_CA_BUNDLE=\/opt\/torrust\/proxy\/acme-ca-root\.pem$/m);
    assert.match(fileAt(pebble, P.renew), /^export REQUESTS_CA_BUNDLE=\/opt\/torrust\/proxy\/acme-ca-root\.pem$/m);
    assert.match(fileAt(pebble, P.certbotDropIn), /^\[Service\]\nEnvironment=REQUESTS_CA_BUNDLE=\/opt\/torrust\/proxy\/acme-ca-root\.pem$/m);
    assert.ok(!pebble.files.some((f) => f.path === "/opt/torrust/proxy/acme-ca-root.pem"), "the cloud-config writes the CA root");
  });

  it("keeps the certificates on the volume and renews them with certbot.timer, a deploy hook and a direct command", () => {
    const ctx = edgeContext("nginx-certbot");
    const rendering = nginxCertbotPlugin.render(ctx);
    const script = fileAt(rendering, P.bootstrap);
    assert.match(script, /^readonly STATE_DIR=\/opt\/torrust\/storage\/proxy\/nginx-certbot\/letsencrypt$/m);
    assert.match(script, /ln -sfn "\$STATE_DIR" \/etc\/letsencrypt/);
    assert.match(fileAt(rendering, P.renew), /exec certbot renew --cert-name torrust --non-interactive --no-random-sleep-on-renew --server \S+ "\$@"/);
    assert.match(fileAt(rendering, P.deployHook), /nginx -t -q\n.*\nsystemctl reload-or-restart nginx\.service\n/);
    assert.match(fileAt(rendering, P.bootstrapUnit), /ExecStart=\/opt\/torrust\/bin\/nginx-certbot-bootstrap/);
    const modes = Object.fromEntries(rendering.files.map((f) => [f.path, f.permissions]));
    for (const p of [P.bootstrap, P.renew, P.deployHook]) assert.equal(modes[p], "0755");
    assert.deepEqual(rendering.packages, ["nginx", "certbot"]);
    assert.deepEqual(nginxCertbotPlugin.hostPorts.map((p) => `${p.port}/${p.protocol}`), ["80/tcp", "443/tcp"]);
    assert.deepEqual(rendering.composeServices, {});
    assert.deepEqual(rendering.bootstrap, [
      "systemctl daemon-reload",
      "systemctl enable torrust-nginx-certbot-bootstrap.service",
      "systemctl start --no-block torrust-nginx-certbot-bootstrap.service",
    ]);
  });

  it("writes shell scripts that bash and sh parse", () => {
    const rendering = nginxCertbotPlugin.render(edgeContext("nginx-certbot", { deployment: pebbleDeployment(), acmeCaRootPem: testCaPem() }));
    for (const p of [P.bootstrap, P.renew]) assertSuccess(run("bash", ["-n"], "bash", { input: fileAt(rendering, p) }), `bash -n ${p}`);
    assertSuccess(run("sh", ["-n"], "dash", { input: fileAt(rendering, P.deployHook) }), `sh -n ${P.deployHook}`);
  });

  it("starts every generated file with a provenance header", () => {
    for (const f of nginxCertbotPlugin.render(edgeContext("nginx-certbot")).files) {
      if (f.path.endsWith(".html")) continue;
      assert.match(f.content.split("\n").slice(0, 2).join("\n"), /# Generated by constructs\/proxies\/nginx-certbot/, f.path);
    }
  });
});
