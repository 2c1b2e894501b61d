// The benchmark's announce stand-in (named as such in every answer: header X-Stand-In): a small
// HTTP tracker on the deployment's HTTP tracker port that keeps connections alive like the
// Torrust tracker (hyper), which opentracker does not (it closes every connection after its
// answer, so a proxy's upstream keep-alive could not be measured against it).
//
// It answers announces from in-memory swarms at a constant cost per announce, so the upstream
// does not drift while the benchmark runs: a whitelist of info_hashes (others get opentracker's
// failure answer), the peer's address from the right-most X-Forwarded-For (Torrust with
// on_reverse_proxy = true; without the header: Torrust's failure answer), and up to 74 compact
// peers (Torrust's limit). Each swarm is a full ring of 400 peers from the start: an announce
// overwrites the oldest slot (`stopped` does not come back), and the answer is 74 consecutive
// peers from a rotating offset. Failure answers are counted: the benchmark reports them as errors.
//
//   node --import tsx bench/edge/upstream.ts PORT WHITELIST_FILE
//   GET /bench-edge/stats → {"announces":N,"failures":N}
import * as fs from "node:fs";
import * as http from "node:http";
import { bencode } from "../../rehearsal/bencode";
import { MISSING_XFF_FAILURE, STAND_IN_HEADER } from "../../rehearsal/standins";

export const STATS_PATH = "/bench-edge/stats";
export const NOT_WHITELISTED = "Requested download is not authorized for use with this tracker.";
/** Torrust's TORRENT_PEERS_LIMIT: the most peers one announce answer holds. */
export const PEERS_LIMIT = 74;
/** Peers in each swarm's ring. */
const SWARM_SIZE = 400;
const PEER_BYTES = 6;
const INTERVAL = 1800;
const MIN_INTERVAL = 900;

export interface UpstreamStats {
  readonly announces: number;
  readonly failures: number;
}

interface Swarm {
  /** SWARM_SIZE compact peers, back to back. */
  readonly ring: Buffer;
  /** Next slot to overwrite. */
  next: number;
  /** Where the next answer starts. */
  offset: number;
  seeders: number;
}

/** Decodes a percent-encoded query value to its bytes (latin1 string, one char per byte). */
function unescapeBytes(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < value.length) {
      out += String.fromCharCode(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += c === 43 /* + */ ? " " : value[i];
  }
  return out;
}

function query(url: string): Map<string, string> {
  const q = new Map<string, string>();
  const start = url.indexOf("?");
  if (start < 0) return q;
  for (const part of url.slice(start + 1).split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0) q.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return q;
}

/** Writes a compact peer (IPv4 + port) at `at`; false if the address is not IPv4. */
function writeCompact(ip: string, port: number, into: Buffer, at: number): boolean {
  const octets = ip.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return false;
  for (let i = 0; i < 4; i++) into[at + i] = octets[i];
  into.writeUInt16BE(port & 0xffff, at + 4);
  return true;
}

export class AnnounceStandIn {
  private readonly swarms = new Map<string, Swarm>();
  announces = 0;
  failures = 0;

  constructor(whitelist: readonly string[]) {
    for (const hex of whitelist) {
      const ring = Buffer.alloc(SWARM_SIZE * PEER_BYTES);
      for (let i = 0; i < SWARM_SIZE; i++) writeCompact(`10.${(i >> 8) & 0xff}.${i & 0xff}.${1 + (parseInt(hex.slice(0, 2), 16) % 250)}`, 6881, ring, i * PEER_BYTES);
      this.swarms.set(Buffer.from(hex, "hex").toString("latin1"), { ring, next: 0, offset: 0, seeders: SWARM_SIZE / 4 });
    }
  }

  private failure(reason: string): Buffer {
    this.failures++;
    return bencode({ "failure reason": reason });
  }

  /** The bencoded answer to one announce (path and query as received). */
  announce(url: string, xForwardedFor: string | undefined): Buffer {
    this.announces++;
    if (!xForwardedFor) return this.failure(MISSING_XFF_FAILURE);
    const q = query(url);
    const swarm = this.swarms.get(unescapeBytes(q.get("info_hash") ?? ""));
    if (!swarm) return this.failure(NOT_WHITELISTED);
    const ip = xForwardedFor.slice(xForwardedFor.lastIndexOf(",") + 1).trim();
    const peer = Buffer.alloc(PEER_BYTES);
    if (!writeCompact(ip, Number(q.get("port") ?? 0), peer, 0)) return this.failure(`invalid peer address ${ip}`);
    const wanted = Math.min(PEERS_LIMIT, Math.max(0, Number(q.get("numwant") ?? 50) || 0));
    // The answer: `wanted` consecutive peers of the ring from the rotating offset (wrapping around).
    const peers = Buffer.alloc(wanted * PEER_BYTES);
    const from = swarm.offset * PEER_BYTES;
    const first = Math.min(peers.length, swarm.ring.length - from);
    swarm.ring.copy(peers, 0, from, from + first);
    swarm.ring.copy(peers, first, 0, peers.length - first);
    swarm.offset = (swarm.offset + wanted) % SWARM_SIZE;
    const event = q.get("event");
    if (event !== "stopped") {
      peer.copy(swarm.ring, swarm.next * PEER_BYTES);
      swarm.next = (swarm.next + 1) % SWARM_SIZE;
    }
    if (event === "completed") swarm.seeders = Math.min(SWARM_SIZE, swarm.seeders + 1);
    return Buffer.concat([
      Buffer.from(`d8:completei${swarm.seeders}e10:incompletei${SWARM_SIZE - swarm.seeders}e8:intervali${INTERVAL}e12:min intervali${MIN_INTERVAL}e5:peers${peers.length}:`, "latin1"),
      peers,
      Buffer.from("e", "latin1"),
    ]);
  }

  stats(): UpstreamStats {
    return { announces: this.announces, failures: this.failures };
  }

  listen(port: number, host = "127.0.0.1"): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      const url = req.url ?? "/";
      let status = 200;
      let body: Buffer;
      let type = "text/plain";
      if (url.startsWith("/announce")) {
        const xff = req.headers["x-forwarded-for"];
        body = this.announce(url, Array.isArray(xff) ? xff.join(", ") : xff);
      } else if (url === STATS_PATH) {
        body = Buffer.from(JSON.stringify(this.stats()));
        type = "application/json";
      } else if (url === "/health_check") {
        body = Buffer.from('{"status":"Ok"}');
        type = "application/json";
      } else {
        status = 404;
        body = Buffer.from("not found (benchmark announce stand-in)");
      }
      res.writeHead(status, { "Content-Type": type, "Content-Length": body.length, [STAND_IN_HEADER]: "announce (bench:edge stand-in)" });
      res.end(body);
    });
    // Longer than any proxy's idle upstream timeout, so the proxy decides when to close.
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 125_000;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}

if (require.main === module) {
  const [port, whitelistFile] = process.argv.slice(2);
  const hashes = fs.readFileSync(whitelistFile, "utf8").split("\n").filter(Boolean);
  new AnnounceStandIn(hashes).listen(Number(port)).then(
    () => process.stdout.write(`announce stand-in on 127.0.0.1:${port}, ${hashes.length} whitelisted info_hashes\n`),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
  process.on("SIGTERM", () => process.exit(0));
}
