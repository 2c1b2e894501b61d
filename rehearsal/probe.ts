// Network probes of the verifier: HTTP(S) requests pinned to an address, TLS handshakes with a
// chosen version range, and a WebSocket round trip. Each connects to an IP literal with the
// hostname as SNI and Host, so name resolution is checked separately and stays explicit.
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import { X509Certificate } from "node:crypto";
import WebSocket from "ws";

export interface Target {
  /** The hostname (SNI, Host header, certificate name). */
  readonly hostname: string;
  /** The IP address to connect to. */
  readonly address: string;
  readonly port?: number;
}

export interface ClientOptions {
  /** Trust anchors (PEM). Undefined: the system's. */
  readonly ca?: string;
  /** Source address (the rehearsal sends from 127.0.0.5 so the client differs from the proxy). */
  readonly localAddress?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

export interface CertificateInfo {
  readonly serialNumber: string;
  readonly subjectAltName: string;
  readonly issuer: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  readonly fingerprint256: string;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** Milliseconds until the whole answer was read. */
  readonly ms: number;
  readonly tlsProtocol?: string;
  readonly certificate?: CertificateInfo;
}

export interface RequestOptions extends ClientOptions {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly scheme: "http" | "https";
}

const USER_AGENT = "torrust-rehearsal-verifier/1";

/** One request on a fresh connection, certificate verified against `ca` and the hostname. */
export function request(target: Target, options: RequestOptions): Promise<HttpResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 5000;
  const secure = options.scheme === "https";
  const port = target.port ?? (secure ? 443 : 80);
  const base: http.RequestOptions = {
    host: target.address,
    port,
    method: options.method ?? "GET",
    path: options.path,
    localAddress: options.localAddress,
    agent: false,
    headers: { Host: port === (secure ? 443 : 80) ? target.hostname : `${target.hostname}:${port}`, "User-Agent": USER_AGENT, ...options.headers },
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const socket = res.socket as tls.TLSSocket | null;
        const peer = secure && socket?.getPeerX509Certificate ? socket.getPeerX509Certificate() : undefined;
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          ms: Date.now() - started,
          tlsProtocol: secure ? (socket?.getProtocol?.() ?? undefined) : undefined,
          certificate: peer ? certificateInfo(peer) : undefined,
        });
      });
    };
    const req = secure
      ? https.request({ ...base, servername: target.hostname, ca: options.ca, rejectUnauthorized: true }, onResponse)
      : http.request(base, onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

export function certificateInfo(c: X509Certificate): CertificateInfo {
  return {
    serialNumber: c.serialNumber,
    subjectAltName: c.subjectAltName ?? "",
    issuer: c.issuer.replace(/\n/g, ", "),
    validFrom: new Date(c.validFrom),
    validTo: new Date(c.validTo),
    fingerprint256: c.fingerprint256,
  };
}

export interface HandshakeOptions extends ClientOptions {
  readonly minVersion?: tls.SecureVersion;
  readonly maxVersion?: tls.SecureVersion;
  /** Verify the chain and the name. @default true */
  readonly verify?: boolean;
}

export interface HandshakeResult {
  readonly ok: boolean;
  readonly protocol?: string;
  readonly certificate?: CertificateInfo;
  /** Why the handshake or the verification failed. */
  readonly error?: string;
}

/**
 * A TLS connection to the target's address (from localAddress) with the hostname as SNI; `finish`
 * is called once, with the error message of a failed connection or timeout, and tears it down.
 */
function tlsSession<R>(
  target: Target,
  options: ClientOptions & tls.ConnectionOptions,
  resolve: (r: R) => void,
  onError: (message: string) => R,
): { socket: tls.TLSSocket; finish: (r: R) => void } {
  let settled = false;
  const raw = net.connect({ host: target.address, port: target.port ?? 443, localAddress: options.localAddress });
  const { timeoutMs = 5000, localAddress: _l, ...tlsOptions } = options;
  const socket = tls.connect({ ...tlsOptions, socket: raw, servername: target.hostname, ALPNProtocols: ["http/1.1"] });
  const finish = (r: R) => {
    if (settled) return;
    settled = true;
    socket.destroy();
    raw.destroy();
    resolve(r);
  };
  raw.on("error", (err) => finish(onError(err.message)));
  socket.on("error", (err) => finish(onError(err.message)));
  socket.setTimeout(timeoutMs, () => finish(onError(`no answer within ${timeoutMs} ms`)));
  return { socket, finish };
}

/** A TLS handshake only (no HTTP). TLS 1.0/1.1 offers need OpenSSL security level 0 on the client side. */
export function handshake(target: Target, options: HandshakeOptions = {}): Promise<HandshakeResult> {
  const legacy = options.maxVersion === "TLSv1" || options.maxVersion === "TLSv1.1";
  return new Promise((resolve) => {
    const { verify = true, ...rest } = options;
    const { socket, finish } = tlsSession<HandshakeResult>(
      target,
      { ...rest, ciphers: legacy ? "DEFAULT:@SECLEVEL=0" : undefined, rejectUnauthorized: verify },
      resolve,
      (error) => ({ ok: false, error }),
    );
    socket.on("secureConnect", () => {
      const peer = socket.getPeerX509Certificate();
      finish({ ok: true, protocol: socket.getProtocol() ?? undefined, certificate: peer ? certificateInfo(peer) : undefined });
    });
  });
}

export interface WebSocketResult {
  readonly status: number;
  /** The reply frame's text, when one came. */
  readonly reply?: string;
  readonly error?: string;
}

/**
 * Opens a WebSocket over TLS (`wss://hostname/path`) with the `ws` client (it checks the 101 and
 * Sec-WebSocket-Accept itself), sends one text message and waits for one message back. The
 * connection goes to `target.address` with the hostname as SNI and Host.
 */
export function webSocketRoundTrip(
  target: Target,
  path: string,
  message: string,
  options: ClientOptions & { headers?: Record<string, string> } = {},
): Promise<WebSocketResult> {
  const { timeoutMs = 5000, ca, localAddress, headers } = options;
  return new Promise((resolve) => {
    let status = 0;
    let settled = false;
    const family = net.isIPv6(target.address) ? 6 : 4;
    const ws = new WebSocket(`wss://${target.hostname}:${target.port ?? 443}${path}`, {
      ca,
      localAddress,
      origin: `https://${target.hostname}`,
      headers: { "User-Agent": USER_AGENT, ...headers },
      handshakeTimeout: timeoutMs,
      perMessageDeflate: false,
      // Pinned to the target's address: name resolution is checked separately.
      lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
        opts?.all ? cb(null, [{ address: target.address, family }]) : cb(null, target.address, family)) as never,
    });
    const done = (r: WebSocketResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => done({ status, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    ws.on("upgrade", (res) => (status = res.statusCode ?? 0));
    ws.on("unexpected-response", (_req, res) => {
      status = res.statusCode ?? 0;
      done({ status, error: `HTTP/${res.httpVersion} ${status} ${res.statusMessage ?? ""}`.trim() });
    });
    ws.on("open", () => ws.send(message));
    ws.on("message", (data) => {
      ws.close(1000);
      done({ status, reply: Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.concat(data as Buffer[]).toString("utf8") });
    });
    ws.on("close", (code, reason) => done({ status, error: `server closed the WebSocket (${code} ${reason.toString("utf8")})` }));
    ws.on("error", (err) => done({ status, error: err.message }));
  });
}
