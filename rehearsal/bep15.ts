// A UDP tracker client (BEP 15): connect, announce and scrape, with retransmission and strict
// checks of every answer (action, transaction id, length). Used by the verifier and the rehearsal.
import * as dgram from "node:dgram";
import { randomBytes } from "node:crypto";

export const PROTOCOL_ID = 0x41727101980n;

export const enum Action {
  Connect = 0,
  Announce = 1,
  Scrape = 2,
  Error = 3,
}

export const ANNOUNCE_EVENTS = { none: 0, completed: 1, started: 2, stopped: 3 } as const;
export type AnnounceEvent = keyof typeof ANNOUNCE_EVENTS;

export class TrackerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrackerError";
  }
}

export interface Bep15Options {
  /** Tracker address (IP literal or hostname, resolved by the system resolver). */
  readonly host: string;
  readonly port: number;
  /** @default 4 */
  readonly family?: 4 | 6;
  /** Wait for one answer. @default 2000 */
  readonly timeoutMs?: number;
  /** Sends per request (BEP 15 retransmits on timeout). @default 3 */
  readonly attempts?: number;
  /** Source address to send from. */
  readonly localAddress?: string;
}

export interface Peer {
  readonly ip: string;
  readonly port: number;
}

export interface AnnounceRequest {
  readonly infoHash: Buffer;
  readonly peerId: Buffer;
  readonly port: number;
  readonly event?: AnnounceEvent;
  readonly downloaded?: bigint;
  readonly left?: bigint;
  readonly uploaded?: bigint;
  /** @default -1 (tracker's default) */
  readonly numWant?: number;
  readonly key?: number;
}

export interface AnnounceResponse {
  readonly interval: number;
  readonly leechers: number;
  readonly seeders: number;
  readonly peers: Peer[];
}

export interface ScrapeEntry {
  readonly seeders: number;
  readonly completed: number;
  readonly leechers: number;
}

/** Encodes requests and decodes answers; no I/O, so tests can check bytes. */
export const codec = {
  connectRequest(tid: number): Buffer {
    const b = Buffer.alloc(16);
    b.writeBigUInt64BE(PROTOCOL_ID, 0);
    b.writeUInt32BE(Action.Connect, 8);
    b.writeUInt32BE(tid, 12);
    return b;
  },
  announceRequest(connectionId: bigint, tid: number, r: AnnounceRequest): Buffer {
    if (r.infoHash.length !== 20 || r.peerId.length !== 20) throw new Error("info_hash and peer_id must be 20 bytes");
    const b = Buffer.alloc(98);
    b.writeBigUInt64BE(connectionId, 0);
    b.writeUInt32BE(Action.Announce, 8);
    b.writeUInt32BE(tid, 12);
    r.infoHash.copy(b, 16);
    r.peerId.copy(b, 36);
    b.writeBigUInt64BE(r.downloaded ?? 0n, 56);
    b.writeBigUInt64BE(r.left ?? 0n, 64);
    b.writeBigUInt64BE(r.uploaded ?? 0n, 72);
    b.writeUInt32BE(ANNOUNCE_EVENTS[r.event ?? "none"], 80);
    b.writeUInt32BE(0, 84); // IP: the sender's
    b.writeUInt32BE(r.key ?? 0, 88);
    b.writeInt32BE(r.numWant ?? -1, 92);
    b.writeUInt16BE(r.port, 96);
    return b;
  },
  scrapeRequest(connectionId: bigint, tid: number, infoHashes: readonly Buffer[]): Buffer {
    if (infoHashes.length === 0 || infoHashes.length > 74) throw new Error("scrape takes 1 to 74 info_hashes");
    const b = Buffer.alloc(16 + 20 * infoHashes.length);
    b.writeBigUInt64BE(connectionId, 0);
    b.writeUInt32BE(Action.Scrape, 8);
    b.writeUInt32BE(tid, 12);
    infoHashes.forEach((h, i) => {
      if (h.length !== 20) throw new Error("info_hash must be 20 bytes");
      h.copy(b, 16 + 20 * i);
    });
    return b;
  },
  /** Checks action and transaction id; throws TrackerError for an error answer. */
  header(msg: Buffer, tid: number, action: Action): void {
    if (msg.length < 8) throw new TrackerError(`answer of ${msg.length} bytes is too short`);
    const got = msg.readUInt32BE(0);
    if (msg.readUInt32BE(4) !== tid) throw new TrackerError("answer has another transaction id");
    if (got === Action.Error) throw new TrackerError(`tracker error: ${msg.subarray(8).toString("utf8")}`);
    if (got !== action) throw new TrackerError(`answer action ${got}, expected ${action}`);
  },
  connectResponse(msg: Buffer, tid: number): bigint {
    codec.header(msg, tid, Action.Connect);
    if (msg.length < 16) throw new TrackerError(`connect answer of ${msg.length} bytes (expected 16)`);
    return msg.readBigUInt64BE(8);
  },
  announceResponse(msg: Buffer, tid: number, ipv6: boolean): AnnounceResponse {
    codec.header(msg, tid, Action.Announce);
    if (msg.length < 20) throw new TrackerError(`announce answer of ${msg.length} bytes (expected at least 20)`);
    const size = ipv6 ? 18 : 6;
    if ((msg.length - 20) % size !== 0) throw new TrackerError(`announce answer has ${msg.length - 20} peer bytes, not a multiple of ${size}`);
    return {
      interval: msg.readUInt32BE(8),
      leechers: msg.readUInt32BE(12),
      seeders: msg.readUInt32BE(16),
      peers: compactPeers(msg.subarray(20), ipv6),
    };
  },
  scrapeResponse(msg: Buffer, tid: number, count: number): ScrapeEntry[] {
    codec.header(msg, tid, Action.Scrape);
    if (msg.length < 8 + 12 * count) throw new TrackerError(`scrape answer of ${msg.length} bytes for ${count} info_hashes`);
    return Array.from({ length: count }, (_, i) => ({
      seeders: msg.readUInt32BE(8 + 12 * i),
      completed: msg.readUInt32BE(12 + 12 * i),
      leechers: msg.readUInt32BE(16 + 12 * i),
    }));
  },
};

