// CPU time from /proc: utime + stime of a set of processes (all their threads), before and after
// a run, and the machine's busy share from /proc/stat.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

let ticks: number | undefined;

/** Clock ticks per second (getconf CLK_TCK; 100 on Linux). */
export function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

interface Stat {
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime, in ticks. */
  readonly ticks: number;
}

/** /proc/PID/stat, or undefined when the process is gone. */
export function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  // Fields after the command: state(3) ppid(4) … utime(14) stime(15).
  const rest = text.slice(close + 2).split(" ");
  return { comm: text.slice(open + 1, close), ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
}

/** Processes whose parent is `pid` (optionally only those named `comm`). */
export function childrenOf(pid: number, comm?: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s && s.ppid === pid && (comm === undefined || s.comm === comm)) out.push(Number(entry));
  }
  return out;
}

/** A process and its children (an nginx master and its workers). */
export function processTree(pid: number): number[] {
  return [pid, ...childrenOf(pid)];
}

/** CPU ticks of each process, to subtract later. */
export type CpuSnapshot = ReadonlyMap<number, number>;

export function snapshot(pids: readonly number[]): CpuSnapshot {
  const m = new Map<number, number>();
  for (const pid of pids) {
    const s = readStat(pid);
    if (s) m.set(pid, s.ticks);
  }
  return m;
}

/** CPU seconds each process in `after` used since `before` (a process new since then counts whole). */
export function cpuSecondsEach(before: CpuSnapshot, after: CpuSnapshot): number[] {
  return [...after].map(([pid, now]) => (now - (before.get(pid) ?? 0)) / clockTicks());
}

export function cpuSecondsBetween(before: CpuSnapshot, after: CpuSnapshot): number {
  return cpuSecondsEach(before, after).reduce((a, b) => a + b, 0);
}

/** The machine's counters from /proc/stat's first line: busy and total ticks. */
export function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest is already in user)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}
