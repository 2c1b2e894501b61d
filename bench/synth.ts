// npm run bench:synth — whole-process time and peak memory of the app command from cdktf.json
// (what `cdktf synth` runs, without the CLI's own start-up) for 1, 10 and 50 deployments.
// Prints a table; medians of several runs. Targets on 2 cores: 1 → ≤ 1 s, 50 → ≤ 5 s.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";

const ROOT = path.join(__dirname, "..");
const COUNTS = (process.env.BENCH_COUNTS ?? "1,10,50").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TIME = "/usr/bin/time";

function appCommand(): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app;
}

/** N copies of the example, each its own stack, cycling through the three proxies. */
function writeDeployments(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-synth-${n}-`));
  const example = YAML.parse(fs.readFileSync(path.join(ROOT, "deployments/example.yaml"), "utf8"));
  const kinds = ["caddy", "nginx-certbot", "pingoo"];
  for (let i = 0; i < n; i++) {
    const d = structuredClone(example);
    delete d.$schema;
    d.name = `bench-${i}`;
    d.domain = `t${i}.example.com`;
    d.proxy.kind = kinds[i % kinds.length];
    if (d.proxy.kind === "pingoo") d.grafana.live = false;
    fs.writeFileSync(path.join(dir, `bench-${String(i).padStart(3, "0")}.yaml`), YAML.stringify(d));
  }
  return dir;
}

function measure(deployments: string): { seconds: number; peakMb: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-out-"));
  const r = spawnSync(TIME, ["-f", "%e %M", "sh", "-c", appCommand()], {
    cwd: ROOT,
    env: { ...process.env, TRACKER_DEPLOYMENTS: deployments, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`synth failed (exit ${r.status}):\n${r.stderr}`);
  const [seconds, kb] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds, peakMb: kb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  if (!fs.existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install time`);
  console.log(`app command: ${appCommand()}   runs per row: ${RUNS} (median)   cores: ${os.cpus().length}`);
  const rows: string[][] = [["deployments", "wall s", "s / deployment", "peak RSS MB", "target"]];
  for (const n of COUNTS) {
    const dir = writeDeployments(n);
    process.stdout.write(`synthesizing ${n} deployment(s) ×${RUNS} ...\n`);
    const runs = Array.from({ length: RUNS }, () => measure(dir));
    fs.rmSync(dir, { recursive: true, force: true });
    const s = median(runs.map((r) => r.seconds));
    const mb = median(runs.map((r) => r.peakMb));
    const target = n === 1 ? "≤ 1 s" : n === 50 ? "≤ 5 s" : "";
    const ok = n === 1 ? s <= 1 : n === 50 ? s <= 5 : true;
    rows.push([String(n), s.toFixed(2), (s / n).toFixed(3), mb.toFixed(0), target ? `${target} ${ok ? "met" : "MISSED"}` : ""]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join("  "));
}

main();
