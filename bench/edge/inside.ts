// The benchmark's helper inside one network namespace and a private mount namespace, for one
// proxy (started by bench/edge.ts as `ip netns exec NS unshare --mount -- node --import tsx
// bench/edge/inside.ts SPEC`). It sets the server up exactly as the rehearsal does (its Scenario:
// overlays, the files from the synthesized user_data, Pebble, the proxy's first boot with the
// generated config until every hostname has a test-CA certificate), puts the announce upstream on
// the HTTP tracker's port, writes the reference config, and then answers `measure` commands
// (one JSON line each on stdin): start one configuration, check an announce through it, run wrk
// in each mode while counting the proxy's and the upstream's CPU time, stop it.
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import * as readline from "node:readline";
import * as tls from "node:tls";
import type { EdgeSite } from "../../constructs/edge/types";
import { NGINX_CERTBOT_PATHS } from "../../constructs/proxies/nginx-certbot/paths";
import { bdecode, dictText, isDict } from "../../rehearsal/bencode";
import { CaddyDriver } from "../../rehearsal/drivers";
import { Scenario } from "../../rehearsal/inside";
import { startOpentracker } from "../../rehearsal/opentracker";
import { request } from "../../rehearsal/probe";
import { sleep, waitFor, type Proc } from "../../rehearsal/proc";
import { REPO } from "../../rehearsal/prepare";
import { childrenOf, cpuSecondsBetween, cpuSecondsEach, machineTicks, processTree, snapshot } from "./cpu";
import type { BenchSpec, Command, ConfigFacts, Message, Mode, RunResult, Variant } from "./protocol";
import { referenceCaddyfile, referenceNginxConf, referenceNginxSite } from "./references";
import { STATS_PATH, type UpstreamStats } from "./upstream";
import { BASELINE_XFF, USER_AGENT, announceLua, percentEncode, runWrk } from "./wrk";

function emit(m: Message): void {
  process.stdout.write(`${JSON.stringify(m)}\n`);
}
const progress = (message: string) => emit({ type: "progress", message });

