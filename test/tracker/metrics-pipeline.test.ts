// Item 2 (issue 9): Prometheus gets the pinned tracker's stats, and item 7: no token in what
// Prometheus shows. Real programs, at the pinned versions, built by scripts/tools.sh from their Go
// modules: Prometheus 3.5.1 and promtool, json_exporter v0.7.0, Caddy 2.10.2 as the relay.
// The tracker is a NAMED STAND-IN serving v3.0.0's routes and bodies (standins/tracker-api.mjs).
// All of them run in one network namespace, like the tracker's shared namespace on the server,
// with the generated prometheus.yml, json_exporter config and the relay's Caddyfile as bootstrap
// writes it; the relay runs as its own uid with no writable home, as in its container. One substitution: Prometheus reaches json_exporter as tracker:7979 through compose's
// DNS; here that name is 127.0.0.1.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { CONTAINER_UIDS, JSON_EXPORTER_PORT, STATS_RELAY_TOKEN_MARK, jsonExporterConfig, prometheusConfig, renderPrometheusConfig, statsRelayCaddyfile } from "../../constructs/tracker/render";
import { renderYaml } from "../../constructs/tracker/render/yaml";
import { TRACKER_SERIES, TRACKER_STATS_FIELDS, TRACKER_STATS_JOB } from "../../constructs/versions";
import { tempDir } from "../helpers/tmp";
import { deployment } from "./fixtures";

const root = path.join(__dirname, "../..");
function tool(name: string): string {
  const r = spawnSync("bash", [path.join(root, "scripts/tools.sh"), "--print", name], { encoding: "utf8" });
  assert.equal(r.status, 0, `${name} is not built: run bash scripts/tools.sh ${name}`);
  return r.stdout.trim();
}

const NS = `tt-metrics-${process.pid % 100000}`;
const TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const API_PORT = 1212;
const PROM_PORT = 9090;
const STATS = Object.fromEntries(TRACKER_STATS_FIELDS.map((f, i) => [f, 1000 + i]));

interface Proc {
  readonly proc: ChildProcess;
  out: string;
}
const procs: Proc[] = [];

