// Stand-ins for what cannot run here (the Torrust tracker image, Grafana), named as such in every
// answer (header X-Stand-In). They listen on the loopback ports the deployment gives its
// upstreams, so the proxy config is exercised unchanged.
//
// - tracker (HTTP tracker port): /announce and /scrape are answered by opentracker (a real
//   tracker) through this stand-in, which records the X-Forwarded-For it saw and the exact
//   bytes it returned, and behaves like Torrust with on_reverse_proxy = true (no XFF → failure).
//   /health_check answers like Torrust's.
// - tracker API: /api/health_check.
// - Grafana: a page, /api/health, and a WebSocket echo at /api/live/ws (node's upgrade event).
// - hello: the static page, only for a proxy that cannot serve it itself.
import * as http from "node:http";
import type { Duplex } from "node:stream";
import { createHash } from "node:crypto";
import { bencode } from "./bencode";
import { WebSocketServer } from "ws";

export const STAND_IN_HEADER = "x-stand-in";
/** Response header: the X-Forwarded-For value the tracker stand-in received ("-" when none). */
export const SAW_XFF_HEADER = "x-stand-in-saw-x-forwarded-for";
/** Response header: sha256 of the body bytes the tracker stand-in sent. */
export const BODY_SHA_HEADER = "x-stand-in-body-sha256";
/** Request header a client may set to find its request in the stand-in's record. */
export const REQUEST_ID_HEADER = "x-rehearsal-request";

/** What the tracker stand-in saw and answered for one request. */
export interface TrackerExchange {
  readonly path: string;
  readonly xForwardedFor?: string;
  readonly status: number;
  readonly body: Buffer;
}

/** Torrust's answer to an announce without X-Forwarded-For when on_reverse_proxy = true. */
export const MISSING_XFF_FAILURE = "missing or invalid the right most X-Forwarded-For IP (mandatory on reverse proxy tracker configuration)";

export abstract class StandIn {
  protected server?: http.Server;
  private readonly sockets = new Set<Duplex>();
  /** Requests answered (for "no failed request" loops and progress). */
  requests = 0;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly host = "127.0.0.1",
  ) {}

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void>;

  protected onUpgrade(_req: http.IncomingMessage, socket: Duplex, _head: Buffer): void {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.requests++;
      res.setHeader(STAND_IN_HEADER, `${this.name} (rehearsal stand-in)`);
      Promise.resolve(this.handle(req, res)).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`stand-in error: ${err.message}`);
      });
    });
    server.on("upgrade", (req, socket, head) => this.onUpgrade(req, socket, head));
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
  }

  /** Stops listening and drops open connections (an upstream that is down). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** The HTTP tracker: an X-Forwarded-For tap in front of opentracker. */
export class TrackerStandIn extends StandIn {
  /** Exchanges by the client's x-rehearsal-request id. */
  readonly exchanges = new Map<string, TrackerExchange>();

  constructor(
    port: number,
    private readonly opentracker: { host: string; port: number },
  ) {
    super("http-tracker: opentracker behind an X-Forwarded-For tap", port);
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (url.pathname === "/health_check") return json(res, 200, { status: "Ok" });
    if (url.pathname !== "/announce" && url.pathname !== "/scrape") return json(res, 404, { error: "not found" });
    const xff = req.headers["x-forwarded-for"];
    const xffText = Array.isArray(xff) ? xff.join(", ") : xff;
    let status = 200;
    let body: Buffer;
    if (!xffText) {
      body = bencode({ "failure reason": MISSING_XFF_FAILURE });
    } else {
      ({ status, body } = await this.forward(req.url ?? "/"));
    }
    const id = req.headers[REQUEST_ID_HEADER];
    if (typeof id === "string") this.exchanges.set(id, { path: url.pathname, xForwardedFor: xffText, status, body });
    res.writeHead(status, {
      "Content-Type": "text/plain",
      "Content-Length": body.length,
      [SAW_XFF_HEADER]: xffText ?? "-",
      [BODY_SHA_HEADER]: createHash("sha256").update(body).digest("hex"),
    });
    res.end(body);
  }

  private forward(pathAndQuery: string): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const r = http.get({ host: this.opentracker.host, port: this.opentracker.port, path: pathAndQuery, agent: false }, (up) => {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => resolve({ status: up.statusCode ?? 502, body: Buffer.concat(chunks) }));
        up.on("error", reject);
      });
      r.setTimeout(3000, () => r.destroy(new Error("opentracker did not answer")));
      r.on("error", reject);
    });
  }
}

/** The tracker's REST API (health check only). */
export class ApiStandIn extends StandIn {
  constructor(port: number) {
    super("tracker-api", port);
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (url.pathname === "/api/health_check") return json(res, 200, { status: "Ok" });
    json(res, 404, { error: "not found (tracker API stand-in answers /api/health_check only)" });
  }
}

/** Grafana: a page, /api/health, and a WebSocket echo at /api/live/ws. */
export class GrafanaStandIn extends StandIn {
  /** Upgrade requests accepted. */
  upgrades = 0;

  constructor(port: number) {
    super("grafana", port);
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (url.pathname === "/api/health") return json(res, 200, { commit: "stand-in", database: "ok", version: "stand-in" });
    if (url.pathname === "/api/live/ws") {
      res.writeHead(400, { "Content-Type": "text/plain" });
      return void res.end("websocket: the client is not using the websocket protocol");
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>Grafana (rehearsal stand-in)</title><h1>Grafana stand-in</h1>\n");
  }

  /** The `ws` server that answers upgrades (no HTTP server of its own: the stand-in's gets the upgrade). */
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  protected override onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (url.pathname !== "/api/live/ws" || req.headers.upgrade?.toLowerCase() !== "websocket") {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      return;
    }
    this.upgrades++;
    socket.on("error", () => socket.destroy());
    this.wss.once("headers", (headers) => headers.push(`${STAND_IN_HEADER}: ${this.name} (rehearsal stand-in)`));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Echo: what Grafana Live's stand-in must show is that frames pass both ways.
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on("error", () => ws.terminate());
    });
  }
}

/** The hello page for a proxy that cannot serve static files. */
export class HelloStandIn extends StandIn {
  constructor(
    port: number,
    private readonly page: string,
  ) {
    super("hello", port);
  }

  protected handle(_req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(this.page);
  }
}