/** One configuration the benchmark can start, load and stop. */
interface Config {
  readonly variant: Variant;
  readonly url: string;
  readonly command: string;
  readonly files: readonly { path: string; content: string }[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every process of the proxy now (empty for the baseline). */
  pids(): number[];
}

/** GET on loopback, JSON body. */
function getJson<T>(port: number, pathname: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: pathname, agent: false, timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString("utf8")));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** A second TLS connection offered the first one's session: was it resumed? */
function tlsResumes(hostname: string, ca: string, pathAndQuery: string): Promise<boolean> {
  const connect = (session?: Buffer) =>
    new Promise<{ reused: boolean; session?: Buffer }>((resolve, reject) => {
      let latest: Buffer | undefined;
      let reused = false;
      const socket = tls.connect({ host: "127.0.0.1", port: 443, servername: hostname, ca, session, ALPNProtocols: ["http/1.1"] });
      socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
      socket.on("session", (s: Buffer) => (latest = s));
      socket.on("secureConnect", () => {
        reused = socket.isSessionReused(); // known only while the connection is open
        socket.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: ${hostname}\r\nUser-Agent: ${USER_AGENT}\r\nConnection: close\r\n\r\n`);
      });
      socket.on("data", () => undefined);
      socket.on("error", reject);
      socket.on("close", () => resolve({ reused, session: latest }));
    });
  return connect().then((first) => (first.session ? connect(first.session).then((second) => second.reused) : false));
}

class Bench {
  readonly scenario: Scenario;
  readonly tracker: EdgeSite & { upstream: NonNullable<EdgeSite["upstream"]> };
  readonly started = Date.now();
  readonly dir: string;
  readonly script: string;
  private upstream?: Proc;
  private upstreamLabel = "";
  private readonly configs = new Map<Variant, Config>();
  private readonly facts = new Map<Variant, ConfigFacts>();
  private running?: Config;
  /** Set once cleanup began: nothing starts any more. */
  private closed = false;

  constructor(readonly spec: BenchSpec) {
    this.scenario = new Scenario(spec);
    const site = spec.sites.find((s) => s.role === "http-tracker" && s.upstream);
    if (!site?.upstream) throw new Error("the deployment has no HTTP tracker behind the proxy: nothing to announce to");
    this.tracker = site as Bench["tracker"];
    this.dir = path.join(spec.runDir, "bench");
    this.script = path.join(this.dir, "announce.lua");
  }

  get port(): number {
    return this.tracker.upstream.port;
  }

  /** An announce for the first whitelisted info_hash: the check before each load run. */
  private announcePath(): string {
    const peerId = Buffer.from("-qB4630-benchcheck00", "latin1");
    return `/announce?info_hash=${percentEncode(Buffer.from(this.spec.bench.infoHashes[0], "hex"))}&peer_id=${percentEncode(peerId)}&port=51413&uploaded=0&downloaded=0&left=1000&numwant=200&compact=1`;
  }

  async setup(): Promise<void> {
    const s = this.scenario;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    progress(`setting up the server's files (${this.spec.files.length} from write_files)`);
    await s.setup();
    progress("starting Pebble");
    await s.pebble.start(progress);
    progress(`first boot with the generated config (${this.spec.kind === "caddy" ? "compose service caddy" : this.spec.bootstrap.join(" && ")})`);
    await s.driver.firstBoot();
    await s.certificates(60_000);
    progress("every hostname has its test-CA certificate; generated config stopped until measured");
    await s.driver.stop();
    await this.startUpstream();
    fs.writeFileSync(this.script, announceLua(this.spec.bench.infoHashes));
    this.configs.set("baseline", {
      variant: "baseline",
      url: `http://127.0.0.1:${this.port}/`,
      command: `${this.upstreamLabel} directly (no proxy, no TLS; wrk sends X-Forwarded-For: ${BASELINE_XFF})`,
      files: [],
      start: async () => undefined,
      stop: async () => undefined,
      pids: () => [],
    });
    for (const c of this.spec.kind === "caddy" ? this.caddyConfigs() : this.nginxConfigs()) this.configs.set(c.variant, c);
  }

  /** The announce responder on the HTTP tracker's port, in place of the rehearsal's stand-in tap. */
  private async startUpstream(): Promise<void> {
    const s = this.scenario;
    for (const t of s.trackers.filter((x) => x.port === this.port)) await t.stop();
    const { upstream, infoHashes } = this.spec.bench;
    if (upstream === "opentracker") {
      this.upstream = await startOpentracker(s.procs, {
        dir: path.join(this.dir, "opentracker"),
        httpPort: this.port,
        udpPorts: [],
        infoHashes: infoHashes.map((h) => Buffer.from(h, "hex")),
      });
      this.upstreamLabel = `opentracker (Debian) on 127.0.0.1:${this.port}`;
      return;
    }
    const whitelist = path.join(this.dir, "whitelist.txt");
    fs.writeFileSync(whitelist, `${infoHashes.join("\n")}\n`);
    const proc = s.procs.start("announce-stand-in", process.execPath, ["--import", "tsx", path.join(__dirname, "upstream.ts"), String(this.port), whitelist], { cwd: REPO });
    this.upstream = proc;
    await waitFor(
      "the announce stand-in",
      async () => {
        if (proc.exitCode !== undefined) throw new Error(`announce stand-in exited (${proc.exitCode}); see ${proc.logFile}`);
        return getJson<UpstreamStats>(this.port, STATS_PATH);
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    this.upstreamLabel = `announce stand-in (bench/edge/upstream.ts, Node, keep-alive) on 127.0.0.1:${this.port}`;
  }

  private caddyConfigs(): Config[] {
    const s = this.scenario;
    const svc = this.spec.composeService;
    const generatedFile = this.spec.caddyfile;
    if (!svc || !generatedFile) throw new Error("the scenario has no Caddy compose service");
    const generated = fs.readFileSync(generatedFile, "utf8");
    const refFile = path.join(this.dir, "reference", "Caddyfile");
    fs.mkdirSync(path.dirname(refFile), { recursive: true });
    fs.writeFileSync(refFile, referenceCaddyfile(generated, this.spec.sites));
    // The same compose command and environment, only the Caddyfile swapped.
    const refCommand = svc.command.map((a) => (a === generatedFile ? refFile : a));
    if (!refCommand.includes(refFile)) throw new Error(`the compose command does not name ${generatedFile}: ${svc.command.join(" ")}`);
    const reference = new CaddyDriver({ ...this.spec, composeService: { ...svc, command: refCommand } }, s.procs);
    const url = `https://${this.tracker.hostname}/`;
    const pids = () => childrenOf(process.pid, "caddy");
    return [
      { variant: "generated", url, command: svc.command.join(" "), files: [{ path: generatedFile, content: generated }], start: () => s.driver.firstBoot(), stop: () => s.driver.stop(), pids },
      { variant: "reference", url, command: refCommand.join(" "), files: [{ path: refFile, content: fs.readFileSync(refFile, "utf8") }], start: () => reference.firstBoot(), stop: () => reference.stop(), pids },
    ];
  }

  private nginxConfigs(): Config[] {
    const s = this.scenario;
    const url = `https://${this.tracker.hostname}/`;
    const tlsSite = fs.readFileSync(NGINX_CERTBOT_PATHS.tlsSite, "utf8");
    const httpSite = fs.readFileSync(NGINX_CERTBOT_PATHS.httpSite, "utf8");
    const stockConf = "/etc/nginx/nginx.conf";
    const masterPid = () => Number(fs.readFileSync("/run/nginx.pid", "utf8").trim());
    const refDir = path.join(this.dir, "reference");
    fs.mkdirSync(refDir, { recursive: true, mode: 0o755 });
    const refSite = path.join(refDir, "certbot-nginx-site.conf");
    const refConf = path.join(refDir, "nginx.conf");
    const refPid = "/run/nginx-bench-reference.pid";
    fs.writeFileSync(refSite, referenceNginxSite(this.spec.sites, /listen \[::\]:443/.test(tlsSite)));
    fs.writeFileSync(refConf, referenceNginxConf(fs.readFileSync(stockConf, "utf8"), refSite, refPid));
    let refProc: Proc | undefined;
    return [
      {
        variant: "generated",
        url,
        command: "nginx.service (Debian's unit: nginx -g 'daemon on; master_process on;') with the stock nginx.conf and the generated sites",
        files: [
          { path: NGINX_CERTBOT_PATHS.tlsSite, content: tlsSite },
          { path: NGINX_CERTBOT_PATHS.httpSite, content: httpSite },
        ],
        start: async () => {
          await s.manager.start("nginx.service");
          if (s.manager.unit("nginx.service").state !== "active") throw new Error("nginx.service did not start; see unit-nginx.service.log");
        },
        stop: () => s.manager.stop("nginx.service"),
        pids: () => processTree(masterPid()),
      },
      {
        variant: "reference",
        url,
        command: `nginx -c ${refConf} -g 'daemon off;'`,
        files: [
          { path: refConf, content: fs.readFileSync(refConf, "utf8") },
          { path: refSite, content: fs.readFileSync(refSite, "utf8") },
        ],
        start: async () => {
          const p = s.procs.start("nginx-reference", "nginx", ["-c", refConf, "-g", "daemon off;"]);
          refProc = p;
          await waitFor("the reference nginx", async () => {
            if (p.exitCode !== undefined) throw new Error(`reference nginx exited (${p.exitCode}); see ${p.logFile}`);
            return fs.existsSync(refPid) && childrenOf(p.pid).length > 0 ? true : undefined;
          }, { timeoutMs: 10_000, intervalMs: 50 });
        },
        stop: async () => {
          if (refProc) await s.procs.stop(refProc, "SIGQUIT", 10_000);
          refProc = undefined;
        },
        pids: () => (refProc ? processTree(refProc.pid) : []),
      },
    ];
  }

  /** One announce through the configuration: a bencoded answer with peers, no failure reason. */
  private async checkAnnounce(c: Config): Promise<{ serial?: string; protocol?: string }> {
    const baseline = c.variant === "baseline";
    const r = await request(
      { hostname: baseline ? "127.0.0.1" : this.tracker.hostname, address: "127.0.0.1", port: baseline ? this.port : 443 },
      {
        scheme: baseline ? "http" : "https",
        path: this.announcePath(),
        ca: this.scenario.pebble.root,
        headers: { "User-Agent": USER_AGENT, ...(baseline ? { "X-Forwarded-For": BASELINE_XFF } : {}) },
        timeoutMs: 3000,
      },
    );
    if (r.status !== 200) throw new Error(`announce through ${c.variant}: HTTP ${r.status}`);
    const d = bdecode(r.body);
    if (!isDict(d)) throw new Error(`announce through ${c.variant}: not a bencoded dictionary`);
    const failure = dictText(d, "failure reason");
    if (failure) throw new Error(`announce through ${c.variant}: failure reason "${failure}"`);
    if (typeof d.interval !== "number" || !Buffer.isBuffer(d.peers) || d.peers.length % 6 !== 0) {
      throw new Error(`announce through ${c.variant}: no interval or compact peers`);
    }
    return { serial: r.certificate?.serialNumber, protocol: r.tlsProtocol };
  }

  private async start(c: Config): Promise<{ newOrders: number; check: { serial?: string; protocol?: string } }> {
    if (this.closed) throw new Error("stopping");
    const orders = this.scenario.pebble.orders();
    this.running = c;
    await c.start();
    if (this.closed) throw new Error("stopping");
    const check = await waitFor(`an announce through the ${this.spec.kind} ${c.variant} config`, () => this.checkAnnounce(c), {
      timeoutMs: 20_000,
      intervalMs: 200,
      progress,
    });
    return { newOrders: this.scenario.pebble.orders() - orders, check };
  }

  private async stop(): Promise<void> {
    const c = this.running;
    this.running = undefined;
    if (c) await c.stop();
  }

  private async upstreamStats(): Promise<UpstreamStats | undefined> {
    if (this.spec.bench.upstream !== "stand-in") return undefined;
    return getJson<UpstreamStats>(this.port, STATS_PATH);
  }

  private async loadRun(c: Config, mode: Mode, seconds: number, round: number): Promise<RunResult> {
    const b = this.spec.bench;
    const pids = c.pids();
    const upstreamPids = this.upstream ? [this.upstream.pid] : [];
    const stats0 = await this.upstreamStats();
    const cpu0 = snapshot(pids);
    const up0 = snapshot(upstreamPids);
    const m0 = machineTicks();
    const w = await runWrk(this.scenario.procs, `wrk-${round}-${c.variant}-${mode}`, { url: c.url, script: this.script, mode, seconds, connections: b.connections, threads: b.threads, timeoutSeconds: b.timeoutSeconds, xff: c.variant === "baseline" });
    const m1 = machineTicks();
    const each = cpuSecondsEach(cpu0, snapshot(c.pids()));
    const cpu = c.variant === "baseline" ? null : each.reduce((a, b) => a + b, 0);
    const upCpu = cpuSecondsBetween(up0, snapshot(upstreamPids));
    const stats1 = await this.upstreamStats();
    const upstreamFailures = stats0 && stats1 ? stats1.failures - stats0.failures : null;
    const per10k = (x: number) => (w.requests > 0 ? (x / w.requests) * 10_000 : 0);
    const e = w.errors;
    return {
      kind: this.spec.kind,
      variant: c.variant,
      mode,
      round,
      seconds: w.seconds,
      requests: w.requests,
      rps: w.seconds > 0 ? w.requests / w.seconds : 0,
      p50Ms: w.p50Ms,
      p99Ms: w.p99Ms,
      meanMs: w.meanMs,
      maxMs: w.maxMs,
      errors: { ...e, upstreamFailures },
      errorCount: e.connect + e.read + e.write + e.status + e.timeout + (upstreamFailures ?? 0),
      proxyCpuSeconds: cpu,
      proxyCpuPer10k: cpu === null ? null : per10k(cpu),
      proxyCpuByProcess: each.map((x) => Math.round(x * 100) / 100),
      upstreamCpuSeconds: upCpu,
      upstreamCpuPer10k: per10k(upCpu),
      machineBusyPercent: m1.total > m0.total ? (100 * (m1.busy - m0.busy)) / (m1.total - m0.total) : 0,
    };
  }

  async measure(variant: Variant, modes: readonly Mode[], seconds: number, round: number): Promise<{ facts: ConfigFacts; results: RunResult[] }> {
    const c = this.configs.get(variant);
    if (!c) throw new Error(`no ${variant} configuration for ${this.spec.kind}`);
    try {
      const { newOrders, check } = await this.start(c);
      let facts = this.facts.get(variant);
      if (!facts) {
        const pids = c.pids();
        facts = {
          kind: this.spec.kind,
          variant,
          url: c.url,
          files: c.files,
          command: c.command,
          certificateSerial: check.serial,
          tlsProtocol: check.protocol,
          tlsResumption: variant === "baseline" ? undefined : await tlsResumes(this.tracker.hostname, this.scenario.pebble.root ?? "", this.announcePath()),
          newAcmeOrders: variant === "baseline" ? undefined : newOrders,
          processes: variant === "baseline" ? this.upstreamLabel : `${pids.length} process${pids.length === 1 ? "" : "es"} (${pids.join(", ")})`,
        };
        this.facts.set(variant, facts);
      }
      const results: RunResult[] = [];
      for (const mode of modes) {
        progress(`round ${round}: ${this.spec.kind} ${variant}, ${mode}, ${seconds} s`);
        results.push(await this.loadRun(c, mode, seconds, round));
      }
      return { facts, results };
    } finally {
      await this.stop();
      await sleep(200); // the ports are free again before the next configuration starts
    }
  }

  get upstreamDescription(): string {
    return this.upstreamLabel;
  }

  async cleanup(): Promise<void> {
    this.closed = true;
    await this.stop().catch(() => undefined);
    await this.scenario.cleanup();
  }
}

async function main(): Promise<number> {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as BenchSpec;
  const bench = new Bench(spec);
  let stopping = false;
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    progress(`stopping (${why})`);
    await bench.cleanup().catch(() => undefined);
    process.exit(code);
  };
  process.on("SIGTERM", () => void stop("SIGTERM", 130));
  process.on("SIGINT", () => void stop("SIGINT", 130));
  try {
    await bench.setup();
  } catch (err) {
    emit({ type: "failed", message: `${spec.kind} setup: ${(err as Error).message.replace(/\s+/g, " ").slice(0, 600)} (logs: ${bench.scenario.logDir})` });
    await stop("setup failed", 1);
    return 1;
  }
  emit({ type: "ready", upstream: bench.upstreamDescription, trackerHostname: bench.tracker.hostname, setupSeconds: (Date.now() - bench.started) / 1000 });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line) as Command;
    if (cmd.type === "quit") break;
    try {
      const { facts, results } = await bench.measure(cmd.variant, cmd.modes, cmd.seconds, cmd.round);
      emit({ type: "measured", id: cmd.id, facts, results });
    } catch (err) {
      emit({ type: "failed", id: cmd.id, message: `${spec.kind} ${cmd.variant}: ${(err as Error).message.replace(/\s+/g, " ").slice(0, 600)} (logs: ${bench.scenario.logDir})` });
    }
  }
  await stop("done", 0);
  return 0;
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
