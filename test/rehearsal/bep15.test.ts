// The BEP 15 UDP tracker client: request bytes, answer checks, retransmission, and a real
// exchange with opentracker (Debian package) on loopback.
import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Bep15Client, codec, compactPeers, PROTOCOL_ID, TrackerError } from "../../rehearsal/bep15";
import { rehearsalInfoHashes, startOpentracker } from "../../rehearsal/opentracker";
import { Processes } from "../../rehearsal/proc";
import { missingPackages } from "../../rehearsal/rehearse";

/** A UDP stand-in whose answers a test scripts. */
async function udpStandIn(answer: (msg: Buffer) => Buffer | undefined): Promise<{ port: number; received: Buffer[]; close(): void }> {
  const socket = dgram.createSocket("udp4");
  const received: Buffer[] = [];
  socket.on("message", (msg, rinfo) => {
    received.push(msg);
    const reply = answer(msg);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  return { port: socket.address().port, received, close: () => socket.close() };
}

function connectAnswer(msg: Buffer, id = 0x1122334455667788n): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(0, 0);
  b.writeUInt32BE(msg.readUInt32BE(12), 4);
  b.writeBigUInt64BE(id, 8);
  return b;
}

describe("BEP 15 codec", () => {
  it("builds connect, announce and scrape requests with the protocol's layout", () => {
    const c = codec.connectRequest(7);
    assert.equal(c.length, 16);
    assert.equal(c.readBigUInt64BE(0), PROTOCOL_ID);
    assert.equal(c.readUInt32BE(12), 7);
    const a = codec.announceRequest(5n, 9, { infoHash: Buffer.alloc(20, 1), peerId: Buffer.alloc(20, 2), port: 6881, event: "started" });
    assert.equal(a.length, 98);
    assert.equal(a.readUInt32BE(8), 1);
    assert.equal(a.readUInt32BE(80), 2);
    assert.equal(a.readInt32BE(92), -1);
    assert.equal(a.readUInt16BE(96), 6881);
    assert.equal(codec.scrapeRequest(5n, 9, [Buffer.alloc(20), Buffer.alloc(20)]).length, 56);
  });

  it("decodes compact peers", () => {
    assert.deepEqual(compactPeers(Buffer.from([127, 0, 0, 1, 0xff, 0xfe, 10, 0, 0, 2, 0x1a, 0xe1])), [
      { ip: "127.0.0.1", port: 65534 },
      { ip: "10.0.0.2", port: 6881 },
    ]);
  });

  it("rejects answers with another transaction id, an error action or a short body", () => {
    const ok = connectAnswer(codec.connectRequest(1));
    assert.throws(() => codec.connectResponse(ok, 2), /another transaction id/);
    const err = Buffer.concat([Buffer.from([0, 0, 0, 3, 0, 0, 0, 1]), Buffer.from("torrent not registered")]);
    assert.throws(() => codec.connectResponse(err, 1), (e: Error) => e instanceof TrackerError && /torrent not registered/.test(e.message));
    assert.throws(() => codec.announceResponse(Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0]), 1, false), /too short|expected at least 20/);
  });
});

describe("Bep15Client against a UDP stand-in", () => {
  it("retransmits after a lost answer and reuses the connection id", async () => {
    let dropped = false;
    const server = await udpStandIn((msg) => {
      const action = msg.readUInt32BE(8);
      if (action === 0) {
        if (!dropped) {
          dropped = true;
          return undefined;
        }
        return connectAnswer(msg);
      }
      const b = Buffer.alloc(20 + 6);
      b.writeUInt32BE(1, 0);
      b.writeUInt32BE(msg.readUInt32BE(12), 4);
      b.writeUInt32BE(1800, 8);
      Buffer.from([127, 0, 0, 1, 0x1a, 0xe1]).copy(b, 20);
      return b;
    });
    const c = new Bep15Client({ host: "127.0.0.1", port: server.port, timeoutMs: 200, attempts: 3 });
    try {
      const a = await c.announce({ infoHash: Buffer.alloc(20, 1), peerId: Buffer.alloc(20, 2), port: 6881 });
      assert.equal(a.interval, 1800);
      assert.deepEqual(a.peers, [{ ip: "127.0.0.1", port: 6881 }]);
      await c.announce({ infoHash: Buffer.alloc(20, 1), peerId: Buffer.alloc(20, 2), port: 6881 });
      assert.equal(server.received.filter((m) => m.readUInt32BE(8) === 0 && m.readBigUInt64BE(0) === PROTOCOL_ID).length, 2, "one connect retransmitted, then reused");
    } finally {
      c.close();
      server.close();
    }
  });

  it("gives up with a clear message when nothing answers", async () => {
    const server = await udpStandIn(() => undefined);
    const c = new Bep15Client({ host: "127.0.0.1", port: server.port, timeoutMs: 100, attempts: 2 });
    try {
      await assert.rejects(c.connect(), /no answer from udp:\/\/127\.0\.0\.1:\d+ after 2 tries of 100 ms/);
    } finally {
      c.close();
      server.close();
    }
  });
});

describe("Bep15Client against opentracker (Debian package) on loopback", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-bep15-"));
  const procs = new Processes(path.join(dir, "logs"));
  const hashes = rehearsalInfoHashes(2);
  let udpPort = 0;

  before(async () => {
    const missing = missingPackages().filter((p) => p === "opentracker");
    assert.deepEqual(missing, [], "the Debian package opentracker is missing (apt-get install opentracker, or bash scripts/install-test-deps.sh)");
    fs.chmodSync(dir, 0o755);
    udpPort = await freeUdpPort();
    await startOpentracker(procs, { dir: path.join(dir, "ot"), httpPort: await freeTcpPort(), udpPorts: [udpPort], infoHashes: hashes });
  });
  after(async () => {
    await procs.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("connects, announces two peers and scrapes them", async () => {
    const c = new Bep15Client({ host: "127.0.0.1", port: udpPort });
    try {
      await c.announce({ infoHash: hashes[0], peerId: Buffer.alloc(20, 0x41), port: 65534, left: 0n, event: "started" });
      const a = await c.announce({ infoHash: hashes[0], peerId: Buffer.alloc(20, 0x42), port: 6881, left: 10n, event: "started" });
      assert.ok(a.interval > 0);
      assert.ok(a.peers.some((p) => p.ip === "127.0.0.1" && p.port === 65534), JSON.stringify(a.peers));
      const [s] = await c.scrape([hashes[0]]);
      assert.equal(s.seeders, 1);
      assert.equal(s.leechers, 1);
    } finally {
      c.close();
    }
  });
});

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  s.close();
  return port;
}

async function freeTcpPort(): Promise<number> {
  const net = await import("node:net");
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
