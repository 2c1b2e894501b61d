// The little of RFC 6455 the rehearsal needs: the handshake key, and text/close frames (masked
// from clients, unmasked from servers). Shared by the verifier's client and the Grafana stand-in.
import { createHash, randomBytes } from "node:crypto";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

export function newKey(): string {
  return randomBytes(16).toString("base64");
}

export const OPCODE = { text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/** One frame; `mask` is required from clients (RFC 6455 §5.3). */
export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const len = payload.length;
  const head: number[] = [0x80 | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(len));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** Reads whole frames from a growing buffer; returns the frames and the bytes left over. */
export function decodeFrames(data: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let pos = 0;
  for (;;) {
    if (data.length - pos < 2) break;
    const b0 = data[pos];
    const b1 = data[pos + 1];
    let len = b1 & 0x7f;
    let at = pos + 2;
    if (len === 126) {
      if (data.length < at + 2) break;
      len = data.readUInt16BE(at);
      at += 2;
    } else if (len === 127) {
      if (data.length < at + 8) break;
      len = Number(data.readBigUInt64BE(at));
      at += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? data.subarray(at, at + 4) : undefined;
    if (masked) at += 4;
    if (data.length < at + len) break;
    const raw = data.subarray(at, at + len);
    const payload = key ? Buffer.from(raw.map((b, i) => b ^ key[i % 4])) : Buffer.from(raw);
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    pos = at + len;
  }
  return { frames, rest: data.subarray(pos) };
}
