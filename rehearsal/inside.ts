// The rehearsal's helper inside one network namespace and a private mount namespace (started by
// rehearse.ts as `ip netns exec NS unshare --mount -- node --import tsx rehearsal/inside.ts SPEC`).
// It lays out the server's files, starts Pebble, the stand-ins and the proxy, runs the verifier's
// checks and the faults of its scenario, and reports rows as JSON lines on stdout.
import * as dns from "node:dns";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EdgeSite } from "../constructs/edge/types";
import { aria2Announces, torrentInfoHash, writeTorrent } from "./aria2";
import { bdecode, isDict, type BDict } from "./bencode";
import { Bep15Client } from "./bep15";
import { runChecks, type VerifyTarget } from "./checks";
import { proxyPlugin } from "../constructs/proxies";
import { CaddyDriver, caddyRenewal, NginxCertbotDriver, type ProxyDriver } from "./drivers";
import { rehearsalInfoHashes, startOpentracker } from "./opentracker";
import { Pebble } from "./pebble";
import { handshake, request } from "./probe";
import { elapsed, Processes, run as runCommand, sleep, waitFor } from "./proc";
import { check, fail, pass, type Row } from "./rows";
import { setupSandbox, SHIM_SOCKET, systemctlShimScript } from "./sandbox";
import type { HelperMessage, ScenarioSpec, SpecFile } from "./spec";
import { ApiStandIn, GrafanaStandIn, HelloStandIn, StandIn, TrackerStandIn } from "./standins";
import { ServiceManager } from "./units";
import { describeMeasurement, measurement, runTlsProbe, type TlsMeasurement } from "./tls-facts";
import { describeProgram } from "./programs";

/** Clients send from here, so the proxy's own 127.0.0.1 and the client differ in X-Forwarded-For. */
export const CLIENT_ADDRESS = "127.0.0.5";
const OPENTRACKER_HTTP_PORT = 17999;
/** Torrents aria2c announces (names fix their info_hashes, whitelisted in opentracker). */
const ARIA2_TORRENTS = ["rehearsal-https.bin", "rehearsal-udp.bin"] as const;

function emit(m: HelperMessage): void {
  process.stdout.write(`${JSON.stringify(m)}\n`);
}
const progress = (message: string) => emit({ type: "progress", message });
const report = (row: Row) => emit({ type: "row", ...row });

function writeFiles(files: readonly SpecFile[]): void {
  for (const f of files) {
    fs.mkdirSync(path.dirname(f.path), { recursive: true });
    const content = Buffer.from(f.contentBase64, "base64");
    if (f.append) fs.appendFileSync(f.path, content);
    else fs.writeFileSync(f.path, content);
    fs.chmodSync(f.path, f.mode);
    if (f.owner !== "root" || f.group !== "root") fs.chownSync(f.path, uid(f.owner), gid(f.group));
  }
}

function uid(name: string): number {
  const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`write_files owner ${name} does not exist here`);
  return Number(line.split(":")[2]);
}
function gid(name: string): number {
  const line = fs.readFileSync("/etc/group", "utf8").split("\n").find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`write_files group ${name} does not exist here`);
  return Number(line.split(":")[2]);
}

/** One scenario inside a namespace (also driven by `npm run bench:edge`, which adds its own load runs). */
export class Scenario {
  readonly procs: Processes;
  readonly manager: ServiceManager;
  readonly pebble: Pebble;
  readonly standIns: StandIn[] = [];
  readonly trackers: TrackerStandIn[] = [];
  readonly driver: ProxyDriver;
  readonly logDir: string;
  readonly infoHashes = rehearsalInfoHashes();
  readonly started = Date.now();

  constructor(readonly spec: ScenarioSpec) {
    this.logDir = path.join(spec.runDir, "logs");
    this.procs = new Processes(this.logDir);
    this.manager = new ServiceManager(this.logDir, (m) => fs.appendFileSync(path.join(this.logDir, "systemctl.log"), `${m}\n`));
    this.pebble = new Pebble(this.procs, {
      program: spec.pebble,
      dir: path.join(spec.runDir, "pebble"),
      tls: spec.pebbleTls,
      validitySeconds: spec.validitySeconds,
    });
    this.driver = spec.kind === "caddy" ? new CaddyDriver(spec, this.procs) : new NginxCertbotDriver(spec, this.manager, this.logDir);
  }

