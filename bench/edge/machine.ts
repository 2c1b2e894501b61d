// The machine a benchmark ran on: CPU, cores, kernel, memory and the versions of what ran.
import * as fs from "node:fs";
import * as os from "node:os";
import { run } from "../../rehearsal/proc";
import { wrkVersion } from "./wrk";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly kernel: string;
  readonly os: string;
  readonly memoryGb: number;
  readonly versions: Readonly<Record<string, string>>;
}

async function firstLine(command: string, args: readonly string[], pattern: RegExp): Promise<string> {
  const r = await run(command, args, { timeoutMs: 10_000 });
  return pattern.exec(`${r.stdout}\n${r.stderr}`)?.[1]?.trim() ?? "unknown";
}

export async function machineInfo(): Promise<MachineInfo> {
  const release = fs.existsSync("/etc/os-release") ? fs.readFileSync("/etc/os-release", "utf8") : "";
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.cpus().length,
    kernel: os.release(),
    os: /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? os.type(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    versions: {
      caddy: await firstLine("caddy", ["version"], /^(\S+)/),
      nginx: await firstLine("nginx", ["-v"], /nginx\/(\S+)/),
      openssl: await firstLine("openssl", ["version"], /OpenSSL (\S+)/),
      wrk: await wrkVersion(),
      node: process.version,
      opentracker: await firstLine("dpkg-query", ["-W", "-f", "${Version}", "opentracker"], /^(\S+)/),
      certbot: await firstLine("certbot", ["--version"], /certbot (\S+)/),
    },
  };
}
