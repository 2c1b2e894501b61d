// What the harness reads from inside the guest: one root shell script (run over SSH with sudo)
// printing named sections, and the parsers of what cloud-init and systemd print there.
// Pure functions: unit-tested against captured outputs in test/boot/guest-facts.test.ts.

/** A section marker no command prints. */
const MARK = "=====BOOT-SECTION";

/** Shell script printing `MARK name` followed by the command's output, for each [name, command]. */
export function factsScript(sections: ReadonlyArray<readonly [string, string]>): string {
  const lines = ["#!/bin/bash", "export LC_ALL=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0"];
  for (const [name, command] of sections) {
    if (!/^[a-z0-9_.:/-]+$/i.test(name)) throw new Error(`section name ${JSON.stringify(name)}`);
    lines.push(`echo '${MARK} ${name}'`, `{ ${command}\n} 2>&1`, `echo "${MARK}-rc $?"`);
  }
  return lines.join("\n") + "\n";
}

export interface Section {
  readonly out: string;
  readonly rc: number;
}

/** Splits the script's output back into its sections. */
export function parseFacts(output: string): Map<string, Section> {
  const map = new Map<string, Section>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of output.split("\n")) {
    if (line.startsWith(`${MARK}-rc `) && name !== undefined) {
      map.set(name, { out: body.join("\n").replace(/\n+$/, ""), rc: Number(line.slice(MARK.length + 4)) });
      name = undefined;
      body = [];
    } else if (line.startsWith(`${MARK} `)) {
      name = line.slice(MARK.length + 1);
      body = [];
    } else if (name !== undefined) body.push(line);
  }
  return map;
}

export interface CloudInitStatus {
  readonly status: string;
  readonly extendedStatus: string;
  readonly errors: string[];
  readonly recoverable: Array<{ level: string; message: string }>;
  readonly datasource: string;
  readonly bootStatusCode: string;
}

/** `cloud-init status --long --format json` (cloudinit/cmd/status.py, 23.4+: extended_status, recoverable_errors). */
export function parseCloudInitStatus(json: string): CloudInitStatus {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new Error(`cloud-init status is not JSON: ${json.slice(0, 200)}`);
  }
  const recoverable: Array<{ level: string; message: string }> = [];
  const rec = (raw.recoverable_errors ?? {}) as Record<string, unknown>;
  for (const [level, messages] of Object.entries(rec)) {
    for (const m of Array.isArray(messages) ? messages : []) recoverable.push({ level, message: String(m) });
  }
  return {
    status: String(raw.status ?? ""),
    extendedStatus: String(raw.extended_status ?? raw.status ?? ""),
    errors: (Array.isArray(raw.errors) ? raw.errors : []).map(String),
    recoverable,
    datasource: String(raw.datasource ?? ""),
    bootStatusCode: String(raw.boot_status_code ?? ""),
  };
}

export interface ModuleResult {
  /** Stage and module as cloud-init's events name them, e.g. "modules-final/config-scripts-user". */
  readonly name: string;
  readonly result: "SUCCESS" | "FAIL" | "WARN" | string;
  /** "config-x ran successfully and took 0.1 seconds", "config-x previously ran" or, on failure, "running config-x ...". */
  readonly description: string;
  readonly seconds: number;
}

interface AnalyzeEvent {
  name?: string;
  event_type?: string;
  result?: string;
  description?: string;
  timestamp?: number;
}

/**
 * `cloud-init analyze dump` (cloudinit/analyze/dump.py: the reporting events of every boot as
 * JSON) → the module results of each boot, in order. A boot starts with the `init-local` start
 * event; modules are `<stage>/config-<module>` finish events.
 */
export function parseAnalyzeDump(json: string): ModuleResult[][] {
  let events: AnalyzeEvent[];
  try {
    events = JSON.parse(json) as AnalyzeEvent[];
  } catch {
    throw new Error(`cloud-init analyze dump is not JSON: ${json.slice(0, 200)}`);
  }
  if (!Array.isArray(events)) throw new Error("cloud-init analyze dump is not a list of events");
  const boots: ModuleResult[][] = [];
  const started = new Map<string, number>();
  for (const e of events) {
    if (e.name === "init-local" && e.event_type === "start") boots.push([]);
    if (!e.name || !/^[a-z-]+\/config-[\w-]+$/.test(e.name)) continue;
    if (e.event_type === "start") started.set(e.name, e.timestamp ?? 0);
    else if (e.event_type === "finish") {
      if (boots.length === 0) boots.push([]);
      const seconds = Math.max(0, (e.timestamp ?? 0) - (started.get(e.name) ?? e.timestamp ?? 0));
      boots[boots.length - 1].push({ name: e.name, result: e.result ?? "", description: e.description ?? "", seconds });
    }
  }
  return boots;
}

/** `systemctl show --timestamp=unix -p A -p B unit` → { A: "...", B: "..." }. */
export function parseSystemctlShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A `--timestamp=unix` value ("@1764466812") as epoch milliseconds; undefined when unset. */
export function unixTimestamp(value: string | undefined): number | undefined {
  const m = /^@(\d+(?:\.\d+)?)$/.exec((value ?? "").trim());
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/** `stat -c '%n|%U|%G|%a|%s'` lines → by path. */
export function parseStat(text: string): Map<string, { owner: string; group: string; mode: number; size: number }> {
  const map = new Map<string, { owner: string; group: string; mode: number; size: number }>();
  for (const line of text.split("\n")) {
    const [p, owner, group, mode, size] = line.split("|");
    if (p && mode !== undefined) map.set(p, { owner, group, mode: parseInt(mode, 8), size: Number(size) });
  }
  return map;
}

/** `sha256sum` lines → by path. */
export function parseSha256(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) map.set(m[2], m[1]);
  }
  return map;
}
