// npm run bench:edge -- [--smoke] [--rounds N] [--seconds N] [--connections N] [--threads N]
//                       [--upstream stand-in|opentracker] [--proxy caddy|nginx-certbot]
//                       [--warmup SECONDS] [--deployment FILE] [--out FILE] [--markdown] [--keep]
//
// What each generated proxy config costs per announce. For Caddy and nginx + certbot, each in its
// own network namespace set up exactly like the rehearsal (the files from the synthesized
// user_data, certificates from Pebble), wrk sends realistic announces to the HTTP tracker's
// hostname, with keep-alive connections and with a new (TLS) connection per announce, through
// the generated config and through a hand-written reference config (a minimal Caddyfile; nginx
// as `certbot --nginx` leaves a plain server block), and straight to the upstream without TLS
// (the baseline). Alternating rounds; medians, p50/p99, the proxy's CPU seconds per 10,000
// announces from /proc, errors, ratios. Prints a table, writes JSON (bench/results/).
// Env: BENCH_EDGE_ROUNDS, BENCH_EDGE_SECONDS, BENCH_EDGE_CONNECTIONS.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { createNamespace } from "../rehearsal/netns";
import { REPO } from "../rehearsal/prepare";
import { Cleanup, missingPackages, prepareScenarioBase } from "../rehearsal/rehearse";
import { progressWriter, runMain } from "../rehearsal/rows";
import { Helper } from "./edge/helper";
import { machineInfo } from "./edge/machine";
import { MODES, type BenchKind, type BenchSpec, type ConfigFacts, type LoadSettings, type RunResult, type Variant } from "./edge/protocol";
import {
  comparisonLines,
  comparisons,
  describeSettings,
  markdownTable,
  reasons,
  rows,
  textTable,
  type Report,
  type ReportSettings,
} from "./edge/report";

const KINDS: readonly BenchKind[] = ["caddy", "nginx-certbot"];

export interface EdgeOptions extends LoadSettings {
  readonly deployment: string;
  readonly out?: string;
  readonly markdown: boolean;
  readonly keep: boolean;
}

function positive(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, not ${v}`);
  return n;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EdgeOptions {
  const smoke = argv.includes("--smoke");
  let o: EdgeOptions = {
    kinds: KINDS,
    rounds: smoke ? 1 : positive("BENCH_EDGE_ROUNDS", env.BENCH_EDGE_ROUNDS ?? "5"),
    seconds: smoke ? 1 : positive("BENCH_EDGE_SECONDS", env.BENCH_EDGE_SECONDS ?? "4"),
    warmupSeconds: 0,
    connections: positive("BENCH_EDGE_CONNECTIONS", env.BENCH_EDGE_CONNECTIONS ?? (smoke ? "8" : "32")),
    threads: 1,
    timeoutSeconds: 5,
    upstream: "stand-in",
    infoHashes: 500,
    deployment: path.join(REPO, "deployments", "example.yaml"),
    markdown: false,
    keep: false,
    smoke,
  };
  const kinds: BenchKind[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === "--smoke") continue;
    else if (a === "--rounds") o = { ...o, rounds: positive(a, next()) };
    else if (a === "--seconds") o = { ...o, seconds: positive(a, next()) };
    else if (a === "--connections") o = { ...o, connections: positive(a, next()) };
    else if (a === "--threads") o = { ...o, threads: positive(a, next()) };
    else if (a === "--warmup") o = { ...o, warmupSeconds: Number(next()) || 0 };
    else if (a === "--upstream") {
      const u = next();
      if (u !== "stand-in" && u !== "opentracker") throw new Error(`--upstream must be stand-in or opentracker, not ${u}`);
      o = { ...o, upstream: u };
    } else if (a === "--proxy") {
      const k = next();
      if (!(KINDS as readonly string[]).includes(k)) throw new Error(`--proxy must be caddy or nginx-certbot (pingoo cannot run here), not ${k}`);
      kinds.push(k as BenchKind);
    } else if (a === "--deployment") o = { ...o, deployment: path.resolve(next() ?? "") };
    else if (a === "--out") o = { ...o, out: path.resolve(next() ?? "") };
    else if (a === "--markdown") o = { ...o, markdown: true };
    else if (a === "--keep") o = { ...o, keep: true };
    else if (a === "--help" || a === "-h") {
      process.stdout.write(`${fs.readFileSync(__filename, "utf8").split("\n").slice(0, 3).map((l) => l.replace(/^\/\/ ?/, "")).join("\n")}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return kinds.length ? { ...o, kinds } : o;
}