function start(what: string, cmd: string[], ready?: RegExp): Promise<Proc> {
  const proc = spawn("ip", ["netns", "exec", NS, ...cmd], { stdio: ["ignore", "pipe", "pipe"] });
  const p: Proc = { proc, out: "" };
  procs.push(p);
  const collect = (b: Buffer) => (p.out += b.toString());
  proc.stdout!.on("data", collect);
  proc.stderr!.on("data", collect);
  if (!ready) return Promise.resolve(p);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${p.out}`)), 20000);
    const check = () => {
      if (ready.test(p.out)) {
        clearTimeout(timer);
        resolve(p);
      }
    };
    proc.stdout!.on("data", check);
    proc.stderr!.on("data", check);
    proc.on("exit", (code) => reject(new Error(`${what} exited ${code}:\n${p.out}`)));
  });
}

/** GET inside the namespace (curl), the body as text. */
function get(url: string): string {
  const r = spawnSync("ip", ["netns", "exec", NS, "curl", "-sS", "--max-time", "5", url], { encoding: "utf8" });
  assert.equal(r.status, 0, `${url}: ${r.stderr}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("metrics: Prometheus 3.5.1 ← json_exporter v0.7.0 ← Caddy relay ← tracker v3.0.0 (stand-in)", () => {
  const d = deployment({ prometheus: { scrapeIntervalSeconds: 5 } });
  const dir = tempDir("metrics-");
  let tracker: Proc;
  const relay = () => procs[1];

  before(async () => {
    const prometheus = tool("prometheus");
    const jsonExporter = tool("json-exporter");
    spawnSync("ip", ["netns", "add", NS]);
    spawnSync("ip", ["-n", NS, "link", "set", "lo", "up"]);
    // The generated files, as written on the server.
    const promYml = renderYaml(prometheusConfig(d), "test").replace(/- tracker:(\d+)/, "- 127.0.0.1:$1");
    fs.writeFileSync(path.join(dir, "prometheus.yml"), promYml);
    fs.writeFileSync(path.join(dir, "json-exporter.yml"), renderYaml(jsonExporterConfig(), "test"));
    // The relay as in its container: its own uid, its Caddyfile 0400, a copy of the binary it can execute.
    const uid = CONTAINER_UIDS.statsRelay;
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, "relay"), { mode: 0o500 });
    fs.writeFileSync(path.join(dir, "relay/Caddyfile"), statsRelayCaddyfile(API_PORT).replace(STATS_RELAY_TOKEN_MARK, TOKEN), { mode: 0o400 });
    fs.chownSync(path.join(dir, "relay/Caddyfile"), uid, uid);
    fs.chownSync(path.join(dir, "relay"), uid, uid);
    fs.copyFileSync(tool("caddy"), path.join(dir, "caddy"));
    fs.chmodSync(path.join(dir, "caddy"), 0o755);

    tracker = await start("tracker stand-in", ["node", path.join(__dirname, "standins/tracker-api.mjs"), "0.0.0.0", String(API_PORT), TOKEN, JSON.stringify(STATS)], /ready/);
    // As the compose service runs it: caddy run --config <Caddyfile>, as the relay's uid.
    await start(
      "caddy relay",
      ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "env", "-i", "HOME=/nonexistent", path.join(dir, "caddy"), "run", "--config", path.join(dir, "relay/Caddyfile"), "--adapter", "caddyfile"],
      /serving initial configuration/,
    );
    await start("json_exporter", [jsonExporter, `--config.file=${path.join(dir, "json-exporter.yml")}`, `--web.listen-address=:${JSON_EXPORTER_PORT}`], /Listening on/);
    await start(
      "prometheus",
      [prometheus, `--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${PROM_PORT}`],
      /Server is ready to receive web requests/,
    );
  });

  after(async () => {
    const signal = (sig: NodeJS.Signals) => {
      for (const p of procs) {
        try {
          if (p.proc.exitCode === null && p.proc.pid) process.kill(p.proc.pid, sig);
        } catch {
          // already gone
        }
      }
    };
    signal("SIGTERM");
    await sleep(300);
    signal("SIGKILL");
    spawnSync("ip", ["netns", "del", NS]);
  });

  it("promtool accepts the generated prometheus.yml as written to the server", () => {
    const file = path.join(dir, "generated-prometheus.yml");
    fs.writeFileSync(file, renderPrometheusConfig(d).content);
    const r = spawnSync(tool("promtool"), ["check", "config", file], { encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  it("every tracker series exists in Prometheus with the tracker's value, and the target is up", async () => {
    const q = (expr: string) => JSON.parse(get(`http://127.0.0.1:${PROM_PORT}/api/v1/query?query=${encodeURIComponent(expr)}`));
    let result: { metric: Record<string, string>; value: [number, string] }[] = [];
    for (let i = 0; i < 60 && result.length < TRACKER_SERIES.length; i++) {
      result = q(`{__name__=~"torrust_tracker_.+",job="${TRACKER_STATS_JOB}"}`).data.result;
      if (result.length < TRACKER_SERIES.length) await sleep(1000);
    }
    const got = Object.fromEntries(result.map((r) => [r.metric.__name__, Number(r.value[1])]));
    const diagnostics = () => `targets: ${get(`http://127.0.0.1:${PROM_PORT}/api/v1/targets`)}\n${procs.map((p) => p.out).join("\n---\n")}`;
    assert.deepEqual(got, Object.fromEntries(TRACKER_SERIES.map((s) => [s.name, STATS[s.field]])), diagnostics());
    const up = q(`up{job="${TRACKER_STATS_JOB}"}`).data.result;
    assert.equal(up[0]?.value[1], "1");
  });

  it("item 7: the token is in no Prometheus page or log; only the relay sends it to the tracker", async () => {
    const targets = get(`http://127.0.0.1:${PROM_PORT}/api/v1/targets`);
    const target = JSON.parse(targets).data.activeTargets[0];
    assert.equal(target.scrapeUrl, "http://127.0.0.1:7979/probe?module=torrust_tracker_stats&target=http%3A%2F%2F127.0.0.1%3A7980%2Fstats");
    for (const page of [targets, get(`http://127.0.0.1:${PROM_PORT}/api/v1/status/config`), get(`http://127.0.0.1:${PROM_PORT}/api/v1/targets/metadata`)]) {
      assert.ok(!page.includes(TOKEN), "a Prometheus page shows the token");
    }
    for (const p of procs.filter((x) => x !== tracker)) assert.ok(!p.out.includes(TOKEN), `a log shows the token:\n${p.out}`);
    assert.doesNotMatch(relay().out, /"level":"error"/, `the relay runs without errors as its own uid:\n${relay().out}`);
    const requests = tracker.out.split("\n").filter((l) => l.startsWith("GET "));
    assert.ok(requests.length > 0 && requests.every((l) => l === `GET /api/v1/stats?token=${TOKEN}`), requests.join("\n"));
    // Fault: the tracker down. Caddy logs the failed request as received (no token).
    // Wait on what can be observed (the stand-in gone, the relay's log line), not on a time window:
    // on a loaded machine either can take longer than any fixed sleep.
    const exited = new Promise((r) => tracker.proc.once("exit", r));
    process.kill(tracker.proc.pid!, "SIGTERM");
    await exited;
    const refused = /"level":"error".*connection refused.*"uri":"\/stats"/;
    for (let i = 0; i < 100 && !refused.test(relay().out); i++) {
      spawnSync("ip", ["netns", "exec", NS, "curl", "-s", "-o", "/dev/null", "--max-time", "5", "http://127.0.0.1:7980/stats"]);
      await sleep(200);
    }
    assert.match(relay().out, refused);
    assert.ok(!relay().out.includes(TOKEN), relay().out);
  });
});
