// A smoke run of `npm run bench:edge` (one round of one second): every configuration is set up,
// loaded in both modes and reported, so the benchmark cannot rot. No timed assertions: only that
// each row exists with a positive request rate and counted errors. Needs root and the Debian
// packages (a missing one fails the test with its name, never skips).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { missingPackages } from "../../rehearsal/rehearse";
import { parseArgs, roundOrder } from "../../bench/edge";
import type { Report } from "../../bench/edge/report";
import { comparisons, median, ratio, rows } from "../../bench/edge/report";
import type { RunResult } from "../../bench/edge/protocol";
import { caddyGlobalOptions, certbotTlsOptions, referenceCaddyfile, referenceNginxConf, referenceNginxSite } from "../../bench/edge/references";
import { AnnounceStandIn, NOT_WHITELISTED } from "../../bench/edge/upstream";
import { bdecode, dictText, isDict } from "../../rehearsal/bencode";
import { announceLua, parseWrk, percentEncode, wrkArgs } from "../../bench/edge/wrk";
import type { EdgeSite } from "../../constructs/edge/types";

const REPO = path.resolve(__dirname, "..", "..");
const needs = { websocket: false, clientIpInXForwardedFor: true };
const SITES: EdgeSite[] = [
  { role: "hello", hostname: "test.example.test", configPath: [], needs, cloudflareProxied: false, healthPath: "/" },
  { role: "http-tracker", hostname: "http1.example.test", configPath: [], upstream: { host: "127.0.0.1", port: 7070 }, needs, cloudflareProxied: false, healthPath: "/health_check" },
];

describe("bench:edge pieces", () => {
  it("parses options; --smoke is one round of one second", () => {
    const smoke = parseArgs(["--smoke", "--proxy", "caddy"], {});
    assert.equal(smoke.rounds, 1);
    assert.equal(smoke.seconds, 1);
    assert.deepEqual(smoke.kinds, ["caddy"]);
    assert.equal(parseArgs([], { BENCH_EDGE_SECONDS: "7" }).seconds, 7);
    assert.throws(() => parseArgs(["--proxy", "pingoo"], {}), /pingoo cannot run here/);
    assert.throws(() => parseArgs(["--rounds", "0"], {}), /positive/);
  });

  it("alternates which of generated and reference goes first, with the pair side by side", () => {
    const ids = (r: number) => roundOrder(["caddy", "nginx-certbot"], r).map((x) => `${x.kind}/${x.variant}`);
    assert.deepEqual(ids(1), ["caddy/baseline", "caddy/generated", "caddy/reference", "nginx-certbot/generated", "nginx-certbot/reference"]);
    assert.deepEqual(ids(2), [...ids(1)].reverse());
  });

  it("writes the reference configs: one reverse_proxy per site; certbot's plain server block without keep-alive", () => {
    const generated = "# header\n{\n\temail a@example.test\n\tacme_ca https://127.0.0.1:14000/dir\n\tstorage file_system /s\n}\n\nhttp1.example.test {\n\theader X 1\n}\n";
    assert.equal(caddyGlobalOptions(generated), "{\n\temail a@example.test\n\tacme_ca https://127.0.0.1:14000/dir\n\tstorage file_system /s\n}");
    const caddy = referenceCaddyfile(generated, SITES);
    assert.match(caddy, /^http1\.example\.test \{\n\treverse_proxy 127\.0\.0\.1:7070\n\}$/m);
    assert.doesNotMatch(caddy, /test\.example\.test|header/);
    const site = referenceNginxSite(SITES, true);
    assert.match(site, /proxy_pass http:\/\/127\.0\.0\.1:7070;/);
    assert.doesNotMatch(site, /^\s*(upstream|keepalive|proxy_http_version)\b|http2/m);
    for (const d of certbotTlsOptions().directives) assert.ok(site.includes(d), d);
    assert.match(site, /ssl_session_tickets off;/);
    assert.match(site, /listen \[::\]:443 ssl;/);
    const conf = referenceNginxConf("pid /run/nginx.pid;\nhttp {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n", "/r/site.conf", "/run/ref.pid");
    assert.match(conf, /^pid \/run\/ref\.pid;$/m);
    assert.match(conf, /^\tinclude \/r\/site\.conf;$/m);
  });

  it("the announce stand-in answers compact peers for whitelisted info_hashes and counts failures", () => {
    const hash = "ff".repeat(20);
    const s = new AnnounceStandIn([hash]);
    const q = `/announce?info_hash=${percentEncode(Buffer.from(hash, "hex"))}&peer_id=${percentEncode(Buffer.alloc(20, 1))}&port=6881&numwant=200&compact=1`;
    const ok = bdecode(s.announce(q, "6.6.6.6, 127.0.0.5"));
    assert.ok(isDict(ok) && Buffer.isBuffer(ok.peers));
    assert.equal((ok.peers as Buffer).length, 74 * 6);
    const bad = bdecode(s.announce(q.replace(/info_hash=[^&]+/, `info_hash=${percentEncode(Buffer.alloc(20))}`), "127.0.0.5"));
    assert.ok(isDict(bad));
    assert.equal(dictText(bad, "failure reason"), NOT_WHITELISTED);
    const noXff = bdecode(s.announce(q, undefined));
    assert.ok(isDict(noXff) && dictText(noXff, "failure reason"));
    assert.deepEqual(s.stats(), { announces: 3, failures: 2 });
  });

  it("makes wrk's script and command line, and reads its result line", () => {
    const lua = announceLua(["00".repeat(20)]);
    assert.ok(lua.includes(`"${"%00".repeat(20)}"`));
    assert.match(lua, /compact=1/);
    assert.deepEqual(wrkArgs({ url: "https://h/", script: "/s.lua", mode: "new-connection", seconds: 2, connections: 8, threads: 1, timeoutSeconds: 5, xff: true }).slice(-4), [
      "https://h/", "--", "close", "xff",
    ]);
    const r = parseWrk('Running\nBENCH_EDGE_RESULT {"requests":100,"duration_us":2000000,"bytes":1,"connect":0,"read":1,"write":0,"status":2,"timeout":0,"p50_us":1500,"p99_us":9000,"mean_us":2000.5,"max_us":12000}\n');
    assert.equal(r.requests, 100);
    assert.equal(r.p50Ms, 1.5);
    assert.deepEqual(r.errors, { connect: 0, read: 1, write: 0, status: 2, timeout: 0 });
  });

  it("pairs rounds and calls a ratio within 3 % the same", () => {
    assert.equal(median([3, 1, 2, 10]), 2.5);
    assert.equal(ratio([0.98, 1.01, 1.0]).verdict, "same within noise");
    assert.equal(ratio([1.2, 1.25, 1.22]).verdict, "faster");
    assert.equal(ratio([0.8, 0.82, 0.79]).verdict, "slower");
    const run = (variant: RunResult["variant"], round: number, rps: number, cpu: number): RunResult => ({
      kind: "caddy", variant, mode: "keep-alive", round, seconds: 1, requests: rps, rps, p50Ms: 1, p99Ms: 2, meanMs: 1, maxMs: 3,
      errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0, upstreamFailures: 0 }, errorCount: 0,
      proxyCpuSeconds: cpu, proxyCpuPer10k: cpu, proxyCpuByProcess: [cpu], upstreamCpuSeconds: 0, upstreamCpuPer10k: 0, machineBusyPercent: 100,
    });
    const runs = [run("baseline", 1, 200, 0), run("generated", 1, 110, 1), run("reference", 1, 100, 1.2)];
    const [c] = comparisons(runs);
    assert.ok(Math.abs(c.rps.median - 1.1) < 1e-9);
    assert.equal(c.atLeastAsCheap, true);
    assert.equal(rows(runs).find((r) => r.config === "caddy-generated")?.ratioToBaseline, 0.55);
  });
});

