// Item 1 (issue 9): IPv4 UDP clients must get IPv4 answers. The tracker image cannot run here, so
// a NAMED STAND-IN (standins/tracker-sockets.py: sockets opened as v3.0.0 opens them, answering
// in the format v3.0.0 picks) binds exactly the addresses of the generated tracker.toml, in a
// network namespace set up like the container's (veth with IPv4 and IPv6, the compose file's
// sysctls written into that namespace as Docker does). A client in a second namespace sends from
// IPv4 and from IPv6. Only a real server can confirm Docker's DNAT keeps the client's source
// address and that the image behaves as its source reads.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { trackerConfig, trackerService } from "../../constructs/tracker/render";
import { deployment } from "./fixtures";

const STANDIN = path.join(__dirname, "standins", "tracker-sockets.py");
const id = process.pid % 100000;
const CT = `tt-ct-${id}`;
const CL = `tt-cl-${id}`;
const V4 = { client: "10.77.0.1", container: "10.77.0.2" };
const V6 = { client: "fd77::1", container: "fd77::2" };

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Runs the stand-in in the container namespace; resolves with its bind lines once ready (or its bind error). */
function startStandin(specs: string[]): Promise<{ proc: ChildProcess; lines: string[] }> {
  const proc = spawn("ip", ["netns", "exec", CT, "python3", STANDIN, ...specs], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`stand-in not ready: ${lines.join("; ")}`)), 10000);
    proc.stdout!.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (line === "ready" || line.startsWith("bind-error")) {
          clearTimeout(timer);
          resolve({ proc, lines });
        }
      }
    });
    proc.on("error", reject);
  });
}

const CLIENT = String.raw`
import socket, sys
proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
s.settimeout(3)
if proto == "udp":
    s.sendto(b"connect", (host, port)); print(s.recvfrom(2048)[0].decode())
else:
    s.connect((host, port)); print(s.recv(2048).decode().strip())
`;

/** What the stand-in answered to a client in the client namespace: "<bound spec> <family> <address>". */
function ask(proto: "udp" | "tcp", host: string, port: number): string {
  return sh("ip", ["netns", "exec", CL, "python3", "-c", CLIENT, proto, host, String(port)]).trim();
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.pid === undefined) return resolve();
    proc.on("exit", () => resolve());
    process.kill(proc.pid, "SIGTERM");
  });
}

/** The namespace's sysctls as the compose file sets them (Docker writes them into the container's netns). */
function applySysctls(sysctls: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(sysctls)) sh("ip", ["netns", "exec", CT, "sysctl", "-q", "-w", `${k}=${v}`]);
}

describe("tracker sockets in a container-like namespace (stand-in for torrust/tracker:v3.0.0)", () => {
  before(() => {
    sh("ip", ["netns", "add", CT]);
    sh("ip", ["netns", "add", CL]);
    sh("ip", ["link", "add", `tt-a${id}`, "type", "veth", "peer", "name", `tt-b${id}`]);
    sh("ip", ["link", "set", `tt-a${id}`, "netns", CL]);
    sh("ip", ["link", "set", `tt-b${id}`, "netns", CT]);
    for (const [ns, dev, a] of [
      [CL, `tt-a${id}`, "client"],
      [CT, `tt-b${id}`, "container"],
    ] as const) {
      sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
      sh("ip", ["-n", ns, "addr", "add", `${V4[a]}/24`, "dev", dev]);
      sh("ip", ["-n", ns, "addr", "add", `${V6[a]}/64`, "dev", dev, "nodad"]);
      sh("ip", ["-n", ns, "link", "set", dev, "up"]);
    }
  });

  after(() => {
    for (const ns of [CT, CL]) spawnSync("ip", ["netns", "del", ns]);
  });

  it("the generated binds + sysctls: IPv4 clients arrive on the IPv4 socket as plain IPv4, IPv6 clients on the IPv6-only socket", async () => {
    const d = deployment();
    const cfg = trackerConfig(d) as { udp_trackers: { bind_address: string }[]; http_trackers: { bind_address: string }[]; http_api: { bind_address: string } };
    const sysctls = trackerService(d).sysctls;
    assert.ok(sysctls, "the tracker service sets its namespace's sysctls");
    applySysctls(sysctls);
    const specs = [
      ...cfg.udp_trackers.map((t) => `udp:${t.bind_address}`),
      ...cfg.http_trackers.map((t) => `tcp:${t.bind_address}`),
      `tcp:${cfg.http_api.bind_address}`,
    ];
    const { proc, lines } = await startStandin(specs);
    try {
      assert.ok(lines.includes("ready"), lines.join("\n"));
      assert.ok(lines.includes("bound udp:[::]:6969 v6only=1"), lines.join("\n"));
      const udpPort = d.tracker.udpTrackers[0].port;
      assert.equal(ask("udp", V4.container, udpPort), `udp:0.0.0.0:${udpPort} ipv4 ${V4.client}`);
      assert.equal(ask("udp", V6.container, udpPort), `udp:[::]:${udpPort} ipv6 ${V6.client}`);
      // HTTP tracker behind the proxy and the API: reached over IPv4 (published 127.0.0.1 ports, the relay on 127.0.0.1).
      assert.equal(ask("tcp", V4.container, 7070), `tcp:0.0.0.0:7070 ipv4 ${V4.client}`);
      assert.equal(ask("tcp", V4.container, d.tracker.api.port), `tcp:0.0.0.0:${d.tracker.api.port} ipv4 ${V4.client}`);
    } finally {
      await stop(proc);
    }
  });

  it("controls: the old single [::] bind answers IPv4 clients in IPv6 format; both binds without the sysctl cannot start", async () => {
    applySysctls({ "net.ipv6.bindv6only": 0 });
    const old = await startStandin(["udp:[::]:6969"]);
    try {
      assert.equal(ask("udp", V4.container, 6969), `udp:[::]:6969 ipv6 ::ffff:${V4.client}`);
    } finally {
      await stop(old.proc);
    }
    const clash = await startStandin(["udp:0.0.0.0:6969", "udp:[::]:6969"]);
    await stop(clash.proc);
    assert.ok(clash.lines.some((l) => l.startsWith("bind-error udp:[::]:6969 98")), clash.lines.join("\n"));
  });
});
