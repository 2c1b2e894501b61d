// The verifier's checks, shared by `npm run verify` (a real deployment) and the rehearsal (the
// same checks against the network namespace). Each check returns rows; nothing here knows which
// proxy answers, only what the deployment promises.
import { randomBytes, createHash } from "node:crypto";
import type { Deployment } from "../constructs/deployment/schema";
import type { EdgeContext, EdgeSite, ProxyCapabilities } from "../constructs/edge/types";
import { bdecode, dictText, hasNonUtf8, isDict, type BDict } from "./bencode";
import { Bep15Client, compactPeers, type Peer } from "./bep15";
import { handshake, request, webSocketRoundTrip, type ClientOptions, type HttpResult, type Target } from "./probe";
import { check, fail, pass, skip, type Row } from "./rows";
import { BODY_SHA_HEADER, REQUEST_ID_HEADER, SAW_XFF_HEADER, type TrackerExchange } from "./standins";

export interface Addresses {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

/** What a deployment promises at its edge: the same for the rehearsal and a real server. */
export interface EdgePromises {
  readonly sites: readonly EdgeSite[];
  readonly udpTrackers: readonly { readonly hostname: string; readonly port: number }[];
  readonly hsts: boolean;
  /** The hello page's message (HTML-escaped as in the page), when there is a hello site. */
  readonly helloMessage?: string;
  /** The proxy redirects HTTP to HTTPS (false for Pingoo). */
  readonly redirect: boolean;
  /** Grafana Live is on (WebSocket at /api/live/ws). */
  readonly grafanaLive: boolean;
  /** Private tracker mode: announces need a key, so announce checks are skipped. */
  readonly privateTracker: boolean;
}

/** The promises of a validated deployment served by a proxy with these capabilities. */
export function edgePromises(d: Deployment, ctx: EdgeContext, capabilities: ProxyCapabilities): EdgePromises {
  return {
    sites: ctx.sites,
    udpTrackers: d.tracker.udpTrackers.map((u) => ({ hostname: `${u.subdomain}.${d.domain}`, port: u.port })),
    hsts: ctx.hsts,
    helloMessage: d.helloWorld ? escapeHtml(d.helloWorld.message) : undefined,
    redirect: capabilities.httpToHttpsRedirect,
    grafanaLive: d.grafana.live,
    privateTracker: d.tracker.private,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What the verifier checks: the deployment's promises and how to reach it. */
export interface VerifyTarget extends EdgePromises {
  /** The addresses DNS must answer for each hostname (undefined: not checked for that family). */
  readonly expected: { readonly ipv4?: string; readonly ipv6?: string };
  /** Hostnames served through Cloudflare's proxy (their DNS answers are Cloudflare's). */
  readonly cloudflareProxied: ReadonlySet<string>;
  /** Name resolution (real DNS for verify, the namespace's hosts file for the rehearsal). */
  readonly resolve: (hostname: string) => Promise<Addresses>;
  /** Whether the host publishes AAAA for a hostname (UDP always with IPv6; HTTPS names only if the proxy listens on IPv6). */
  readonly expectAaaa: (hostname: string) => boolean;
  /** Trust anchors for the served certificates (undefined: the system's). */
  readonly ca?: string;
  /** Source address for requests, and what the proxy should report as the client. */
  readonly localAddress?: string;
  /** Info hashes to announce (opentracker in the rehearsal only accepts listed ones). */
  readonly infoHashes: readonly Buffer[];
  /** The rehearsal's tracker stand-in: reports what it received and sent, for byte and XFF comparisons. */
  readonly trackerStandIn?: { exchange(id: string): TrackerExchange | undefined };
  /** The WebSocket reply must equal the message (the rehearsal's echo stand-in). */
  readonly expectEcho: boolean;
  readonly timeoutMs?: number;
}

function client(t: VerifyTarget): ClientOptions {
  return { ca: t.ca, localAddress: t.localAddress, timeoutMs: t.timeoutMs ?? 5000 };
}

function endpoint(t: VerifyTarget, hostname: string, port?: number): Target {
  const address = t.expected.ipv4;
  if (!address) throw new Error("no IPv4 address to connect to");
  return { hostname, address, port };
}

const short = (b: Buffer, n = 120) => JSON.stringify(b.toString("latin1").slice(0, n));

/** Every check, in a stable order. */
export async function runChecks(t: VerifyTarget): Promise<Row[]> {
  const rows: Row[] = [];
  const hosts = [...t.sites.map((s) => s.hostname), ...t.udpTrackers.map((u) => u.hostname)];
  for (const h of [...new Set(hosts)]) rows.push(await checkDns(t, h));
  for (const s of t.sites) rows.push(await checkCertificate(t, s));
  for (const s of t.sites) rows.push(await checkRedirect(t, s));
  for (const s of t.sites) rows.push(await checkUpstream(t, s));
  for (const s of t.sites) rows.push(await checkTlsVersions(t, s));
  for (const s of t.sites) rows.push(await checkHsts(t, s));
  for (const s of t.sites.filter((x) => x.role === "http-tracker")) {
    rows.push(await checkAnnounce(t, s));
    rows.push(await checkScrape(t, s));
    rows.push(await checkForwardedFor(t, s));
  }
  for (const s of t.sites.filter((x) => x.role === "grafana")) rows.push(await checkWebSocket(t, s));
  for (const u of t.udpTrackers) rows.push(await checkUdpTracker(t, u));
  return rows;
}

export function checkDns(t: VerifyTarget, hostname: string): Promise<Row> {
  return check(`dns ${hostname}`, async () => {
    if (t.cloudflareProxied.has(hostname)) return skip(`dns ${hostname}`, "proxied by Cloudflare: answers are Cloudflare's addresses");
    const got = await t.resolve(hostname);
    const problems: string[] = [];
    const seen: string[] = [];
    if (t.expected.ipv4) {
      if (got.ipv4.length !== 1 || got.ipv4[0] !== t.expected.ipv4) problems.push(`A ${got.ipv4.join(",") || "none"} (expected ${t.expected.ipv4})`);
      else seen.push(`A ${got.ipv4[0]}`);
    }
    if (t.expected.ipv6 && t.expectAaaa(hostname)) {
      if (got.ipv6.length !== 1 || got.ipv6[0] !== t.expected.ipv6) problems.push(`AAAA ${got.ipv6.join(",") || "none"} (expected ${t.expected.ipv6})`);
      else seen.push(`AAAA ${got.ipv6[0]}`);
    } else if (got.ipv6.length > 0 && !t.expectAaaa(hostname)) {
      problems.push(`AAAA ${got.ipv6.join(",")} published but not expected`);
    }
    if (problems.length) return fail(`dns ${hostname}`, problems.join("; "));
    return seen.join(", ");
  });
}

export function checkCertificate(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `certificate ${site.hostname}`;
  return check(name, async () => {
    const r = await handshake(endpoint(t, site.hostname), client(t));
    if (!r.ok || !r.certificate) return fail(name, r.error ?? "no certificate");
    const c = r.certificate;
    if (!c.subjectAltName.split(/,\s*/).includes(`DNS:${site.hostname}`)) return fail(name, `certificate names ${c.subjectAltName}`);
    const days = (c.validTo.getTime() - Date.now()) / 86_400_000;
    const left = days >= 1 ? `${days.toFixed(0)} days left` : `${((c.validTo.getTime() - Date.now()) / 1000).toFixed(0)} s left`;
    return `trusted, serial ${c.serialNumber}, issuer "${c.issuer.replace(/^.*CN=/, "")}", ${left}`;
  });
}

export function checkRedirect(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `redirect ${site.hostname}`;
  return check(name, async () => {
    if (!t.redirect) return skip(name, "the proxy has no HTTP→HTTPS redirect (port 80 closed)");
    const path = "/rehearsal/redirect-check?x=1";
    const r = await request(endpoint(t, site.hostname), { ...client(t), scheme: "http", path });
    const location = String(r.headers.location ?? "");
    const want = `https://${site.hostname}${path}`;
    if (![301, 302, 307, 308].includes(r.status) || location !== want) {
      return fail(name, `HTTP ${r.status} Location ${location || "none"} (expected 301/308 to ${want})`);
    }
    return `HTTP ${r.status} → ${location}`;
  });
}

/** What a healthy answer looks like for each role. */
function healthy(t: VerifyTarget, site: EdgeSite, r: HttpResult): string | undefined {
  const text = r.body.toString("utf8");
  if (r.status !== 200) return `HTTP ${r.status}`;
  switch (site.role) {
    case "hello":
      return t.helloMessage && !text.includes(t.helloMessage) ? "the page lacks the hello message" : undefined;
    case "api":
    case "http-tracker":
      return /"status"\s*:\s*"Ok"/.test(text) ? undefined : `body ${JSON.stringify(text.slice(0, 80))} is not {"status":"Ok"}`;
    case "grafana":
      return /"database"\s*:\s*"ok"/.test(text) ? undefined : `body ${JSON.stringify(text.slice(0, 80))} lacks "database":"ok"`;
  }
}

export function checkUpstream(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `upstream ${site.hostname}`;
  return check(name, async () => {
    const r = await request(endpoint(t, site.hostname), { ...client(t), scheme: "https", path: site.healthPath });
    const problem = healthy(t, site, r);
    const via = site.upstream ? `127.0.0.1:${site.upstream.port}` : "the proxy's static files";
    const standIn = r.headers["x-stand-in"] ? ` [${String(r.headers["x-stand-in"])}]` : "";
    if (problem) return fail(name, `GET ${site.healthPath}: ${problem}`);
    return `${site.role} via ${via}: GET ${site.healthPath} → 200${standIn}`;
  });
}

export function checkTlsVersions(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `tls versions ${site.hostname}`;
  return check(name, async () => {
    const target = endpoint(t, site.hostname);
    const offered: string[] = [];
    for (const v of ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const) {
      const r = await handshake(target, { ...client(t), minVersion: v, maxVersion: v, verify: false });
      if (r.ok) offered.push(v);
    }
    const ok = offered.join(",") === "TLSv1.2,TLSv1.3";
    return ok ? pass(name, "TLS 1.2 and 1.3 accepted; 1.0 and 1.1 refused") : fail(name, `accepted: ${offered.join(", ") || "none"} (expected TLSv1.2, TLSv1.3)`);
  });
}

export function checkHsts(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `hsts ${site.hostname}`;
  return check(name, async () => {
    const r = await request(endpoint(t, site.hostname), { ...client(t), scheme: "https", path: site.healthPath });
    const value = r.headers["strict-transport-security"];
    if (!t.hsts) return value ? fail(name, `proxy.hsts is false but the header is sent: ${String(value)}`) : skip(name, "proxy.hsts is false");
    const age = Number(/max-age=(\d+)/i.exec(String(value ?? ""))?.[1] ?? 0);
    return value && age > 0 ? `Strict-Transport-Security: ${String(value)}` : fail(name, `header ${value ? String(value) : "missing"}`);
  });
}

function announcePath(infoHash: Buffer, peerId: Buffer, port: number, event?: string): string {
  const q = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, "0")}`).join("");
  return `/announce?info_hash=${q(infoHash)}&peer_id=${q(peerId)}&port=${port}&uploaded=0&downloaded=0&left=0&compact=1${event ? `&event=${event}` : ""}`;
}

function scrapePath(infoHash: Buffer): string {
  return `/scrape?info_hash=${[...infoHash].map((x) => `%${x.toString(16).padStart(2, "0")}`).join("")}`;
}

export function peerId(): Buffer {
  return Buffer.concat([Buffer.from("-TR0001-", "latin1"), randomBytes(12)]);
}

/** Compares what the client got with what the stand-in sent (rehearsal), else checks the bencode only. */
function sameBytes(t: VerifyTarget, id: string, r: HttpResult): string | undefined {
  if (!t.trackerStandIn) return undefined;
  const sent = t.trackerStandIn.exchange(id);
  if (!sent) return "the tracker stand-in has no record of the request";
  if (!sent.body.equals(r.body)) return `body differs: tracker sent ${sent.body.length} bytes ${short(sent.body, 60)}, client got ${r.body.length} bytes ${short(r.body, 60)}`;
  const sha = createHash("sha256").update(r.body).digest("hex");
  if (r.headers[BODY_SHA_HEADER] && r.headers[BODY_SHA_HEADER] !== sha) return "body sha256 differs from the stand-in's";
  return "";
}

export function checkAnnounce(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `announce ${site.hostname}`;
  return check(name, async () => {
    if (t.privateTracker) return skip(name, "private tracker: announces need a key");
    const target = endpoint(t, site.hostname);
    const hash = t.infoHashes[0];
    // A first peer on port 65534 (0xfffe) makes the second answer's compact peers non-UTF-8 bytes.
    const first = await request(target, { ...client(t), scheme: "https", path: announcePath(hash, peerId(), 65534, "started") });
    if (first.status !== 200) return fail(name, `first announce: HTTP ${first.status} ${short(first.body)}`);
    const id = randomBytes(8).toString("hex");
    const r = await request(target, {
      ...client(t),
      scheme: "https",
      path: announcePath(hash, peerId(), 6881, "started"),
      headers: { [REQUEST_ID_HEADER]: id },
    });
    if (r.status !== 200) return fail(name, `HTTP ${r.status} ${short(r.body)}`);
    const d = bdecode(r.body);
    if (!isDict(d)) return fail(name, `answer is not a bencoded dictionary: ${short(r.body)}`);
    const failure = dictText(d, "failure reason");
    if (failure) return fail(name, `tracker failure: ${failure}`);
    if (typeof d.interval !== "number") return fail(name, "answer has no interval");
    const peers = Buffer.isBuffer(d.peers) ? compactPeers(d.peers) : [];
    const identical = sameBytes(t, id, r);
    if (identical) return fail(name, identical);
    const binary = hasNonUtf8(r.body);
    if (t.trackerStandIn && !binary) return fail(name, "answer has no non-UTF-8 bytes: the byte check proves nothing");
    return (
      `${r.body.length}-byte bencoded answer, interval ${d.interval}, ${peers.length} compact peers` +
      `${binary ? ", non-UTF-8 bytes" : ""}${identical === "" ? ", byte-identical to what the tracker sent" : ""}`
    );
  });
}

export function checkScrape(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `scrape ${site.hostname}`;
  return check(name, async () => {
    if (t.privateTracker) return skip(name, "private tracker: scrapes need a key");
    const hash = t.infoHashes[0];
    const id = randomBytes(8).toString("hex");
    const r = await request(endpoint(t, site.hostname), { ...client(t), scheme: "https", path: scrapePath(hash), headers: { [REQUEST_ID_HEADER]: id } });
    if (r.status !== 200) return fail(name, `HTTP ${r.status} ${short(r.body)}`);
    const d = bdecode(r.body);
    const files = isDict(d) ? d.files : undefined;
    if (!isDict(files)) return fail(name, `answer has no files dictionary: ${short(r.body)}`);
    const entry = files[hash.toString("latin1")] as BDict | undefined;
    if (!isDict(entry)) return fail(name, "the announced info_hash is not in the scrape answer");
    const identical = sameBytes(t, id, r);
    if (identical) return fail(name, identical);
    return `complete ${String(entry.complete)}, incomplete ${String(entry.incomplete)}${hasNonUtf8(r.body) ? ", raw info_hash bytes" : ""}${identical === "" ? ", byte-identical" : ""}`;
  });
}

export function checkForwardedFor(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `x-forwarded-for ${site.hostname}`;
  return check(name, async () => {
    if (t.privateTracker) return skip(name, "private tracker: announces need a key");
    const target = endpoint(t, site.hostname);
    const spoof = "6.6.6.6";
    if (t.trackerStandIn) {
      // The stand-in echoes the header it received; a client-sent value must not be the right-most entry.
      const client0 = t.localAddress ?? "127.0.0.1";
      const id = randomBytes(8).toString("hex");
      const r = await request(target, {
        ...client(t),
        scheme: "https",
        path: announcePath(t.infoHashes[1], peerId(), 6882),
        headers: { "X-Forwarded-For": spoof, [REQUEST_ID_HEADER]: id },
      });
      const saw = t.trackerStandIn.exchange(id)?.xForwardedFor ?? String(r.headers[SAW_XFF_HEADER] ?? "");
      const rightmost = saw.split(",").map((s) => s.trim()).filter(Boolean).pop();
      if (rightmost !== client0) return fail(name, `tracker saw X-Forwarded-For "${saw}": right-most ${rightmost ?? "none"}, client is ${client0}`);
      return `client ${client0} sent "X-Forwarded-For: ${spoof}"; tracker saw "${saw}" (right-most = client)`;
    }
    // A real tracker: the peer announced over HTTPS must get the same address as one announced
    // directly over UDP (the UDP tracker sees the client's address with no proxy in between).
    const udp = t.udpTrackers[0];
    if (!udp) return skip(name, "no UDP tracker to learn the client's address from");
    const hash = randomBytes(20);
    const a = peerId();
    const r = await request(target, { ...client(t), scheme: "https", path: announcePath(hash, a, 6883, "started"), headers: { "X-Forwarded-For": spoof } });
    const d = bdecode(r.body);
    if (!isDict(d) || dictText(d, "failure reason")) return fail(name, `HTTPS announce failed: ${short(r.body)}`);
    const c = new Bep15Client({ host: endpoint(t, udp.hostname).address, port: udp.port, localAddress: t.localAddress });
    try {
      await c.announce({ infoHash: hash, peerId: peerId(), port: 6884, event: "started" });
      const seen = await c.announce({ infoHash: hash, peerId: peerId(), port: 6885, event: "started", numWant: 50 });
      const https = seen.peers.find((p: Peer) => p.port === 6883);
      const direct = seen.peers.find((p: Peer) => p.port === 6884);
      if (!https || !direct) return fail(name, `tracker listed ${seen.peers.map((p) => `${p.ip}:${p.port}`).join(" ") || "no peers"}`);
      if (https.ip !== direct.ip) return fail(name, `peer announced over HTTPS recorded as ${https.ip}, the client is ${direct.ip} (as UDP saw it)`);
      return `peer announced over HTTPS (with a spoofed "X-Forwarded-For: ${spoof}") recorded as ${https.ip}, the client's address`;
    } finally {
      c.close();
    }
  });
}

