// Bencode: byte-exact round trips (binary strings, binary dictionary keys), canonical-form errors,
// and the non-UTF-8 detector the announce check relies on.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { bdecode, bencode, BencodeError, hasNonUtf8, isDict, type BDict } from "../../rehearsal/bencode";

describe("bencode", () => {
  it("encodes integers, strings, lists and dictionaries with sorted keys", () => {
    assert.equal(bencode({ b: 1, a: ["x", -2, 0] }).toString("latin1"), "d1:al1:xi-2ei0ee1:bi1ee");
    assert.equal(bencode("é").toString("latin1"), "2:\u00c3\u00a9");
  });

  it("round-trips a tracker answer with compact peers that are not UTF-8", () => {
    const peers = Buffer.from([0x7f, 0, 0, 1, 0xff, 0xfe, 0x0a, 0, 0, 2, 0x1a, 0xe1]);
    const body = bencode({ interval: 1800, "min interval": 900, complete: 1, incomplete: 0, peers });
    const d = bdecode(body);
    assert.ok(isDict(d));
    assert.equal(d.interval, 1800);
    assert.deepEqual(d.peers, peers);
    assert.ok(hasNonUtf8(body));
    assert.deepEqual(bencode(d as BDict), body);
  });

  it("keeps binary dictionary keys (scrape answers are keyed by raw info_hash)", () => {
    const hash = Buffer.alloc(20, 0xff);
    const body = Buffer.concat([Buffer.from("d5:filesd20:", "latin1"), hash, Buffer.from("d8:completei3eeee", "latin1")]);
    const d = bdecode(body) as BDict;
    const files = d.files as BDict;
    assert.deepEqual(Object.keys(files).map((k) => Buffer.from(k, "latin1")), [hash]);
    assert.equal((files[hash.toString("latin1")] as BDict).complete, 3);
    assert.deepEqual(bencode(d), body);
  });

  it("rejects non-canonical or broken input with the offset", () => {
    for (const [input, message] of [
      ["i03e", /bad integer/],
      ["i-0e", /bad integer/],
      ["d1:bi1e1:ai2ee", /not sorted/],
      ["5:abc", /runs past the end/],
      ["i1ei2e", /trailing bytes/],
      ["l", /unexpected end/],
      ["x", /unexpected byte 0x78 at byte 0/],
    ] as const) {
      assert.throws(() => bdecode(Buffer.from(input, "latin1")), (e: Error) => e instanceof BencodeError && message.test(e.message), input);
    }
  });

  it("tells UTF-8 text from binary", () => {
    assert.equal(hasNonUtf8(Buffer.from("d8:intervali1800ee")), false);
    assert.equal(hasNonUtf8(Buffer.from("ünïcödé")), false);
    assert.equal(hasNonUtf8(Buffer.from([0x64, 0xff])), true);
  });
});