  target(): VerifyTarget {
    const s = this.spec;
    return {
      sites: s.sites,
      udpTrackers: s.udpTrackers,
      hsts: s.hsts,
      helloMessage: s.helloMessage,
      redirect: s.redirect,
      grafanaLive: s.grafanaLive,
      privateTracker: s.privateTracker,
      expected: { ipv4: "127.0.0.1" },
      cloudflareProxied: new Set(),
      resolve: async (hostname) => {
        const all = await dns.promises.lookup(hostname, { all: true });
        return { ipv4: all.filter((a) => a.family === 4).map((a) => a.address), ipv6: all.filter((a) => a.family === 6).map((a) => a.address) };
      },
      expectAaaa: () => false,
      ca: this.pebble.root,
      localAddress: CLIENT_ADDRESS,
      infoHashes: this.infoHashes,
      trackerStandIn: { exchange: (id) => this.trackers.map((t) => t.exchanges.get(id)).find((x) => x !== undefined) },
      expectEcho: true,
    };
  }

  async setup(): Promise<void> {
    const s = this.spec;
    await setupSandbox({ runDir: s.runDir, hosts: s.hosts, systemctlShim: systemctlShimScript(), hostMountNamespace: s.hostMountNamespace });
    await this.manager.listen(SHIM_SOCKET);
    // cloud-init: write_files (init stage), packages, deferred write_files (final stage), runcmd.
    writeFiles(s.files.filter((f) => !f.defer));
    await startOpentracker(this.procs, {
      dir: path.join(s.runDir, "opentracker"),
      httpPort: OPENTRACKER_HTTP_PORT,
      udpPorts: s.udpTrackers.map((u) => u.port),
      infoHashes: [...this.infoHashes, ...ARIA2_TORRENTS.map(torrentInfoHash)],
    });
    for (const site of s.sites) {
      if (!site.upstream) continue;
      const port = site.upstream.port;
      const standIn =
        site.role === "http-tracker"
          ? new TrackerStandIn(port, { host: "127.0.0.1", port: OPENTRACKER_HTTP_PORT })
          : site.role === "api"
            ? new ApiStandIn(port)
            : site.role === "grafana"
              ? new GrafanaStandIn(port)
              : new HelloStandIn(port, `<!doctype html><title>hello</title><h1>${s.helloMessage ?? ""}</h1>\n`);
      if (standIn instanceof TrackerStandIn) this.trackers.push(standIn);
      await standIn.start();
      this.standIns.push(standIn);
    }
    await this.driver.beforeRuncmd();
    writeFiles(s.files.filter((f) => f.defer));
  }

  /** Waits until every hostname serves a certificate that chains to Pebble's current root. */
  async certificates(timeoutMs: number): Promise<Map<string, string>> {
    return waitFor(
      "a test-CA certificate on every hostname",
      async () => {
        const serials = new Map<string, string>();
        const missing: string[] = [];
        for (const site of this.spec.sites) {
          const r = await handshake({ hostname: site.hostname, address: "127.0.0.1" }, { ca: this.pebble.root, timeoutMs: 2000 });
          if (r.ok && r.certificate) serials.set(site.hostname, r.certificate.serialNumber);
          else missing.push(`${site.hostname.split(".")[0]}: ${r.error ?? "?"}`);
        }
        return missing.length === 0 ? serials : { waiting: `${serials.size}/${this.spec.sites.length} (${missing.join("; ").slice(0, 160)})` };
      },
      { timeoutMs, intervalMs: 300, progress, progressEveryMs: 5000 },
    );
  }

