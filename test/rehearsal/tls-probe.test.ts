// The TLS probe against the real servers: production's Caddy 2.10.2 (built by scripts/tools.sh),
// Debian's Caddy 2.6.2 and Debian's nginx with OpenSSL 3.0, each serving a throw-away certificate
// on a loopback port with its default key-exchange settings (the generated configs set none; the
// rehearsal measures those). The expected groups come from the programs' sources, so a probe that
// always accepted or always refused, or a Caddy that changed its defaults, fails here.
import * as assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { builtTool, tlsProbe } from "../../rehearsal/programs";
import { measurement, runTlsProbe, type TlsMeasurement } from "../../rehearsal/tls-facts";
import { tempDir } from "../helpers/tmp";

const dir = tempDir("tls-probe-");
fs.chmodSync(dir, 0o755);
const HOST = "probe.test";
const cert = path.join(dir, "cert.pem");
const key = path.join(dir, "key.pem");
const made = spawnSync("openssl", [
  "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
  "-subj", `/CN=${HOST}`, "-addext", `subjectAltName=DNS:${HOST}`, "-keyout", key, "-out", cert,
], { encoding: "utf8" });
assert.equal(made.status, 0, `openssl req: ${made.stderr}`);
fs.chmodSync(key, 0o644); // nginx reads it as root; the folder is removed at exit

const started: ChildProcess[] = [];
after(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, "SIGTERM");
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function listening(port: number, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) assert.fail(`server exited ${child.exitCode}: ${fs.readFileSync(log, "utf8").slice(-800)}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => (s.destroy(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`nothing listens on ${port}: ${fs.readFileSync(log, "utf8").slice(-800)}`);
}

function launch(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; log: string } {
  const log = path.join(dir, `${name}.log`);
  const fd = fs.openSync(log, "a");
  const child = spawn(command, args, { stdio: ["ignore", fd, fd], env });
  fs.closeSync(fd);
  started.push(child);
  return { child, log };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** Caddy serving the throw-away certificate on a loopback port, measured, stopped. */
async function measureCaddy(binary: string, label: string): Promise<TlsMeasurement> {
  const port = await freePort();
  const home = path.join(dir, label);
  fs.mkdirSync(home, { recursive: true });
  const caddyfile = path.join(home, "Caddyfile");
  fs.writeFileSync(caddyfile, `{\n\tadmin off\n\tstorage file_system ${home}/storage\n}\n\nhttps://${HOST}:${port} {\n\ttls ${cert} ${key}\n\trespond "ok"\n}\n`);
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: `${home}/config`, XDG_DATA_HOME: `${home}/data` };
  const { child, log } = launch(label, binary, ["run", "--config", caddyfile, "--adapter", "caddyfile"], env);
  try {
    await listening(port, child, log);
    return await measure(port, label);
  } finally {
    await stop(child);
  }
}

async function measure(port: number, label: string): Promise<TlsMeasurement> {
  const probe = tlsProbe();
  const r = await runTlsProbe(probe.path, { hostname: HOST, address: "127.0.0.1", port }, cert);
  return measurement(r, { proxy: label.startsWith("nginx") ? "nginx-certbot" : "caddy", program: label, version: "?", client: probe.client, hostname: HOST });
}

describe("TLS versions and key-exchange groups, by real handshakes (rehearsal/tls-probe)", () => {
  it("Caddy 2.10.2 (production's version, built) offers X25519MLKEM768 first, then X25519 and P-256", { timeout: 60_000 }, async () => {
    const bin = builtTool("caddy");
    assert.ok(bin, "Caddy 2.10.2 is not built: bash scripts/tools.sh caddy (the test command builds it)");
    const m = await measureCaddy(bin, "caddy-2.10.2");
    // caddy v2.10.2 modules/caddytls/values.go: defaultCurves = X25519MLKEM768, X25519, CurveP256.
    assert.deepEqual(m.tls13Groups, ["X25519MLKEM768", "X25519", "P-256"]);
    assert.equal(m.chosenFromDefaults, "X25519MLKEM768");
    assert.deepEqual(m.tlsVersions, ["1.2", "1.3"]);
    assert.equal(m.postQuantum, true);
  });

  it("Debian's Caddy 2.6.2 offers no post-quantum group: X25519 and P-256 only", { timeout: 60_000 }, async () => {
    // caddy v2.6.2 modules/caddytls/values.go: defaultCurves = X25519, CurveP256.
    const m = await measureCaddy("/usr/bin/caddy", "caddy-2.6.2");
    assert.deepEqual(m.tls13Groups, ["X25519", "P-256"]);
    assert.equal(m.chosenFromDefaults, "X25519");
    assert.deepEqual(m.tlsVersions, ["1.2", "1.3"]);
    assert.equal(m.postQuantum, false);
  });

  it("Debian's nginx with OpenSSL 3.0 offers no post-quantum group; its default groups include P-384 and P-521", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const prefix = path.join(dir, "nginx");
    fs.mkdirSync(prefix, { recursive: true });
    const conf = path.join(prefix, "nginx.conf");
    // The generated https server block's TLS lines (constructs/proxies/nginx-certbot/sites.ts): no ssl_ecdh_curve.
    fs.writeFileSync(
      conf,
      `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log;\nevents {}\nhttp {\n  access_log off;\n  server {\n    listen 127.0.0.1:${port} ssl;\n` +
        `    server_name ${HOST};\n    ssl_certificate ${cert};\n    ssl_certificate_key ${key};\n    ssl_protocols TLSv1.2 TLSv1.3;\n    return 200 ok;\n  }\n}\n`,
    );
    const { child, log } = launch("nginx", "nginx", ["-c", conf, "-p", prefix, "-g", "daemon off;"]);
    try {
      await listening(port, child, log);
      const m = await measure(port, "nginx");
      // OpenSSL 3.0's default groups (ssl/t1_lib.c): X25519, P-256, X448, P-521, P-384 (X448 is not probed: Go has none).
      assert.deepEqual(m.tls13Groups, ["X25519", "P-256", "P-384", "P-521"]);
      assert.equal(m.chosenFromDefaults, "X25519");
      assert.deepEqual(m.tlsVersions, ["1.2", "1.3"]);
      assert.equal(m.postQuantum, false);
    } finally {
      await stop(child);
    }
  });
});
