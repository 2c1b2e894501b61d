// A small stand-in for systemd inside the rehearsal: it reads the real unit files (the
// distribution's nginx.service and certbot.service, the generated bootstrap unit and drop-ins)
// and runs their Exec lines as systemd would for Type=oneshot/simple/forking, with Environment=,
// Restart=on-failure and RestartSec=. Reached by the systemctl stand-in over a Unix socket.
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { killPid, pidAlive, serverEnv, sleep } from "./proc";

const UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];

export interface UnitFile {
  readonly name: string;
  readonly service: Record<string, string[]>;
}

/** Parses a unit and its drop-ins ([Service] keys only, each a list of values in order). */
export function loadUnit(name: string): UnitFile | undefined {
  const file = UNIT_DIRS.map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
  if (!file) return undefined;
  const service: Record<string, string[]> = {};
  const read = (f: string) => {
    let section = "";
    const lines = fs.readFileSync(f, "utf8").replace(/\\\n/g, " ").split("\n");
    for (const line of lines) {
      const t = line.trim();
      if (!t || t.startsWith("#") || t.startsWith(";")) continue;
      const s = /^\[(.+)\]$/.exec(t);
      if (s) {
        section = s[1];
        continue;
      }
      const kv = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(t);
      if (!kv || section !== "Service") continue;
      if (kv[2] === "") service[kv[1]] = [];
      else (service[kv[1]] ??= []).push(kv[2]);
    }
  };
  read(file);
  for (const d of UNIT_DIRS) {
    const dropins = path.join(d, `${name}.d`);
    if (!fs.existsSync(dropins)) continue;
    for (const f of fs.readdirSync(dropins).filter((x) => x.endsWith(".conf")).sort()) read(path.join(dropins, f));
  }
  return { name, service };
}

type State = "inactive" | "activating" | "active" | "failed";

interface Unit {
  state: State;
  mainPid?: number;
  runs: number;
  /** Resolves when the current start job ends. */
  job?: Promise<void>;
  stopRequested: boolean;
  /** Exec lines still running (each its own process group). */
  children: Set<number>;
}

export class ServiceManager {
  private readonly units = new Map<string, Unit>();
  private server?: http.Server;

  constructor(
    private readonly logDir: string,
    private readonly log: (m: string) => void = () => undefined,
  ) {}

  unit(name: string): Unit {
    const n = normalize(name);
    let u = this.units.get(n);
    if (!u) this.units.set(n, (u = { state: "inactive", runs: 0, stopRequested: false, children: new Set() }));
    return u;
  }

