// aria2 (Debian package), a real BitTorrent client nobody on this project wrote: it announces a
// small torrent to the HTTPS tracker (through the proxy) or the UDP tracker, and the tracker must
// list it as a leecher while it runs.
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { bencode } from "./bencode";
import type { Processes } from "./proc";
import { serverEnv, sleep } from "./proc";

const PIECE = 16384;

export interface RehearsalTorrent {
  readonly file: string;
  readonly announce: string;
  readonly infoHash: Buffer;
}

/** A one-piece torrent whose info_hash depends only on `name` (so it can be whitelisted first). */
export function torrentInfoHash(name: string): Buffer {
  return createHash("sha1").update(bencode(torrentInfo(name))).digest();
}

function torrentInfo(name: string) {
  const content = Buffer.alloc(PIECE, name);
  return { length: PIECE, name, "piece length": PIECE, pieces: createHash("sha1").update(content).digest() };
}

export function writeTorrent(dir: string, name: string, announce: string): RehearsalTorrent {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = path.join(dir, `${name}.torrent`);
  fs.writeFileSync(file, bencode({ announce, info: torrentInfo(name) }));
  return { file, announce, infoHash: torrentInfoHash(name) };
}

/**
 * Runs aria2c as a leecher of `torrent` until `registered()` sees it at the tracker (or the time
 * is up), then stops it by PID. Returns how long until the tracker listed it.
 */
export async function aria2Announces(
  procs: Processes,
  torrent: RehearsalTorrent,
  caFile: string,
  downloadDir: string,
  registered: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<number> {
  fs.mkdirSync(downloadDir, { recursive: true, mode: 0o755 });
  const started = Date.now();
  const udp = torrent.announce.startsWith("udp://");
  const proc = procs.start(`aria2c-${path.basename(torrent.file, ".torrent")}`, "aria2c", [
    "--async-dns=false", // names from the namespace's /etc/hosts
    `--ca-certificate=${caFile}`,
    // aria2 sends UDP tracker requests through its DHT socket: DHT on, with no entry point and
    // its state file in the run folder (HOME too), for udp:// trackers only.
    `--enable-dht=${udp}`,
    `--dht-file-path=${path.join(downloadDir, "dht.dat")}`,
    "--enable-dht6=false",
    "--bt-enable-lpd=false",
    "--enable-peer-exchange=false",
    "--bt-stop-timeout=15",
    "--seed-time=0",
    "--summary-interval=0",
    "--console-log-level=notice",
    `--dir=${downloadDir}`,
    torrent.file,
  ], { env: serverEnv({ HOME: downloadDir }) });
  try {
    while (Date.now() - started < timeoutMs) {
      if (proc.exitCode !== undefined) throw new Error(`aria2c exited (${proc.exitCode}) before the tracker listed it; see ${proc.logFile}`);
      if (await registered().catch(() => false)) return Date.now() - started;
      await sleep(200);
    }
    throw new Error(`the tracker did not list aria2c within ${timeoutMs / 1000} s; see ${proc.logFile}`);
  } finally {
    await procs.stop(proc, "SIGTERM", 3000);
  }
}
