// Runs the generated bootstrap script for real: Debian's nginx, openssl and curl, a stand-in
// certbot (logs its arguments, fails on demand, then writes a self-signed certificate where
// certbot would), inside `unshare --mount --net` with a copy of /etc and temp dirs on
// /opt/torrust, /var/www, /run and /var/log/nginx. The ACME flow against Pebble is the rehearsal's job.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { NGINX_CERTBOT_PATHS as P, nginxCertbotPlugin } from "../../constructs/proxies";
import { edgeContext } from "./fixtures";
import { assertSuccess, run, tempDir } from "./tools";

const FAKE_CERTBOT = `#!/bin/bash
# Stand-in for certbot: logs its arguments; fails the first $FAKE_CERTBOT_FAILURES calls; then
# writes a self-signed certificate for the -d names in certbot's layout (live/ links into archive/).
set -euo pipefail
echo "$*" >>"$SANDBOX/certbot.log"
if [ "$(wc -l <"$SANDBOX/certbot.log")" -le "\${FAKE_CERTBOT_FAILURES:-0}" ]; then
  echo "fake certbot: Some challenges have failed." >&2
  exit 1
fi
names=() name=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d) names+=("DNS:$2"); shift ;;
    --cert-name) name=$2; shift ;;
  esac
  shift
done
archive=/etc/letsencrypt/archive/$name live=/etc/letsencrypt/live/$name
mkdir -p "$archive" "$live"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=\${names[0]#DNS:}" \\
  -addext "subjectAltName=$(IFS=,; echo "\${names[*]}")" -keyout "$archive/privkey1.pem" -out "$archive/fullchain1.pem" 2>/dev/null
ln -sfn "../../archive/$name/fullchain1.pem" "$live/fullchain.pem"
ln -sfn "../../archive/$name/privkey1.pem" "$live/privkey.pem"
`;

/**
 * Stand-in for systemctl (there is no systemd in the sandbox): logs its arguments and does what
 * Debian's nginx.service does for reload-or-restart (ExecReload: nginx -s reload; ExecStart: nginx).
 * A reload is asynchronous for real (ExecReload only sends SIGHUP; the master loads the config
 * later, late on a busy server); the stand-in returns a second before it even sends the signal, so
 * a bootstrap that does not wait for the reload to take effect fails here every time, not 1 run in N.
 */
const FAKE_SYSTEMCTL = `#!/bin/bash
set -euo pipefail
echo "$*" >>"$SANDBOX/systemctl.log"
[ "$*" = "reload-or-restart nginx.service" ] || { echo "fake systemctl: unsupported: $*" >&2; exit 1; }
if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
  (sleep 1; nginx -s reload) >>"$SANDBOX/reload.log" 2>&1 &
else
  nginx
fi
`;

/** Loopback upstreams: echo the request headers as JSON; answer WebSocket upgrades with 101. */
const ECHO_SERVER = `
const http = require("node:http");
for (const port of process.argv.slice(2).map(Number)) {
  const server = http.createServer((req, res) => res.end(JSON.stringify(req.headers)));
  server.on("upgrade", (req, socket) => socket.end("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n"));
  server.listen(port, "127.0.0.1");
}`;

interface SandboxResult {
  readonly output: string;
  readonly certbotCalls: string[];
  readonly root: string;
}

const roots: string[] = [];
after(() => {
  for (const root of roots) {
    for (const file of ["nginx.pid", "echo.pid"]) {
      const pidFile = path.join(root, file);
      if (!fs.existsSync(pidFile)) continue;
      const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already stopped
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
});

/**
 * Runs the bootstrap twice in one sandbox, probing nginx with curl after the first run.
 * `letsencryptMount`: /etc/letsencrypt is a bind mount (the rehearsal's layout) instead of a directory.
 */
function sandbox(options: { failures: number; letsencryptMount: boolean }): SandboxResult {
  if (process.getuid?.() !== 0) assert.fail("the bootstrap test needs root (unshare --mount --net, bind mounts)");
  const ctx = edgeContext("nginx-certbot");
  const rendering = nginxCertbotPlugin.render(ctx);
  const root = tempDir("nginx-bootstrap");
  roots.push(root);
  assertSuccess(run("cp", ["-a", "/etc/.", path.join(root, "etc")], "coreutils"), "copy /etc");
  fs.rmSync(path.join(root, "etc/letsencrypt"), { recursive: true, force: true });
  fs.writeFileSync(path.join(root, "etc/hosts"), `127.0.0.1 localhost ${ctx.sites.map((s) => s.hostname).join(" ")}\n`);
  for (const dir of ["opt/torrust", "var/www", "log", "le", "fakebin"]) fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o755 });
  for (const f of rendering.files) {
    const target = path.join(root, f.path);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.writeFileSync(target, f.content, { mode: parseInt(f.permissions ?? "0644", 8) });
  }
  fs.writeFileSync(path.join(root, "fakebin/certbot"), FAKE_CERTBOT, { mode: 0o755 });
  fs.writeFileSync(path.join(root, "fakebin/systemctl"), FAKE_SYSTEMCTL, { mode: 0o755 });
  fs.writeFileSync(path.join(root, "echo.js"), ECHO_SERVER);
  const probe = (label: string, curlArgs: string) => `echo "${label}=$( (curl -s --max-time 3 ${curlArgs} || true) | tr -d '\\n')"`;
  const script = [
    "set -euo pipefail",
    `R=${root}`,
    "ip link set lo up",
    "mount --bind $R/etc /etc",
    ...(options.letsencryptMount ? ["mkdir -p /etc/letsencrypt", "cp -a $R/etc/letsencrypt/. $R/le/ 2>/dev/null || true", "mount --bind $R/le /etc/letsencrypt"] : []),
    "mount -t tmpfs tmpfs /run",
    "mount -t tmpfs tmpfs /opt && mkdir -p /opt/torrust && mount --bind $R/opt/torrust /opt/torrust",
    "mount --bind $R/var/www /var/www",
    "mount --bind $R/log /var/log/nginx",
    `node $R/echo.js ${[1212, 7070, 3000].join(" ")} & echo $! >$R/echo.pid`,
    "for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:3000/ && break; sleep 0.1; done",
    `export SANDBOX=$R PATH=$R/fakebin:$PATH FAKE_CERTBOT_FAILURES=${options.failures} NGINX_CERTBOT_RETRY_SECONDS=0`,
    "echo '--- run 1'",
    P.bootstrap,
    "cp /run/nginx.pid $R/nginx.pid",
    probe("http_status", "-o /dev/null -w '%{http_code}' http://api.example.com/some/path"),
    probe("hello", "-k https://test.example.com/"),
    probe("tracker_headers", "-k -H 'X-Forwarded-For: 203.0.113.7' https://http1.example.com/announce"),
    probe("websocket_status", "-k --http1.1 -o /dev/null -w '%{http_code}' -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' https://grafana.example.com/api/live/ws"),
    probe("tls12", "-k --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' https://api.example.com/"),
    probe("tls11", "-k --tlsv1.1 --tls-max 1.1 -o /dev/null -w '%{http_code}' https://api.example.com/"),
    "echo '--- run 2'",
    P.bootstrap,
    "nginx -s quit",
    "kill $(cat $R/echo.pid)",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(root, "sandbox.sh"), script);
  const result = run("unshare", ["--mount", "--net", "--propagation", "private", "bash", path.join(root, "sandbox.sh")], "util-linux", { timeoutMs: 120_000 });
  assertSuccess(result, "bootstrap sandbox");
  const log = path.join(root, "certbot.log");
  return { output: result.stdout, certbotCalls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [], root };
}

