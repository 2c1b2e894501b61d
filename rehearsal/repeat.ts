// npm run rehearse:repeat -- [--runs 10] [--proxy caddy|nginx-certbot] [--cpu-load 2]
//
// Runs each proxy's rehearsal N times in a row, optionally while stress-ng keeps N CPU workers
// busy, and prints N/10 per proxy with the durations: a row that passes only on a quiet machine
// is a defect. stress-ng (Debian) is started once and stopped by its PID at the end.
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { KINDS } from "./rehearse";
import { killPid, sleep } from "./proc";
import { runMain } from "./rows";
import type { RehearsedKind } from "./spec";

const REPO = path.resolve(__dirname, "..");

interface Options {
  readonly runs: number;
  readonly kinds: readonly RehearsedKind[];
  readonly cpuLoad: number;
}

function parseArgs(argv: readonly string[]): Options {
  let runs = 10;
  let kinds: readonly RehearsedKind[] = KINDS;
  let cpuLoad = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? "";
    if (a === "--runs") runs = Number(value());
    else if (a === "--cpu-load") cpuLoad = Number(value());
    else if (a === "--proxy") {
      const k = value();
      if (!(KINDS as readonly string[]).includes(k)) throw new Error(`--proxy must be ${KINDS.join(" or ")}, not ${k}`);
      kinds = [k as RehearsedKind];
    } else throw new Error(`unknown argument ${a} (npm run rehearse:repeat -- [--runs 10] [--proxy caddy|nginx-certbot] [--cpu-load 2])`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${runs}`);
  if (!Number.isInteger(cpuLoad) || cpuLoad < 0) throw new Error(`--cpu-load must be a number of busy CPU workers (0 for none), not ${cpuLoad}`);
  return { runs, kinds, cpuLoad };
}

interface RunResult {
  readonly ok: boolean;
  readonly seconds: number;
  readonly summary: string;
  readonly failed: string[];
  readonly renewal: string;
  /** The rehearsal's own duration row ("68.3 s (synth …"). */
  readonly duration: string;
}

function rehearseOnce(kind: RehearsedKind): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "rehearsal", "rehearse.ts"), "--proxy", kind], { cwd: REPO, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.on("close", (code) => {
      const rows = out.split("\n");
      const failed = rows.filter((l) => l.startsWith("FAIL"));
      const renewal = rows.filter((l) => l.includes("fault: renewal near expiry")).map((l) => l.replace(/\s+/g, " ").slice(0, 160)).join(" | ");
      const duration = rows.find((l) => / duration /.test(l))?.replace(/^\S+\s+\S+ duration\s+/, "").replace(/ \(synth.*$/, "") ?? "?";
      resolve({
        duration,
        ok: code === 0 && failed.length === 0,
        seconds: (Date.now() - started) / 1000,
        summary: rows.find((l) => /^\d+ passed, \d+ failed/.test(l)) ?? `exit ${code}, no summary`,
        failed,
        renewal,
      });
    });
  });
}

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(" ");

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  let stress: ReturnType<typeof spawn> | undefined;
  const stopStress = async () => {
    if (!stress?.pid || stress.exitCode !== null) return;
    killPid(stress.pid, "SIGTERM");
    for (let i = 0; i < 50 && stress.exitCode === null && stress.signalCode === null; i++) await sleep(100);
    if (stress.exitCode === null && stress.signalCode === null) killPid(stress.pid, "SIGKILL");
  };
  process.on("SIGINT", () => void stopStress().then(() => process.exit(130)));
  if (o.cpuLoad > 0) {
    stress = spawn("stress-ng", ["--cpu", String(o.cpuLoad), "--quiet"], { stdio: "ignore" });
    stress.on("error", (e) => process.stderr.write(`stress-ng: ${e.message} (apt-get install stress-ng)\n`));
    await sleep(2000);
    if (stress.exitCode !== null) throw new Error("stress-ng did not start (apt-get install stress-ng)");
  }
  const lines: string[] = [];
  let allOk = true;
  try {
    process.stdout.write(`${o.runs} runs per proxy; CPU load: ${o.cpuLoad ? `stress-ng --cpu ${o.cpuLoad} (pid ${stress?.pid})` : "none added"}; ${os.cpus().length} CPUs; load average ${load()}\n`);
    for (const kind of o.kinds) {
      const results: RunResult[] = [];
      for (let i = 1; i <= o.runs; i++) {
        const r = await rehearseOnce(kind);
        results.push(r);
        process.stdout.write(
          `${kind} run ${i}/${o.runs}: ${r.ok ? "PASS" : "FAIL"} ${r.summary}; duration row ${r.duration}, ${r.seconds.toFixed(1)} s with start-up and clean-up (load average ${load()})\n` +
            (r.ok ? "" : `  ${r.failed.join("\n  ")}\n`) +
            (r.renewal ? `  ${r.renewal}\n` : ""),
        );
      }
      const passed = results.filter((r) => r.ok).length;
      allOk &&= passed === o.runs;
      const s = results.map((r) => r.seconds).sort((a, b) => a - b);
      const d = results.map((r) => Number.parseFloat(r.duration)).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      lines.push(
        `${kind}: ${passed}/${o.runs} passed; duration row ${d[0]?.toFixed(1)}–${d[d.length - 1]?.toFixed(1)} s (median ${d[Math.floor(d.length / 2)]?.toFixed(1)} s), ` +
          `${s[0].toFixed(1)}–${s[s.length - 1].toFixed(1)} s per run with start-up and clean-up`,
      );
    }
  } finally {
    await stopStress();
  }
  process.stdout.write(`\n${lines.join("\n")}\n`);
  return allOk ? 0 : 1;
}

if (require.main === module) runMain(main);
