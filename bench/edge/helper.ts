// The host side of one benchmark helper: starts bench/edge/inside.ts in its network namespace
// (a private mount namespace through unshare), sends it commands and collects its answers.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { REPO } from "../../rehearsal/prepare";
import { killPid } from "../../rehearsal/proc";
import type { BenchKind, Command, ConfigFacts, Message, Mode, RunResult, Variant } from "./protocol";

type Measured = { facts: ConfigFacts; results: readonly RunResult[] };
type Ready = Extract<Message, { type: "ready" }>;

export class Helper {
  readonly child: ChildProcess;
  readonly ready: Promise<Ready>;
  private readonly pending = new Map<number, { resolve: (m: Measured) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stderr = "";
  private readonly closed: Promise<number | null>;

  constructor(
    readonly kind: BenchKind,
    namespace: string,
    specFile: string,
    progress: (message: string) => void,
  ) {
    this.child = spawn(
      "ip",
      ["netns", "exec", namespace, "unshare", "--mount", "--propagation", "private", "--", process.execPath, "--import", "tsx", path.join(__dirname, "inside.ts"), specFile],
      { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] },
    );
    let onReady!: (m: Ready) => void;
    let onSetupFailed!: (e: Error) => void;
    this.ready = new Promise<Ready>((resolve, reject) => {
      onReady = resolve;
      onSetupFailed = reject;
    });
    this.ready.catch(() => undefined);
    readline.createInterface({ input: this.child.stdout! }).on("line", (line) => {
      let m: Message;
      try {
        m = JSON.parse(line) as Message;
      } catch {
        this.stderr += `${line}\n`;
        return;
      }
      if (m.type === "progress") progress(m.message);
      else if (m.type === "ready") onReady(m);
      else if (m.type === "measured") this.settle(m.id, m);
      else if (m.id === undefined) onSetupFailed(new Error(m.message));
      else this.settle(m.id, new Error(m.message));
    });
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr = `${this.stderr}${d.toString("utf8")}`.slice(-4000)));
    this.child.stdin!.on("error", () => undefined);
    this.closed = new Promise((resolve) => {
      this.child.on("close", (code) => {
        const err = new Error(`the ${kind} helper exited (${code}): ${this.stderr.trim().slice(-600)}`);
        onSetupFailed(err);
        for (const id of [...this.pending.keys()]) this.settle(id, err);
        resolve(code);
      });
    });
  }

  private settle(id: number, outcome: Measured | Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private send(cmd: Command): void {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  }

  /** Starts one configuration, loads it in each mode, stops it. */
  measure(variant: Variant, modes: readonly Mode[], seconds: number, round: number): Promise<Measured> {
    const id = this.nextId++;
    const answer = new Promise<Measured>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ id, type: "measure", variant, modes, seconds, round });
    return answer;
  }

  /** Asks the helper to stop everything it started; SIGTERM after `graceMs`. */
  async quit(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send({ id: 0, type: "quit" });
    const timer = setTimeout(() => this.child.pid && killPid(this.child.pid, "SIGTERM"), graceMs);
    await this.closed;
    clearTimeout(timer);
  }
}