function probe(output: string, label: string): string {
  const m = new RegExp(`^${label}=(.*)$`, "m").exec(output);
  assert.ok(m, `no ${label} line in:\n${output}`);
  return m[1];
}

describe("nginx + certbot bootstrap script", () => {
  it("retries certbot until it succeeds, then serves HTTPS; a second run skips certbot", () => {
    const { output, certbotCalls, root } = sandbox({ failures: 2, letsencryptMount: false });
    const [run1, run2] = output.split("--- run 2");

    assert.equal(certbotCalls.length, 3, `certbot calls:\n${certbotCalls.join("\n")}`);
    assert.match(run1, /attempt 3: certificate torrust/);
    assert.match(run1, /certificate obtained/);
    // Each name reaches this nginx from the first self-check on: a miss here means the bootstrap
    // went on while workers of the previous configuration still accepted connections.
    assert.doesNotMatch(run1, /does not reach this server yet/);
    assert.match(certbotCalls[0], /^certonly --webroot -w \/var\/www\/certbot --cert-name torrust /);
    assert.match(certbotCalls[0], /-d test\.example\.com -d api\.example\.com -d http1\.example\.com -d grafana\.example\.com$/);
    assert.match(run2, /the certificate already names every hostname: certbot skipped/);
    assert.match(run2, /nginx reloaded/);
    // nginx is only ever started or reloaded through its unit.
    const systemctl = fs.readFileSync(path.join(root, "systemctl.log"), "utf8").trim().split("\n");
    assert.ok(systemctl.length >= 2 && systemctl.every((l) => l === "reload-or-restart nginx.service"), systemctl.join("\n"));

    // The certificate, the account and the deploy hook live on the volume; /etc/letsencrypt links there.
    const state = path.join(root, "opt/torrust/storage/proxy/nginx-certbot/letsencrypt");
    assert.equal(fs.readlinkSync(path.join(root, "etc/letsencrypt")), "/opt/torrust/storage/proxy/nginx-certbot/letsencrypt");
    assert.ok(fs.existsSync(path.join(state, "live/torrust/fullchain.pem")));
    assert.ok(fs.existsSync(path.join(state, "renewal-hooks/deploy/torrust-nginx-reload")));
    assert.ok(!fs.existsSync(path.join(root, "etc/nginx/sites-enabled/default")), "the distribution's default site stays enabled");

    // nginx with the generated config, as a client sees it.
    assert.equal(probe(run1, "http_status"), "301");
    assert.match(probe(run1, "hello"), /<h1>Hello, world!/);
    const headers = JSON.parse(probe(run1, "tracker_headers")) as Record<string, string>;
    assert.equal(headers["x-forwarded-for"], "203.0.113.7, 127.0.0.1", "the tracker reads the right-most entry");
    assert.equal(headers.host, "http1.example.com");
    assert.equal(headers["x-forwarded-proto"], "https");
    assert.equal(probe(run1, "websocket_status"), "101");
    assert.equal(probe(run1, "tls12"), "200");
    assert.notEqual(probe(run1, "tls11"), "200", "TLS 1.1 must be refused");
  });

  it("uses /etc/letsencrypt as it is when it is a mount point (the rehearsal's layout)", () => {
    const { output, certbotCalls, root } = sandbox({ failures: 0, letsencryptMount: true });
    assert.match(output, /\/etc\/letsencrypt is a mount point: using it as it is/);
    assert.equal(certbotCalls.length, 1);
    assert.ok(fs.existsSync(path.join(root, "le/live/torrust/fullchain.pem")));
    assert.match(probe(output, "hello"), /<h1>Hello, world!/);
  });
});
