// Bencode (BEP 3), byte-exact: strings are Buffers, so binary values (info_hashes, compact
// peers) survive a round trip. Dictionary keys are kept as latin1 strings (one char per byte), so
// binary keys such as the raw info_hashes of a scrape answer round-trip too.

/** A decoded bencoded value. */
export type BValue = number | Buffer | BValue[] | BDict;
/** A bencoded dictionary; keys are the raw key bytes read as latin1. */
export interface BDict {
  [key: string]: BValue;
}

export class BencodeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`bencode: ${message} at byte ${offset}`);
    this.name = "BencodeError";
  }
}

/** What can be encoded: strings are written as their UTF-8 bytes, Buffers as they are. */
export type BInput = number | string | Buffer | readonly BInput[] | { readonly [key: string]: BInput };

/** Encodes a value. Dictionary keys are sorted by their raw bytes; keys are latin1 strings. */
export function bencode(value: BInput): Buffer {
  const parts: Buffer[] = [];
  const put = (v: BInput): void => {
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new Error(`bencode: ${v} is not a safe integer`);
      parts.push(Buffer.from(`i${v}e`, "latin1"));
    } else if (typeof v === "string") {
      const b = Buffer.from(v, "utf8");
      parts.push(Buffer.from(`${b.length}:`, "latin1"), b);
    } else if (Buffer.isBuffer(v)) {
      parts.push(Buffer.from(`${v.length}:`, "latin1"), v);
    } else if (Array.isArray(v)) {
      parts.push(Buffer.from("l", "latin1"));
      for (const item of v as readonly BInput[]) put(item);
      parts.push(Buffer.from("e", "latin1"));
    } else {
      const dict = v as { readonly [key: string]: BInput };
      const keys = Object.keys(dict).sort((a, b) => Buffer.compare(Buffer.from(a, "latin1"), Buffer.from(b, "latin1")));
      parts.push(Buffer.from("d", "latin1"));
      for (const key of keys) {
        put(Buffer.from(key, "latin1"));
        put(dict[key]);
      }
      parts.push(Buffer.from("e", "latin1"));
    }
  };
  put(value);
  return Buffer.concat(parts);
}

/** Decodes exactly one value spanning the whole buffer; strict about canonical form. */
export function bdecode(data: Buffer): BValue {
  let pos = 0;
  const byte = (): number => {
    if (pos >= data.length) throw new BencodeError("unexpected end of data", pos);
    return data[pos];
  };
  const readUntil = (end: number): string => {
    const stop = data.indexOf(end, pos);
    if (stop < 0) throw new BencodeError(`missing '${String.fromCharCode(end)}'`, pos);
    const text = data.toString("latin1", pos, stop);
    pos = stop + 1;
    return text;
  };
  const value = (depth: number): BValue => {
    if (depth > 64) throw new BencodeError("nesting deeper than 64", pos);
    const c = byte();
    if (c === 0x69 /* i */) {
      const start = pos;
      pos++;
      const text = readUntil(0x65 /* e */);
      if (!/^(0|-?[1-9][0-9]*)$/.test(text)) throw new BencodeError(`bad integer "${text}"`, start);
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw new BencodeError(`integer ${text} is too large`, start);
      return n;
    }
    if (c === 0x6c /* l */) {
      pos++;
      const list: BValue[] = [];
      while (byte() !== 0x65) list.push(value(depth + 1));
      pos++;
      return list;
    }
    if (c === 0x64 /* d */) {
      pos++;
      const dict: BDict = Object.create(null) as BDict;
      let previous: Buffer | undefined;
      while (byte() !== 0x65) {
        const keyAt = pos;
        const key = value(depth + 1);
        if (!Buffer.isBuffer(key)) throw new BencodeError("dictionary key is not a string", keyAt);
        if (previous && Buffer.compare(previous, key) >= 0) throw new BencodeError("dictionary keys not sorted or repeated", keyAt);
        previous = key;
        dict[key.toString("latin1")] = value(depth + 1);
      }
      pos++;
      return dict;
    }
    if (c >= 0x30 && c <= 0x39) {
      const start = pos;
      const text = readUntil(0x3a /* : */);
      if (!/^(0|[1-9][0-9]*)$/.test(text)) throw new BencodeError(`bad string length "${text}"`, start);
      const length = Number(text);
      if (pos + length > data.length) throw new BencodeError(`string of ${length} bytes runs past the end`, start);
      const s = data.subarray(pos, pos + length);
      pos += length;
      return Buffer.from(s);
    }
    throw new BencodeError(`unexpected byte 0x${c.toString(16).padStart(2, "0")}`, pos);
  };
  const result = value(0);
  if (pos !== data.length) throw new BencodeError(`${data.length - pos} trailing bytes`, pos);
  return result;
}

/** True for a bencoded dictionary. */
export function isDict(v: BValue | undefined): v is BDict {
  return v !== undefined && typeof v === "object" && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** A dictionary's string value as UTF-8 text, if present. */
export function dictText(d: BDict, key: string): string | undefined {
  const v = d[key];
  return Buffer.isBuffer(v) ? v.toString("utf8") : undefined;
}

/** True when the bytes are not valid UTF-8 (what a text-mangling proxy would break). */
export function hasNonUtf8(data: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(data);
    return false;
  } catch {
    return true;
  }
}