export function checkWebSocket(t: VerifyTarget, site: EdgeSite): Promise<Row> {
  const name = `websocket ${site.hostname}`;
  return check(name, async () => {
    if (!t.grafanaLive) return skip(name, "grafana.live is false");
    const message = JSON.stringify({ id: 1, connect: {} });
    const r = await webSocketRoundTrip(endpoint(t, site.hostname), "/api/live/ws", message, client(t));
    if (r.status === 401 || r.status === 403) return skip(name, `HTTP ${r.status}: Grafana wants a login before Live; the upgrade reached it`);
    if (r.status !== 101) return fail(name, `HTTP ${r.status || "none"}: ${r.error ?? ""}`);
    if (r.reply === undefined) return fail(name, `101, then ${r.error ?? "no frame back"}`);
    if (t.expectEcho && r.reply !== message) return fail(name, `101, but the echo differs: ${r.reply.slice(0, 80)}`);
    return `101 Switching Protocols; ${t.expectEcho ? "text frame echoed" : `reply ${r.reply.slice(0, 60)}`}`;
  });
}

export function checkUdpTracker(t: VerifyTarget, u: { hostname: string; port: number }): Promise<Row> {
  const name = `udp tracker ${u.hostname}:${u.port}`;
  return check(name, async () => {
    const c = new Bep15Client({ host: endpoint(t, u.hostname).address, port: u.port, localAddress: t.localAddress, timeoutMs: 1500, attempts: 3 });
    try {
      const id = await c.connect();
      if (t.privateTracker) return `BEP 15 connect answered (connection id ${id.toString(16)}); announce skipped (private tracker)`;
      const hash = t.infoHashes[2] ?? randomBytes(20);
      const a = await c.announce({ infoHash: hash, peerId: peerId(), port: 6886, event: "started" });
      const s = await c.scrape([hash]);
      await c.announce({ infoHash: hash, peerId: peerId(), port: 6886, event: "stopped" }).catch(() => undefined);
      return `BEP 15 connect, announce (interval ${a.interval}, ${a.seeders} seeders) and scrape (${s[0].seeders} seeders) answered`;
    } finally {
      c.close();
    }
  });
}
