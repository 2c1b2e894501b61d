// The stand-ins: the tracker stand-in (bencoded binary answers passed through byte for byte, the
// X-Forwarded-For it saw, Torrust's on_reverse_proxy failure without it), the API health check
// and Grafana's WebSocket echo.
import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as http from "node:http";
import * as net from "node:net";
import { bdecode, bencode, dictText, hasNonUtf8, isDict } from "../../rehearsal/bencode";
import { ApiStandIn, GrafanaStandIn, MISSING_XFF_FAILURE, REQUEST_ID_HEADER, SAW_XFF_HEADER, STAND_IN_HEADER, TrackerStandIn } from "../../rehearsal/standins";
import WebSocket from "ws";

function get(port: number, pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: pathname, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as net.AddressInfo).port;
}

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("tracker stand-in", () => {
  const answer = bencode({ interval: 1800, peers: Buffer.from([127, 0, 0, 1, 0xff, 0xfe]) });
  const fakeTracker = http.createServer((_req, res) => res.end(answer));
  let standIn: TrackerStandIn;

  before(async () => {
    const upstream = await listen(fakeTracker);
    standIn = new TrackerStandIn(await freePort(), { host: "127.0.0.1", port: upstream });
    await standIn.start();
  });
  after(async () => {
    await standIn.stop();
    fakeTracker.close();
  });

  it("passes the tracker's binary answer through byte for byte and records the X-Forwarded-For", async () => {
    const r = await get(standIn.port, "/announce?info_hash=x", { "X-Forwarded-For": "6.6.6.6, 127.0.0.5", [REQUEST_ID_HEADER]: "r1" });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, answer);
    assert.ok(hasNonUtf8(r.body));
    assert.equal(r.headers[SAW_XFF_HEADER], "6.6.6.6, 127.0.0.5");
    assert.deepEqual(standIn.exchanges.get("r1")?.body, answer);
    assert.match(String(r.headers["x-stand-in"]), /stand-in/);
  });

  it("answers Torrust's bencoded failure when X-Forwarded-For is missing (on_reverse_proxy)", async () => {
    const r = await get(standIn.port, "/scrape?info_hash=x");
    const d = bdecode(r.body);
    assert.ok(isDict(d));
    assert.equal(dictText(d, "failure reason"), MISSING_XFF_FAILURE);
  });

  it("answers the health check like Torrust", async () => {
    const r = await get(standIn.port, "/health_check");
    assert.deepEqual(JSON.parse(r.body.toString()), { status: "Ok" });
  });

  it("stops listening when the upstream is 'down' and comes back", async () => {
    await standIn.stop();
    await assert.rejects(get(standIn.port, "/health_check"), /ECONNREFUSED/);
    await standIn.start();
    assert.equal((await get(standIn.port, "/health_check")).status, 200);
  });
});

describe("API and Grafana stand-ins", () => {
  it("answer /api/health_check and /api/health", async () => {
    const api = new ApiStandIn(await freePort());
    const grafana = new GrafanaStandIn(await freePort());
    await api.start();
    await grafana.start();
    try {
      assert.deepEqual(JSON.parse((await get(api.port, "/api/health_check")).body.toString()), { status: "Ok" });
      assert.equal(JSON.parse((await get(grafana.port, "/api/health")).body.toString()).database, "ok");
      assert.match((await get(grafana.port, "/")).body.toString(), /Grafana stand-in/);
    } finally {
      await api.stop();
      await grafana.stop();
    }
  });

  it("Grafana's stand-in upgrades /api/live/ws and echoes a text frame (ws client)", async () => {
    const grafana = new GrafanaStandIn(await freePort());
    await grafana.start();
    try {
      const reply = await new Promise<{ headers: Record<string, unknown>; text: string }>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${grafana.port}/api/live/ws`);
        let headers: Record<string, unknown> = {};
        ws.on("upgrade", (res) => (headers = res.headers));
        ws.on("open", () => ws.send("ping ü"));
        ws.on("message", (data) => {
          ws.close();
          resolve({ headers, text: String(data) });
        });
        ws.on("error", reject);
      });
      assert.equal(reply.headers[STAND_IN_HEADER], "grafana (rehearsal stand-in)");
      assert.equal(reply.text, "ping ü");
      assert.equal(grafana.upgrades, 1);
      // Anything but /api/live/ws is refused.
      const refused = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${grafana.port}/other`);
        ws.on("unexpected-response", (_req, res) => (resolve(res.statusCode ?? 0), ws.terminate()));
        ws.on("error", () => resolve(-1));
      });
      assert.equal(refused, 400);
    } finally {
      await grafana.stop();
    }
  });
});