  /** Listens for the systemctl stand-in. */
  async listen(socketPath: string): Promise<void> {
    fs.rmSync(socketPath, { force: true });
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString("utf8")));
      req.on("end", () => {
        const args = body.split("\n").filter((a, i, all) => a !== "" || i < all.length - 1);
        this.systemctl(args).then(
          ({ code, output }) => res.end(`${code}\n${output}`),
          (err: Error) => res.end(`1\n${err.message}`),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(socketPath, resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** systemctl's command line, the subset cloud-init scripts use. */
  async systemctl(argv: readonly string[]): Promise<{ code: number; output: string }> {
    const flags = argv.filter((a) => a.startsWith("-"));
    const [verb, ...names] = argv.filter((a) => !a.startsWith("-"));
    const noBlock = flags.includes("--no-block");
    this.log(`systemctl ${argv.join(" ")}`);
    switch (verb) {
      case "daemon-reload":
      case "reset-failed":
        return { code: 0, output: "" };
      case "enable":
      case "disable":
      case "mask":
      case "unmask":
        for (const n of names) if (!loadUnit(normalize(n))) return { code: 1, output: `Unit ${normalize(n)} does not exist.` };
        if (verb === "enable" && flags.includes("--now")) for (const n of names) await this.start(n, noBlock);
        return { code: 0, output: "" };
      case "start":
        for (const n of names) await this.start(n, noBlock);
        return { code: names.every((n) => noBlock || this.unit(n).state !== "failed") ? 0 : 1, output: "" };
      case "stop":
        for (const n of names) await this.stop(n);
        return { code: 0, output: "" };
      case "restart":
        for (const n of names) {
          await this.stop(n);
          await this.start(n, noBlock);
        }
        return { code: names.every((n) => noBlock || this.unit(n).state !== "failed") ? 0 : 1, output: "" };
      case "reload":
      case "reload-or-restart":
      case "try-reload-or-restart":
        for (const n of names) {
          const ok = await this.reload(n);
          if (!ok) return { code: 1, output: `Job for ${normalize(n)} failed.` };
        }
        return { code: 0, output: "" };
      case "is-active": {
        const s = this.unit(names[0] ?? "").state;
        return { code: s === "active" ? 0 : 3, output: flags.includes("-q") || flags.includes("--quiet") ? "" : s };
      }
      case "is-enabled":
        return { code: 0, output: "enabled" };
      case "status":
        return { code: 0, output: names.map((n) => `${normalize(n)}: ${this.unit(n).state}`).join("\n") };
      default:
        return { code: 1, output: `systemctl ${verb ?? ""}: not supported by the rehearsal's stand-in` };
    }
  }

  /** Starts a unit; waits for it to be active (or done, for oneshot) unless noBlock. */
  async start(name: string, noBlock = false): Promise<void> {
    const n = normalize(name);
    const u = this.unit(n);
    if (u.state === "active" || u.state === "activating") {
      if (!noBlock && u.job) await u.job;
      return;
    }
    const unit = loadUnit(n);
    if (!unit) {
      u.state = "failed";
      return;
    }
    u.stopRequested = false;
    u.state = "activating";
    u.job = this.runStart(unit, u);
    if (!noBlock) await u.job;
  }

  private async runStart(unit: UnitFile, u: Unit): Promise<void> {
    const s = unit.service;
    const type = s.Type?.at(-1) ?? "simple";
    const restart = s.Restart?.at(-1) ?? "no";
    const restartSec = parseSeconds(s.RestartSec?.at(-1) ?? "0.1");
    for (;;) {
      u.runs++;
      let ok = true;
      for (const line of s.ExecStartPre ?? []) ok = ok && (await this.exec(unit, line, u));
      if (ok && type === "simple") {
        const line = s.ExecStart?.[0];
        if (line) {
          const child = this.spawnLine(unit, line, u);
          u.mainPid = child.pid;
          u.state = "active";
          return;
        }
      }
      for (const line of ok ? (s.ExecStart ?? []) : []) ok = ok && (await this.exec(unit, line, u));
      for (const line of ok ? (s.ExecStartPost ?? []) : []) ok = ok && (await this.exec(unit, line, u));
      if (ok && type === "forking") u.mainPid = readPid(s.PIDFile?.at(-1));
      if (ok) {
        u.state = type === "oneshot" && s.RemainAfterExit?.at(-1) !== "yes" ? "inactive" : "active";
        return;
      }
      u.state = "failed";
      if (u.stopRequested || !["on-failure", "always", "on-abnormal"].includes(restart)) return;
      this.log(`${unit.name} failed; restarting in ${restartSec}s (Restart=${restart})`);
      await sleep(restartSec * 1000);
      if (u.stopRequested) return;
      u.state = "activating";
    }
  }

  async stop(name: string): Promise<void> {
    const n = normalize(name);
    const u = this.unit(n);
    u.stopRequested = true;
    const unit = loadUnit(n);
    if (unit && u.state === "active") {
      for (const line of unit.service.ExecStop ?? []) await this.exec(unit, line, u);
    }
    // A running Exec line (e.g. a bootstrap still retrying): its process group, by its id.
    for (const pid of u.children) killPid(-pid, "SIGTERM");
    if (u.job) await Promise.race([u.job, sleep(3000)]);
    if (u.mainPid && pidAlive(u.mainPid)) {
      killPid(u.mainPid, "SIGTERM");
      for (let i = 0; i < 50 && pidAlive(u.mainPid); i++) await sleep(100);
      if (pidAlive(u.mainPid)) killPid(u.mainPid, "SIGKILL");
    }
    u.mainPid = undefined;
    u.state = "inactive";
  }

  async reload(name: string): Promise<boolean> {
    const n = normalize(name);
    const unit = loadUnit(n);
    const u = this.unit(n);
    if (!unit) return false;
    if (u.state !== "active") {
      await this.start(n);
      return this.unit(n).state !== "failed";
    }
    let ok = true;
    for (const line of unit.service.ExecReload ?? []) ok = ok && (await this.exec(unit, line, u));
    return ok;
  }

  /** Runs the whole life of every unit down: ExecStop lines and main PIDs. */
  async stopAll(): Promise<void> {
    for (const [name, u] of this.units) if (u.state === "active" || u.state === "activating") await this.stop(name);
  }

  private env(unit: UnitFile): NodeJS.ProcessEnv {
    const extra: Record<string, string> = {};
    for (const v of unit.service.Environment ?? []) {
      for (const m of v.matchAll(/"([^"=]+)=([^"]*)"|(\S+?)=(\S*)/g)) extra[m[1] ?? m[3]] = m[2] ?? m[4];
    }
    for (const f of unit.service.EnvironmentFile ?? []) {
      const file = f.replace(/^-/, "");
      if (!fs.existsSync(file)) continue;
      for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const kv = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (kv) extra[kv[1]] = kv[2].replace(/^"(.*)"$/, "$1");
      }
    }
    return serverEnv(extra);
  }

  private spawnLine(unit: UnitFile, line: string, u: Unit) {
    const command = line.replace(/^[-@+!:]+/, "").replace(/\$MAINPID|\$\{MAINPID\}/g, String(u.mainPid ?? ""));
    const log = fs.openSync(path.join(this.logDir, `unit-${unit.name}.log`), "a");
    fs.writeSync(log, `--- ${new Date().toISOString()} ${command}\n`);
    const child = spawn("/bin/sh", ["-c", command], { env: this.env(unit), stdio: ["ignore", log, log], detached: true });
    fs.closeSync(log);
    const pid = child.pid;
    if (pid !== undefined) {
      u.children.add(pid);
      child.on("exit", () => u.children.delete(pid));
    }
    return child;
  }

  /** Runs one Exec line to completion; a leading "-" ignores failure. */
  private exec(unit: UnitFile, line: string, u: Unit): Promise<boolean> {
    const ignore = /^[@+!:]*-/.test(line);
    const child = this.spawnLine(unit, line, u);
    return new Promise((resolve) => {
      child.on("error", () => resolve(ignore));
      child.on("exit", (code) => resolve(ignore || code === 0));
    });
  }
}

function normalize(name: string): string {
  return /\.(service|timer|socket|target|mount|path)$/.test(name) ? name : `${name}.service`;
}

function parseSeconds(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|min)?$/.exec(v.trim());
  if (!m) return 1;
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "min" ? n * 60 : n;
}

function readPid(file?: string): number | undefined {
  if (!file) return undefined;
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
