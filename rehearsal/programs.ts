// Which Caddy and Pebble the rehearsal runs: the pinned versions built from their Go modules by
// scripts/tools.sh when built (Caddy 2.10.2 is what production's caddy:2.10.2 image runs), Debian's
// packages otherwise. Resolved once on the host and handed to the helpers in the spec, and printed.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..");

export type ProgramOrigin = "built" | "debian";

export interface Program {
  readonly name: "caddy" | "pebble" | "tls-probe";
  /** Absolute path of the binary. */
  readonly path: string;
  /** Version as "2.10.2" (no "v"). */
  readonly version: string;
  readonly origin: ProgramOrigin;
}

/** "caddy 2.10.2 (built from its Go module by scripts/tools.sh)". */
export function describeProgram(p: Program): string {
  return `${p.name} ${p.version} (${p.origin === "built" ? "built from its Go module by scripts/tools.sh" : "Debian package"})`;
}

/** The cached binary of a scripts/tools.sh tool, or undefined when it is not built. */
export function builtTool(name: string): string | undefined {
  const r = spawnSync("bash", [path.join(REPO, "scripts", "tools.sh"), "--print", name], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

function versionOf(command: string, args: readonly string[], pattern: RegExp): string {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 10_000 });
  const m = pattern.exec(`${r.stdout ?? ""}${r.stderr ?? ""}`);
  if (!m) throw new Error(`cannot read the version of ${command} (${args.join(" ")}): ${(r.stdout || r.stderr || r.error?.message || "").trim().slice(0, 200)}`);
  return m[1];
}

/** Debian's package version without the Debian revision ("2.4.0+ds1-2+b4" → "2.4.0"). */
function debianVersion(pkg: string): string {
  return versionOf("dpkg-query", ["-W", "-f", "${Version}", pkg], /^(?:\d+:)?(\d+(?:\.\d+)+)/);
}

/** Which build to run: REHEARSAL_CADDY / REHEARSAL_PEBBLE = built | debian, default: built when present. */
export type ProgramChoice = ProgramOrigin | "auto";

function choose(name: "caddy" | "pebble", choice: ProgramChoice, debian: () => Program, built: (bin: string) => Program): Program {
  if (choice === "debian") return debian();
  const bin = builtTool(name);
  if (bin) return built(bin);
  if (choice === "built") throw new Error(`${name} is not built: run bash scripts/tools.sh ${name}`);
  return debian();
}

/**
 * Caddy: Debian's `caddy version` prints "2.6.2"; a `go install` build prints "unknown" (Version()
 * in caddy.go at v2.10.2 looks for Caddy among the dependencies, and here it is the main module),
 * so its version is the main module's line of `caddy build-info`.
 */
export function caddyProgram(choice: ProgramChoice = "auto"): Program {
  return choose(
    "caddy",
    choice,
    () => ({ name: "caddy", path: "/usr/bin/caddy", version: versionOf("/usr/bin/caddy", ["version"], /^v?(\d+\.\d+\.\d+)/m), origin: "debian" }),
    (bin) => ({
      name: "caddy",
      path: bin,
      version: versionOf(bin, ["build-info"], /^mod\tgithub\.com\/caddyserver\/caddy\/v2\tv(\d+\.\d+\.\d+)/m),
      origin: "built",
    }),
  );
}

/**
 * Pebble: a `go install` build prints "Pebble version: dev", so the built one's version is its main
 * module's, from the build info Go embeds (`go version -m`); Debian's from dpkg.
 */
export function pebbleProgram(choice: ProgramChoice = "auto"): Program {
  return choose(
    "pebble",
    choice,
    () => ({ name: "pebble", path: "/usr/bin/pebble", version: debianVersion("pebble"), origin: "debian" }),
    (bin) => ({
      name: "pebble",
      path: bin,
      version: versionOf("/usr/local/go/bin/go", ["version", "-m", bin], /^\tmod\tgithub\.com\/letsencrypt\/pebble\/v2\tv(\d+\.\d+\.\d+)/m),
      origin: "built",
    }),
  );
}

/** Parses REHEARSAL_CADDY / REHEARSAL_PEBBLE / --caddy values. */
export function parseChoice(value: string | undefined, what: string): ProgramChoice {
  if (value === undefined || value === "" || value === "auto") return "auto";
  if (value === "built" || value === "debian") return value;
  throw new Error(`${what} must be built, debian or auto, not ${value}`);
}

/** "2.10.2" >= "2.7" */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split(".").map(Number);
  const b = min.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** The TLS probe (rehearsal/tls-probe), built by scripts/tools.sh when missing (standard library only, seconds). */
export function tlsProbe(): { path: string; client: string } {
  let bin = builtTool("tls-probe");
  if (!bin) {
    const r = spawnSync("bash", [path.join(REPO, "scripts", "tools.sh"), "tls-probe"], { encoding: "utf8" });
    bin = builtTool("tls-probe");
    if (!bin) throw new Error(`cannot build the TLS probe (bash scripts/tools.sh tls-probe): ${(r.stderr || r.stdout).trim().slice(-300)}`);
  }
  const go = versionOf("/usr/local/go/bin/go", ["version", "-m", bin], /: go(\d+\.\d+(?:\.\d+)?)/);
  return { path: bin, client: `Go ${go} crypto/tls (rehearsal/tls-probe)` };
}
