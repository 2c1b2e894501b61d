// TLS facts measured by real handshakes: which versions and key-exchange groups a running proxy
// accepts, asked by rehearsal/tls-probe (Go's crypto/tls; Node's OpenSSL 3.0 cannot offer the
// post-quantum hybrids). The rehearsal measures each proxy it runs and keeps the latest result per
// program version in a file outside the repository, which `npm run proxies` reads.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Groups the probe tries with TLS 1.3, in its order (rehearsal/tls-probe/main.go). */
export const PROBE_GROUPS = ["X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024", "X25519", "P-256", "P-384", "P-521"] as const;
export const POST_QUANTUM_GROUPS: readonly string[] = ["X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024"];

interface Attempt {
  readonly ok: boolean;
  readonly error?: string;
}

/** The probe's JSON. */
export interface ProbeResult {
  readonly target: string;
  readonly versions: Readonly<Record<string, Attempt>>;
  readonly tls13: Readonly<Record<string, Attempt>>;
  readonly default: { readonly ok: boolean; readonly version?: string; readonly group?: string; readonly error?: string };
}

/** One proxy program's measured TLS facts. */
export interface TlsMeasurement {
  readonly proxy: "caddy" | "nginx-certbot";
  /** What ran, e.g. "caddy 2.10.2 (built from its Go module by scripts/tools.sh)". */
  readonly program: string;
  /** The proxy program's version ("2.10.2", "1.22.1"). */
  readonly version: string;
  /** The client that measured, e.g. "Go 1.26.8 crypto/tls (rehearsal/tls-probe)". */
  readonly client: string;
  readonly hostname: string;
  /** TLS versions accepted, each offered alone ("1.2", "1.3"). */
  readonly tlsVersions: readonly string[];
  /** Groups accepted with TLS 1.3, each offered alone, in PROBE_GROUPS order. */
  readonly tls13Groups: readonly string[];
  /** The group the server chose when offered Go's default list (X25519MLKEM768 first). */
  readonly chosenFromDefaults: string;
  /** Whether any post-quantum hybrid group was accepted. */
  readonly postQuantum: boolean;
  /** Day of the measurement (UTC, YYYY-MM-DD). */
  readonly measuredOn: string;
}

/** Runs the probe against address:port with `hostname` as SNI, trusting `caFile`. */
export function runTlsProbe(probe: string, target: { hostname: string; address: string; port?: number }, caFile: string, timeoutMs = 60_000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(probe, ["-connect", `${target.address}:${target.port ?? 443}`, "-servername", target.hostname, "-cafile", caFile], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${probe}: ${e.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`tls-probe exited ${code}: ${err.trim().slice(-300)}`));
      try {
        resolve(JSON.parse(out) as ProbeResult);
      } catch {
        reject(new Error(`tls-probe printed no JSON: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** The measurement of one probe run. */
export function measurement(
  r: ProbeResult,
  about: Pick<TlsMeasurement, "proxy" | "program" | "version" | "client" | "hostname">,
  now = new Date(),
): TlsMeasurement {
  const accepted = (m: Readonly<Record<string, Attempt>>) => PROBE_GROUPS.filter((g) => m[g]?.ok);
  const tls13Groups = accepted(r.tls13);
  return {
    ...about,
    tlsVersions: Object.entries(r.versions).filter(([, a]) => a.ok).map(([v]) => v).sort(),
    tls13Groups,
    chosenFromDefaults: r.default.ok ? (r.default.group ?? "?") : `none (${r.default.error ?? "?"})`,
    postQuantum: tls13Groups.some((g) => POST_QUANTUM_GROUPS.includes(g)),
    measuredOn: now.toISOString().slice(0, 10),
  };
}

/** "TLS 1.2, 1.3; TLS 1.3 groups: X25519MLKEM768, X25519, P-256 (chosen from Go's defaults: X25519MLKEM768)". */
export function describeMeasurement(m: TlsMeasurement): string {
  return `TLS ${m.tlsVersions.join(", ")}; TLS 1.3 groups: ${m.tls13Groups.join(", ") || "none"} (chosen from Go's defaults: ${m.chosenFromDefaults})`;
}

/** Where measurements are kept: $TORRUST_TLS_MEASUREMENTS, or the project's cache folder. */
export function measurementsFile(): string {
  if (process.env.TORRUST_TLS_MEASUREMENTS) return process.env.TORRUST_TLS_MEASUREMENTS;
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cache, "torrust-tracker-cdktf", "measured", "tls.json");
}

/** Every kept measurement (none when the file does not exist). */
export function loadMeasurements(file = measurementsFile()): TlsMeasurement[] {
  if (!fs.existsSync(file)) return [];
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as { measurements?: TlsMeasurement[] };
  return data.measurements ?? [];
}

/** Keeps `m`, replacing an earlier measurement of the same proxy program and version. */
export function saveMeasurement(m: TlsMeasurement, file = measurementsFile()): void {
  const others = loadMeasurements(file).filter((x) => !(x.proxy === m.proxy && x.program === m.program && x.version === m.version));
  const all = [...others, m].sort((a, b) => `${a.proxy} ${a.program}`.localeCompare(`${b.proxy} ${b.program}`));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ note: "written by npm run rehearse (rehearsal/tls-facts.ts); read by npm run proxies", measurements: all }, null, 2)}\n`);
}