  async servedSerials(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const site of this.spec.sites) {
      const r = await handshake({ hostname: site.hostname, address: "127.0.0.1" }, { ca: this.pebble.root, timeoutMs: 2000 });
      out.set(site.hostname, r.certificate?.serialNumber ?? `none (${r.error ?? "?"})`);
    }
    return out;
  }

  remainingMs(): number {
    return this.spec.budgetSeconds * 1000 - (Date.now() - this.started);
  }

  /** Requests every site in turn until stopped; counts failures (what users would see). */
  poller(): { stop(): Promise<{ ok: number; failed: number; firstFailure?: string }> } {
    let running = true;
    let ok = 0;
    let failed = 0;
    let firstFailure: string | undefined;
    const loop = (async () => {
      let i = 0;
      while (running) {
        const site = this.spec.sites[i++ % this.spec.sites.length];
        try {
          const r = await request(
            { hostname: site.hostname, address: "127.0.0.1" },
            { scheme: "https", path: site.healthPath, ca: this.pebble.root, localAddress: CLIENT_ADDRESS, timeoutMs: 3000 },
          );
          if (r.status === 200) ok++;
          else {
            failed++;
            firstFailure ??= `${site.hostname}: HTTP ${r.status}`;
          }
        } catch (err) {
          failed++;
          firstFailure ??= `${site.hostname}: ${(err as Error).message}`;
        }
        await sleep(40);
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
        return { ok, failed, firstFailure };
      },
    };
  }

  /** aria2c, a real client, announces over HTTPS through the proxy and over UDP; the tracker lists it. */
  async realClient(): Promise<Row[]> {
    const s = this.spec;
    const rows: Row[] = [];
    const root = path.join(s.runDir, "pebble-issuing-root.pem");
    fs.writeFileSync(root, this.pebble.root ?? "");
    const dir = path.join(s.runDir, "aria2");
    const http = s.sites.find((x) => x.role === "http-tracker");
    if (http) {
      const name = `real client: aria2c over HTTPS ${http.hostname}`;
      rows.push(
        await check(name, async () => {
          const t = writeTorrent(dir, ARIA2_TORRENTS[0], `https://${http.hostname}/announce`);
          const q = [...t.infoHash].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
          const ms = await aria2Announces(this.procs, t, root, path.join(dir, "https"), async () => {
            const r = await request(
              { hostname: http.hostname, address: "127.0.0.1" },
              { scheme: "https", path: `/scrape?info_hash=${q}`, ca: this.pebble.root, localAddress: CLIENT_ADDRESS },
            );
            const d = bdecode(r.body);
            const entry = isDict(d) && isDict(d.files) ? (d.files as BDict)[t.infoHash.toString("latin1")] : undefined;
            return isDict(entry) && Number(entry.incomplete) >= 1;
          });
          return `aria2c announced through the proxy; opentracker listed it as a leecher after ${(ms / 1000).toFixed(1)} s`;
        }),
      );
    }
    const udp = s.udpTrackers[0];
    if (udp) {
      const name = `real client: aria2c over UDP ${udp.hostname}:${udp.port}`;
      rows.push(
        await check(name, async () => {
          const t = writeTorrent(dir, ARIA2_TORRENTS[1], `udp://${udp.hostname}:${udp.port}/announce`);
          const c = new Bep15Client({ host: "127.0.0.1", port: udp.port, localAddress: CLIENT_ADDRESS, timeoutMs: 1000 });
          try {
            const ms = await aria2Announces(this.procs, t, root, path.join(dir, "udp"), async () => (await c.scrape([t.infoHash]))[0].leechers >= 1);
            return `aria2c announced over BEP 15; opentracker listed it as a leecher after ${(ms / 1000).toFixed(1)} s`;
          } finally {
            c.close();
          }
        }),
      );
    }
    return rows;
  }

  async faultUpstreamDown(): Promise<Row> {
    return check("fault: upstream down → 502/503", async () => {
      const parts: string[] = [];
      const problems: string[] = [];
      for (const standIn of this.standIns) {
        const site = this.spec.sites.find((x) => x.upstream?.port === standIn.port) as EdgeSite;
        await standIn.stop();
        const t0 = Date.now();
        let status = "";
        try {
          const r = await request(
            { hostname: site.hostname, address: "127.0.0.1" },
            { scheme: "https", path: site.healthPath, ca: this.pebble.root, localAddress: CLIENT_ADDRESS, timeoutMs: 5000 },
          );
          status = `HTTP ${r.status}`;
          if (![502, 503].includes(r.status)) problems.push(`${site.hostname}: ${status}`);
        } catch (err) {
          status = (err as Error).message;
          problems.push(`${site.hostname}: ${status}`);
        }
        const ms = Date.now() - t0;
        if (ms > 1000) problems.push(`${site.hostname}: answered after ${ms} ms`);
        await standIn.start();
        const back = await request(
          { hostname: site.hostname, address: "127.0.0.1" },
          { scheme: "https", path: site.healthPath, ca: this.pebble.root, localAddress: CLIENT_ADDRESS },
        ).catch((e: Error) => ({ status: e.message }));
        if (back.status !== 200) problems.push(`${site.hostname}: after restart ${String(back.status)}`);
        parts.push(`${site.hostname.split(".")[0]} ${status} in ${ms} ms`);
      }
      return problems.length ? fail("fault: upstream down → 502/503", problems.join("; ")) : `${parts.join(", ")}; 200 again once back`;
    });
  }

  /**
   * Triggers a renewal path, then waits until every hostname serves a new certificate while a
   * client requests every hostname: any failed request fails the row. `servingAgain`: the trigger
   * restarts the proxy, so the client starts once the proxy serves again (old or new certificates).
   */
  async faultRenewal(name: string, trigger: () => Promise<string>, note: string, servingAgain = false): Promise<Row> {
    return check(name, async () => {
      const before = await this.servedSerials();
      const ordersBefore = this.pebble.orders();
      let poll = servingAgain ? undefined : this.poller();
      let what = "";
      let renewed: Map<string, string> | undefined;
      let problem: string | undefined;
      let oldAfterRestart = 0;
      try {
        what = await trigger();
        if (servingAgain) {
          const serving = await this.certificates(Math.min(20_000, Math.max(3000, this.remainingMs() - 3000)));
          poll = this.poller();
          oldAfterRestart = [...serving].filter(([h, serial]) => before.get(h) === serial).length;
        }
        renewed = await waitFor(
          "new certificates on every hostname",
          async () => {
            const now = await this.servedSerials();
            const same = [...now].filter(([h, serial]) => before.get(h) === serial).map(([h]) => h.split(".")[0]);
            return same.length === 0 ? now : { waiting: `still the old certificate on ${same.join(", ")}` };
          },
          { timeoutMs: Math.min(30_000, Math.max(3000, this.remainingMs() - 3000)), intervalMs: 200, progress },
        );
      } catch (err) {
        problem = (err as Error).message;
      }
      const p = poll ? await poll.stop() : { ok: 0, failed: 0, firstFailure: undefined };
      const orders = this.pebble.orders() - ordersBefore;
      if (p.failed > 0) return fail(name, `${what}: ${p.failed} of ${p.ok + p.failed} requests failed meanwhile (first: ${p.firstFailure})${problem ? `; ${problem}` : ""}`);
      if (!renewed) return fail(name, problem ?? "no renewal");
      const served = servingAgain ? ` (the old certificate still served on ${oldAfterRestart} of ${before.size} hostnames once back)` : "";
      return pass(name, `${note}; ${what}${served}: ${renewed.size} hostnames renewed (${orders} new ACME orders), ${p.ok} requests meanwhile, 0 failed`);
    });
  }

  /**
   * Which TLS versions and key-exchange groups the running proxy accepts, by real handshakes
   * (rehearsal/tls-probe), sent to the host to keep for `npm run proxies`. Fails when the
   * measurement contradicts what the plug-in declares for the version production runs.
   */
  async measureTls(): Promise<Row> {
    const s = this.spec;
    const site = s.sites[0];
    const name = `tls key exchange (measured) ${site.hostname}`;
    return check(name, async () => {
      if (!s.tlsProbe) throw new Error("no TLS probe");
      const caFile = path.join(s.runDir, "pebble-issuing-root-tls.pem");
      fs.writeFileSync(caFile, this.pebble.root ?? "");
      const r = await runTlsProbe(s.tlsProbe.path, { hostname: site.hostname, address: "127.0.0.1" }, caFile);
      const about = await this.proxyProgram();
      const m: TlsMeasurement = measurement(r, { proxy: s.kind, ...about, client: s.tlsProbe.client, hostname: site.hostname });
      emit({ type: "tls", measurement: m });
      const declared = proxyPlugin(s.kind).capabilities;
      const comparable = s.kind === "nginx-certbot" || about.version === proxyPlugin(s.kind).version;
      const problems: string[] = [];
      if (comparable && m.postQuantum !== declared.postQuantumKeyExchange) problems.push(`plug-in declares postQuantumKeyExchange ${declared.postQuantumKeyExchange}, measured ${m.postQuantum}`);
      if (comparable && m.tlsVersions.join(",") !== declared.tlsVersions.join(",")) problems.push(`plug-in declares TLS ${declared.tlsVersions.join(", ")}, measured ${m.tlsVersions.join(", ")}`);
      if (m.tls13Groups.length === 0) problems.push("no TLS 1.3 group accepted");
      const text = `${about.program}: ${describeMeasurement(m)}; client ${m.client}`;
      return problems.length ? fail(name, `${text}; ${problems.join("; ")}`) : text;
    });
  }

  /** The proxy program's name and version as measured ("caddy 2.10.2 (built …)", "nginx 1.22.1 with OpenSSL 3.0.19 (Debian 12)"). */
  private async proxyProgram(): Promise<{ program: string; version: string }> {
    if (this.spec.kind === "caddy") {
      const c = this.spec.caddy;
      if (!c) throw new Error("no caddy program in the scenario");
      return { program: describeProgram(c), version: c.version };
    }
    const v = await runCommand("nginx", ["-V"], { timeoutMs: 10_000 });
    const text = `${v.stdout}${v.stderr}`;
    const version = /nginx\/(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? "?";
    const openssl = /running with OpenSSL (\S+)/.exec(text)?.[1] ?? /built with OpenSSL (\S+)/.exec(text)?.[1] ?? "?";
    return { program: `nginx ${version} with OpenSSL ${openssl} (Debian package)`, version };
  }

  async faultRestart(): Promise<Row> {
    const name = "fault: restart reuses stored certificates";
    return check(name, async () => {
      const before = await this.servedSerials();
      const ordersBefore = this.pebble.orders();
      const what = await this.driver.restart();
      const after = await this.certificates(Math.min(20_000, this.remainingMs()));
      const orders = this.pebble.orders() - ordersBefore;
      const changed = [...after].filter(([h, serial]) => before.get(h) !== serial).map(([h]) => h);
      if (orders > 0 || changed.length) return fail(name, `${what}: ${orders} new ACME orders; new certificate on ${changed.join(", ") || "none"}`);
      return `${what}: same ${after.size} certificates served, 0 new ACME orders`;
    });
  }

  async run(): Promise<void> {
    const s = this.spec;
    progress(`setting up the server's files (${s.files.length} from write_files)`);
    await this.setup();
    if (s.scenario === "main") {
      progress(`starting Pebble (certificate lifetime ${s.validitySeconds ?? "default"} s)`);
      await this.pebble.start(progress);
    }
    progress(`first boot: ${s.kind === "caddy" ? "compose service caddy" : s.bootstrap.join(" && ")}`);
    await this.driver.firstBoot();
    if (s.scenario === "late-ca") {
      // The CA stays down until the proxy's log shows its first attempt failed: an observable
      // condition, so the retry is exercised however slowly the machine starts the proxy.
      const firstBoot = Date.now();
      let failedAttempt: string | undefined;
      try {
        failedAttempt = await waitFor("the proxy's first certificate attempt to fail (CA down)", async () => this.driver.failedFirstAttempt(), {
          timeoutMs: 30_000,
          intervalMs: 100,
          progress,
        });
      } catch (err) {
        report(fail("fault: ACME server down at first start", (err as Error).message));
        return;
      }
      const down = elapsed(firstBoot);
      const early = await this.servedSerials();
      progress(`starting Pebble: the proxy's first attempt failed after ${down} (${failedAttempt})`);
      await this.pebble.start(progress);
      const back = Date.now();
      const row = await check("fault: ACME server down at first start", async () => {
        const trusted = [...early.values()].filter((v) => !v.startsWith("none"));
        if (trusted.length) throw new Error("certificates were served before the CA was up");
        const serials = await this.certificates(Math.max(5000, this.remainingMs() - 8_000));
        return `CA down until the first attempt failed (${down} after start: ${failedAttempt}); all ${serials.size} certificates obtained ${elapsed(back)} after it came back, no human action`;
      });
      report(row);
      if (row.status !== "PASS") return;
      report(await this.faultRestart());
      return;
    }
    await this.certificates(Math.max(5000, this.remainingMs() - 20_000));
    progress(`certificates served after ${elapsed(this.started)}; running the verifier's checks`);
    for (const row of await runChecks(this.target())) report(row);
    for (const row of await this.realClient()) report(row);
    if (s.tlsProbe) report(await this.measureTls());
    report(await this.faultUpstreamDown());
    if (s.kind === "caddy") {
      // The certificates' own dates say when Caddy considers them due (caddyRenewal): with 2.10.2's
      // 30-minute certificates that is already the case; with 2.6.2's 90 s ones, after 60 s.
      const rule = caddyRenewal(s.caddy?.version ?? "0");
      let due = 0;
      for (const site of s.sites) {
        const c = (await handshake({ hostname: site.hostname, address: "127.0.0.1" }, { ca: this.pebble.root })).certificate;
        // x509 dates have one-second resolution: 1 s of margin.
        if (c) due = Math.max(due, rule.dueAt(c.validFrom, c.validTo) + 1000);
      }
      if (due > Date.now()) {
        progress(`waiting ${((due - Date.now()) / 1000).toFixed(1)} s until Caddy considers the ${s.validitySeconds} s certificates due`);
        await sleep(due - Date.now());
      }
      report(await this.faultRenewal("fault: renewal near expiry", () => this.driver.renew(), `${s.validitySeconds} s certificates, due for renewal`, true));
    } else {
      const days = ((s.validitySeconds ?? 0) / 86400).toFixed(0);
      const note = `${days}-day certificates (certbot renews within 30 days of expiry)`;
      report(await this.faultRenewal("fault: renewal near expiry (renewal script)", () => this.driver.renew(), note));
      if (this.driver.renewViaTimer) {
        report(await this.faultRenewal("fault: renewal near expiry (certbot.timer)", () => this.driver.renewViaTimer!(), note));
      }
    }
  }

  async cleanup(): Promise<void> {
    await this.driver.stop().catch(() => undefined);
    for (const s of this.standIns) await s.stop().catch(() => undefined);
    await this.manager.close().catch(() => undefined);
    await this.procs.stopAll();
  }
}

async function main(): Promise<number> {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as ScenarioSpec;
  const scenario = new Scenario(spec);
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    progress(`stopping (${why})`);
    await scenario.cleanup();
    process.exit(130);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  const deadline = setTimeout(() => {
    report(fail(`scenario ${spec.scenario}`, `did not finish within ${spec.budgetSeconds} s`));
    void stop("time budget");
  }, spec.budgetSeconds * 1000);
  try {
    await scenario.run();
    return 0;
  } catch (err) {
    report(fail(`scenario ${spec.scenario}`, `${(err as Error).message.replace(/\s+/g, " ").slice(0, 500)} (logs: ${scenario.logDir})`));
    return 1;
  } finally {
    clearTimeout(deadline);
    if (!stopping) {
      stopping = true;
      await scenario.cleanup();
    }
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
