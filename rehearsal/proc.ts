// Child processes the rehearsal starts: each one logged to its own file, tracked by PID and
// stopped by PID (SIGTERM, then SIGKILL after a grace period). Bounded waits with progress.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Variables some machines preset to the system CA bundle (rehearsal.md §7): never inherited. */
export const CA_BUNDLE_VARIABLES = ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "NIX_SSL_CERT_FILE"];

/** The environment of a root shell on the server: PATH and HOME, no CA bundle overrides, no proxies. */
export function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/root",
    LANG: "C.UTF-8",
    ...extra,
  };
  for (const v of CA_BUNDLE_VARIABLES) if (!(v in extra)) delete env[v];
  return env;
}

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  exitCode?: number | string;
}

/** Milliseconds since `start`, as "12.3s". */
export function elapsed(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)}s`;
}

/** Sleeps. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Processes {
  private readonly procs = new Set<Proc>();

  constructor(private readonly logDir: string) {
    fs.mkdirSync(logDir, { recursive: true });
  }

  /** Starts a process with stdout and stderr appended to `<logDir>/<name>.log`. */
  start(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Proc {
    const logFile = path.join(this.logDir, `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.log`);
    const fd = fs.openSync(logFile, "a");
    fs.writeSync(fd, `--- ${new Date().toISOString()} ${command} ${args.join(" ")}\n`);
    const child = spawn(command, args, { env: serverEnv(), ...options, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    if (child.pid === undefined) throw new Error(`cannot start ${name} (${command})`);
    let proc!: Proc;
    const exited = new Promise<number | string>((resolve) => {
      child.on("error", () => resolve("spawn-error"));
      child.on("exit", (code, signal) => {
        proc.exitCode = code ?? signal ?? "unknown";
        this.procs.delete(proc);
        resolve(proc.exitCode);
      });
    });
    proc = { name, pid: child.pid, logFile, child, exited };
    this.procs.add(proc);
    return proc;
  }

  /** Stops one process by its PID: `signal`, then SIGKILL after `graceMs`. */
  async stop(proc: Proc, signal: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<void> {
    if (proc.exitCode !== undefined) return;
    killPid(proc.pid, signal);
    const done = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      killPid(proc.pid, "SIGKILL");
      await Promise.race([proc.exited, sleep(2000)]);
    }
  }

  /** Stops every process still running, each by its PID. */
  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.procs].map((p) => this.stop(p, "SIGTERM", graceMs)));
  }

  running(): Proc[] {
    return [...this.procs];
  }
}

/** Sends a signal to one PID; a process that is already gone is not an error. */
export function killPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0: look at its state.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

export interface RunResult {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to completion (bounded by `timeoutMs`, then killed by PID). */
export function run(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number; input?: string | Buffer } = {},
): Promise<RunResult> {
  const { timeoutMs = 60_000, input, ...spawnOptions } = options;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: serverEnv(), ...spawnOptions, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      if (child.pid) killPid(child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: "spawn-error", stdout, stderr: `${stderr}${err.message}`, ms: Date.now() - started });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? "unknown", stdout, stderr, ms: Date.now() - started });
    });
    child.stdin!.on("error", () => undefined);
    child.stdin!.end(input ?? "");
  });
}

/** Runs a command and throws with its output when it fails. */
export async function runOk(command: string, args: readonly string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
  return r.stdout;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Called about every `progressEveryMs` with the elapsed time and the last problem. */
  readonly progress?: (message: string) => void;
  readonly progressEveryMs?: number;
}

/**
 * Polls `probe` until it returns a value (not undefined). A probe may throw or return
 * `{ waiting: reason }` to say why it is not ready; the last reason is in the timeout error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | { waiting: string } | undefined>,
  options: WaitOptions,
): Promise<T> {
  const start = Date.now();
  const interval = options.intervalMs ?? 250;
  const every = options.progressEveryMs ?? 5000;
  let lastProgress = start;
  let reason = "not ready";
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && !(typeof v === "object" && v !== null && "waiting" in (v as object))) return v as T;
      if (v !== undefined) reason = (v as { waiting: string }).waiting;
    } catch (err) {
      reason = (err as Error).message;
    }
    if (Date.now() - start >= options.timeoutMs) {
      throw new Error(`${what}: not ready after ${elapsed(start)} (${reason})`);
    }
    if (options.progress && Date.now() - lastProgress >= every) {
      lastProgress = Date.now();
      options.progress(`waiting ${elapsed(start)} for ${what}: ${reason}`);
    }
    await sleep(interval);
  }
}
