// opentracker (Debian package): a real HTTP + UDP BitTorrent tracker, written by nobody on this
// project. The rehearsal puts it behind the proxy (through the tracker stand-in's X-Forwarded-For
// tap) and on the deployment's UDP ports. Debian builds it in whitelist mode: every info_hash the
// rehearsal announces is listed in its whitelist.
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import type { Proc, Processes } from "./proc";
import { waitFor } from "./proc";
import * as net from "node:net";

/** Info hashes the rehearsal may announce: deterministic, each with bytes that are not UTF-8. */
export function rehearsalInfoHashes(count = 8): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const h = createHash("sha1").update(`torrust rehearsal ${i}`).digest();
    h[0] = 0xff; // never valid UTF-8: proves binary bytes survive the proxy
    h[1] = 0xfe;
    return h;
  });
}

export interface OpentrackerOptions {
  readonly dir: string;
  readonly httpPort: number;
  readonly udpPorts: readonly number[];
  readonly infoHashes: readonly Buffer[];
}

/** Starts opentracker chrooted into `dir` (made world-readable: it drops to _opentracker). */
export async function startOpentracker(procs: Processes, o: OpentrackerOptions): Promise<Proc> {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(o.dir, 0o755);
  fs.writeFileSync(path.join(o.dir, "wl.txt"), o.infoHashes.map((h) => h.toString("hex")).join("\n") + "\n", { mode: 0o644 });
  const conf = path.join(o.dir, "opentracker.conf");
  fs.writeFileSync(
    conf,
    [
      `listen.tcp 127.0.0.1:${o.httpPort}`,
      ...o.udpPorts.map((p) => `listen.udp 127.0.0.1:${p}`),
      `tracker.rootdir ${o.dir}`,
      "access.whitelist /wl.txt",
      "tracker.user _opentracker",
      "",
    ].join("\n"),
  );
  const proc = procs.start("opentracker", "opentracker", ["-f", conf]);
  await waitFor(
    "opentracker",
    () =>
      new Promise<true | undefined>((resolve) => {
        if (proc.exitCode !== undefined) throw new Error(`opentracker exited (${proc.exitCode}); see ${proc.logFile}`);
        const s = net.connect(o.httpPort, "127.0.0.1", () => {
          s.destroy();
          resolve(true);
        });
        s.on("error", () => resolve(undefined));
      }),
    { timeoutMs: 5000, intervalMs: 50 },
  );
  return proc;
}