describe("npm run bench:edge -- --smoke", () => {
  it("measures baseline, caddy and nginx (generated and reference) in both modes and writes the JSON", { timeout: 240_000 }, () => {
    assert.equal(process.getuid?.(), 0, "bench:edge needs root (network and mount namespaces): run the tests as root");
    const missing = [...missingPackages(), ...(fs.existsSync("/usr/bin/wrk") ? [] : ["wrk"])];
    assert.deepEqual(missing, [], `Debian packages missing: ${missing.join(", ")} (bash scripts/install-test-deps.sh)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-edge-test-"));
    try {
      const out = path.join(dir, "edge.json");
      const r = spawnSync(process.execPath, ["--import", "tsx", "bench/edge.ts", "--smoke", "--out", out], { cwd: REPO, encoding: "utf8", timeout: 200_000 });
      const log = `${r.stdout}\n${r.stderr}`.slice(-5000);
      assert.equal(r.status, 0, `bench:edge --smoke exited ${r.status}:\n${log}`);
      assert.match(r.stdout, /configuration\s+mode\s+req\/s/);
      const report = JSON.parse(fs.readFileSync(out, "utf8")) as Report;
      assert.deepEqual(report.failures, []);
      for (const config of ["baseline", "caddy-generated", "caddy-reference", "nginx-generated", "nginx-reference"]) {
        for (const mode of ["keep-alive", "new-connection"]) {
          const row = report.rows.find((x) => x.config === config && x.mode === mode);
          assert.ok(row, `no ${config} ${mode} row:\n${log}`);
          assert.ok(Number.isFinite(row.rps) && row.rps > 0, `${config} ${mode}: rps ${row.rps}`);
          assert.ok(Number.isInteger(row.errors) && row.errors >= 0, `${config} ${mode}: errors ${row.errors}`);
          if (config !== "baseline") assert.ok(typeof row.proxyCpuPer10k === "number" && row.proxyCpuPer10k > 0, `${config} ${mode}: proxy CPU ${row.proxyCpuPer10k}`);
        }
      }
      assert.equal(report.comparisons.length, 4);
      const generated = report.configs.filter((c) => c.variant === "generated");
      assert.equal(generated.length, 2);
      for (const c of report.configs.filter((x) => x.variant === "reference")) {
        assert.equal(c.newAcmeOrders, 0, `${c.kind} reference got new certificates instead of reusing the generated config's`);
        const gen = generated.find((g) => g.kind === c.kind);
        assert.equal(c.certificateSerial, gen?.certificateSerial, `${c.kind}: reference and generated serve different certificates`);
      }
      assert.match(report.machine.cpuModel, /\S/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