/** Decodes compact peers: 6 bytes each (IPv4 + port) or 18 (IPv6 + port). */
export function compactPeers(data: Buffer, ipv6 = false): Peer[] {
  const size = ipv6 ? 18 : 6;
  const peers: Peer[] = [];
  for (let o = 0; o + size <= data.length; o += size) {
    const ip = ipv6
      ? Array.from({ length: 8 }, (_, i) => data.readUInt16BE(o + 2 * i).toString(16)).join(":")
      : Array.from(data.subarray(o, o + 4)).join(".");
    peers.push({ ip, port: data.readUInt16BE(o + size - 2) });
  }
  return peers;
}

/** One UDP tracker; one socket; `close()` when done. */
export class Bep15Client {
  private readonly socket: dgram.Socket;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private connectionId?: { id: bigint; at: number };
  private readonly waiting = new Map<number, (msg: Buffer) => void>();
  private bound?: Promise<void>;

  constructor(private readonly options: Bep15Options) {
    this.socket = dgram.createSocket(options.family === 6 ? "udp6" : "udp4");
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.attempts = options.attempts ?? 3;
    this.socket.on("message", (msg) => {
      if (msg.length < 8) return;
      const resolve = this.waiting.get(msg.readUInt32BE(4));
      if (resolve) resolve(msg);
    });
    this.socket.on("error", () => undefined);
  }

  private bind(): Promise<void> {
    this.bound ??= new Promise((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.bind({ address: this.options.localAddress, port: 0 }, () => {
        this.socket.off("error", reject);
        resolve();
      });
    });
    return this.bound;
  }

  /** Sends a request built for a fresh transaction id and waits for its answer, retransmitting on timeout. */
  private async exchange(build: (tid: number) => Buffer): Promise<{ msg: Buffer; tid: number }> {
    await this.bind();
    const tid = randomBytes(4).readUInt32BE(0);
    const request = build(tid);
    try {
      for (let attempt = 1; attempt <= this.attempts; attempt++) {
        const answer = new Promise<Buffer | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), this.timeoutMs);
          this.waiting.set(tid, (msg) => {
            clearTimeout(timer);
            resolve(msg);
          });
        });
        await new Promise<void>((resolve, reject) =>
          this.socket.send(request, this.options.port, this.options.host, (err) => (err ? reject(err) : resolve())),
        );
        const msg = await answer;
        if (msg) return { msg, tid };
      }
    } finally {
      this.waiting.delete(tid);
    }
    throw new TrackerError(
      `no answer from udp://${this.options.host}:${this.options.port} after ${this.attempts} tries of ${this.timeoutMs} ms`,
    );
  }

  /** Connect (action 0); the connection id is reused for one minute as BEP 15 allows. */
  async connect(): Promise<bigint> {
    if (this.connectionId && Date.now() - this.connectionId.at < 60_000) return this.connectionId.id;
    const { msg, tid } = await this.exchange((t) => codec.connectRequest(t));
    const id = codec.connectResponse(msg, tid);
    this.connectionId = { id, at: Date.now() };
    return id;
  }

  async announce(request: AnnounceRequest): Promise<AnnounceResponse> {
    const id = await this.connect();
    const { msg, tid } = await this.exchange((t) => codec.announceRequest(id, t, request));
    return codec.announceResponse(msg, tid, this.options.family === 6);
  }

  async scrape(infoHashes: readonly Buffer[]): Promise<ScrapeEntry[]> {
    const id = await this.connect();
    const { msg, tid } = await this.exchange((t) => codec.scrapeRequest(id, t, infoHashes));
    return codec.scrapeResponse(msg, tid, infoHashes.length);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