/** One round's order: generated and reference of each proxy next to each other, alternating which goes first. */
export function roundOrder(kinds: readonly BenchKind[], round: number): { kind: BenchKind; variant: Variant }[] {
  const forward = [{ kind: kinds[0], variant: "baseline" as Variant }, ...kinds.flatMap((kind) => (["generated", "reference"] as Variant[]).map((variant) => ({ kind, variant })))];
  return round % 2 === 1 ? forward : [...forward].reverse();
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[:]/g, "").replace(/\.\d+Z$/, "Z");
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const started = new Date();
  const progress = progressWriter("");
  if (process.getuid?.() !== 0) throw new Error("bench:edge creates network and mount namespaces: run it as root");
  const missing = [...missingPackages(), ...(fs.existsSync("/usr/bin/wrk") ? [] : ["wrk"])];
  if (missing.length) throw new Error(`missing Debian packages: ${missing.join(", ")} (apt-get install ${missing.join(" ")}, or bash scripts/install-test-deps.sh)`);

  const cleanup = new Cleanup();
  cleanup.keep = o.keep;
  const root = cleanup.makeRoot("torrust-bench-edge-");
  cleanup.onSignals();

  const runs: RunResult[] = [];
  const facts = new Map<string, ConfigFacts>();
  const failures: string[] = [];
  const helpers = new Map<BenchKind, Helper>();
  let upstreamDescription = "";
  try {
    const machine = await machineInfo();
    const infoHashes = Array.from({ length: o.infoHashes }, () => randomBytes(20).toString("hex"));
    // Both namespaces are set up at once (synth, Pebble, first boot); the load runs one at a time.
    await Promise.all(
      o.kinds.map(async (kind) => {
        const p = progressWriter(`[${kind}] `);
        const dir = path.join(root, kind);
        const { base } = await prepareScenarioBase(kind, o.deployment, dir, p);
        const runDir = path.join(dir, "bench");
        fs.mkdirSync(runDir, { recursive: true, mode: 0o755 });
        const spec: BenchSpec = {
          ...base,
          scenario: "main",
          runDir,
          budgetSeconds: 3600,
          bench: { upstream: o.upstream, infoHashes, connections: o.connections, threads: o.threads, timeoutSeconds: o.timeoutSeconds },
        };
        const specFile = path.join(runDir, "spec.json");
        fs.writeFileSync(specFile, JSON.stringify(spec));
        const ns = `be${process.pid}-${kind === "caddy" ? "c" : "n"}`;
        cleanup.namespaces.add(ns);
        await createNamespace(ns);
        const helper = new Helper(kind, ns, specFile, p);
        cleanup.helpers.add(helper.child);
        helpers.set(kind, helper);
        const ready = await helper.ready;
        upstreamDescription = ready.upstream;
        p(`ready after ${ready.setupSeconds.toFixed(1)} s: ${ready.trackerHostname}, upstream ${ready.upstream}`);
      }),
    );
    if (o.warmupSeconds > 0) {
      for (const [kind, h] of helpers) {
        progress(`warm-up: ${kind} namespace, baseline and generated, ${o.warmupSeconds} s each mode`);
        await h.measure("baseline", MODES, o.warmupSeconds, 0);
        await h.measure("generated", MODES, o.warmupSeconds, 0);
      }
    }
    for (let round = 1; round <= o.rounds; round++) {
      for (const { kind, variant } of roundOrder(o.kinds, round)) {
        if (cleanup.interrupted) break;
        const h = helpers.get(kind)!;
        try {
          const m = await h.measure(variant, MODES, o.seconds, round);
          runs.push(...m.results);
          facts.set(`${kind}|${variant}`, m.facts);
          const line = m.results.map((r) => `${r.mode} ${Math.round(r.rps)} req/s, ${r.errorCount} errors`).join("; ");
          progress(`round ${round}/${o.rounds} ${variant === "baseline" ? "baseline" : `${kind} ${variant}`}: ${line}`);
        } catch (err) {
          failures.push((err as Error).message);
          progress(`FAILED: ${(err as Error).message}`);
        }
      }
    }
    if (cleanup.interrupted) return 130;
    for (const h of helpers.values()) await h.quit();

    const finished = new Date();
    const { deployment, out: _out, markdown: _markdown, keep: _keep, ...load } = o;
    const settings: ReportSettings = {
      ...load,
      upstreamDescription,
      deployment: path.relative(REPO, deployment),
      pinned: `not pinned: wrk (${o.threads} thread${o.threads === 1 ? "" : "s"}), the proxy and the upstream share all ${machine.cores} cores`,
    };
    const configs = [...facts.values()];
    const table = rows(runs);
    const report: Report = {
      tool: "npm run bench:edge",
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      totalSeconds: (finished.getTime() - started.getTime()) / 1000,
      machine,
      settings,
      configs,
      rows: table,
      comparisons: comparisons(runs),
      reasons: reasons(configs, table),
      runs,
      failures,
    };
    const out = o.out ?? path.join(REPO, "bench", "results", `edge-${timestamp(started)}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    printReport(report, o.markdown);
    process.stdout.write(`\nJSON: ${out}\n`);
    return failures.length ? 1 : 0;
  } catch (err) {
    if (cleanup.interrupted) return 130;
    throw err;
  } finally {
    const notes = await cleanup.run();
    for (const n of notes) process.stderr.write(`  ${n}\n`);
  }
}

function printReport(r: Report, markdown: boolean): void {
  const lines = [
    "",
    ...describeSettings(r.settings, r.machine),
    "",
    textTable(r.rows),
    "",
    `generated / reference, paired by round (${r.settings.rounds} round${r.settings.rounds === 1 ? "" : "s"}; CPU ratio = reference CPU / generated CPU per announce):`,
    ...comparisonLines(r.comparisons).map((l) => `  ${l}`),
    "",
    "why they differ:",
    ...r.reasons.map((l) => `  - ${l}`),
    ...(r.failures.length ? ["", "failures:", ...r.failures.map((f) => `  - ${f}`)] : []),
    "",
    `total ${r.totalSeconds.toFixed(0)} s`,
  ];
  if (markdown) lines.push("", markdownTable(r.rows));
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (require.main === module) runMain(main);
