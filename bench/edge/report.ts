// From load runs to the report: medians per configuration and mode, the ratio to the baseline,
// generated/reference ratios paired round by round with a noise band, the table for stdout and
// for the README, and why the configurations differ.
import type { MachineInfo } from "./machine";
import type { BenchKind, ConfigFacts, LoadSettings, Mode, RunResult, Variant } from "./protocol";

export interface ReportSettings extends LoadSettings {
  readonly upstreamDescription: string;
  readonly deployment: string;
  readonly pinned: string;
}

/** Medians over the rounds of one configuration in one mode. */
export interface Row {
  readonly config: string;
  readonly kind: BenchKind | null;
  readonly variant: Variant;
  readonly mode: Mode;
  readonly rounds: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly proxyCpuPer10k: number | null;
  readonly upstreamCpuPer10k: number;
  readonly machineBusyPercent: number;
  /** Every error of every round (wrk's counters plus the upstream's failure answers). */
  readonly errors: number;
  /** rps / the baseline's rps in the same mode. */
  readonly ratioToBaseline: number | null;
}

export type Verdict = "faster" | "same within noise" | "slower";

export interface Ratio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Half-width of the band around 1 counted as noise: max(3 %, 2 × standard error of the per-round ratios). */
  readonly noise: number;
  readonly verdict: Verdict;
}

/** Generated vs reference for one proxy and mode, paired round by round. */
export interface Comparison {
  readonly kind: BenchKind;
  readonly mode: Mode;
  readonly pairs: number;
  /** generated rps / reference rps (> 1: the generated config serves more). */
  readonly rps: Ratio;
  /** reference CPU / generated CPU per announce (> 1: the generated config is cheaper). */
  readonly cpu: Ratio;
  /** Neither ratio is below 1 beyond noise. */
  readonly atLeastAsCheap: boolean;
}

export interface Report {
  readonly tool: "npm run bench:edge";
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly totalSeconds: number;
  readonly machine: MachineInfo;
  readonly settings: ReportSettings;
  readonly configs: readonly ConfigFacts[];
  readonly rows: readonly Row[];
  readonly comparisons: readonly Comparison[];
  readonly reasons: readonly string[];
  readonly runs: readonly RunResult[];
  readonly failures: readonly string[];
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * The median of per-round ratios, and the noise band around 1: at least 3 %, or two standard
 * errors of the per-round ratios (their sample standard deviation / √rounds) when rounds vary more.
 */
export function ratio(values: readonly number[]): Ratio {
  const m = median(values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  const noise = Math.max(0.03, (2 * sd) / Math.sqrt(values.length));
  const verdict: Verdict = m > 1 + noise ? "faster" : m >= 1 - noise ? "same within noise" : "slower";
  return { median: m, min: Math.min(...values), max: Math.max(...values), noise, verdict };
}

export const KIND_LABEL: Record<BenchKind, string> = { caddy: "caddy", "nginx-certbot": "nginx" };

export function configName(kind: BenchKind | null, variant: Variant): string {
  return variant === "baseline" || kind === null ? "baseline" : `${KIND_LABEL[kind]}-${variant}`;
}

const CONFIG_LABEL: Record<string, string> = {
  baseline: "baseline: upstream direct, no TLS",
  "caddy-generated": "caddy, generated Caddyfile",
  "caddy-reference": "caddy, minimal Caddyfile",
  "nginx-generated": "nginx, generated sites",
  "nginx-reference": "nginx, certbot --nginx defaults",
};

export const MODE_LABEL: Record<Mode, string> = { "keep-alive": "keep-alive", "new-connection": "new conn/announce" };

export function rows(runs: readonly RunResult[]): Row[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    const key = `${configName(r.kind, r.variant)}|${r.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const baseline = (mode: Mode) => groups.get(`baseline|${mode}`);
  const out: Row[] = [];
  for (const [key, rs] of groups) {
    const [config, mode] = key.split("|") as [string, Mode];
    const first = rs[0];
    const rps = median(rs.map((r) => r.rps));
    const base = baseline(mode);
    const cpu = rs.map((r) => r.proxyCpuPer10k).filter((x): x is number => x !== null);
    out.push({
      config,
      kind: first.variant === "baseline" ? null : first.kind,
      variant: first.variant,
      mode,
      rounds: rs.length,
      requests: rs.reduce((a, r) => a + r.requests, 0),
      rps,
      p50Ms: median(rs.map((r) => r.p50Ms)),
      p99Ms: median(rs.map((r) => r.p99Ms)),
      proxyCpuPer10k: cpu.length ? median(cpu) : null,
      upstreamCpuPer10k: median(rs.map((r) => r.upstreamCpuPer10k)),
      machineBusyPercent: median(rs.map((r) => r.machineBusyPercent)),
      errors: rs.reduce((a, r) => a + r.errorCount, 0),
      ratioToBaseline: base ? rps / median(base.map((r) => r.rps)) : null,
    });
  }
  const order = Object.keys(CONFIG_LABEL);
  return out.sort((a, b) => order.indexOf(a.config) - order.indexOf(b.config) || a.mode.localeCompare(b.mode));
}

export function comparisons(runs: readonly RunResult[]): Comparison[] {
  const out: Comparison[] = [];
  const kinds = [...new Set(runs.filter((r) => r.variant !== "baseline").map((r) => r.kind))];
  for (const kind of kinds) {
    for (const mode of ["keep-alive", "new-connection"] as const) {
      const of = (variant: Variant) => new Map(runs.filter((r) => r.kind === kind && r.variant === variant && r.mode === mode).map((r) => [r.round, r]));
      const gen = of("generated");
      const ref = of("reference");
      const rounds = [...gen.keys()].filter((k) => ref.has(k));
      if (!rounds.length) continue;
      const rps = ratio(rounds.map((k) => gen.get(k)!.rps / ref.get(k)!.rps));
      const cpu = ratio(rounds.map((k) => (ref.get(k)!.proxyCpuPer10k ?? 0) / (gen.get(k)!.proxyCpuPer10k || Infinity)));
      out.push({ kind, mode, pairs: rounds.length, rps, cpu, atLeastAsCheap: rps.verdict !== "slower" && cpu.verdict !== "slower" });
    }
  }
  return out;
}

/** Why the configurations differ: from their files, what the probes saw, and the measured rows. */
export function reasons(configs: readonly ConfigFacts[], rs: readonly Row[] = []): string[] {
  const out: string[] = [];
  const get = (kind: BenchKind, variant: Variant) => configs.find((c) => c.kind === kind && c.variant === variant);
  const text = (c?: ConfigFacts) => (c?.files ?? []).map((f) => f.content).join("\n");
  const resumption = (c?: ConfigFacts) => (c?.tlsResumption === undefined ? "not probed" : c.tlsResumption ? "resumed" : "not resumed");
  const row = (config: string, mode: Mode) => rs.find((r) => r.config === config && r.mode === mode);
  const upstreamCpu = (kind: string) =>
    (["keep-alive", "new-connection"] as const)
      .map((mode) => {
        const g = row(`${kind}-generated`, mode);
        const r = row(`${kind}-reference`, mode);
        return g && r ? `${MODE_LABEL[mode]} ${g.upstreamCpuPer10k.toFixed(2)} vs ${r.upstreamCpuPer10k.toFixed(2)}` : "";
      })
      .filter(Boolean)
      .join(", ");
  const caddyGen = get("caddy", "generated");
  const caddyRef = get("caddy", "reference");
  if (caddyGen && caddyRef) {
    const extras = [
      /Strict-Transport-Security/.test(text(caddyGen)) ? "an HSTS response header" : "",
      /header_up X-Forwarded-For/.test(text(caddyGen)) ? "an explicit `header_up X-Forwarded-For {remote_host}` (what Caddy sends anyway)" : "",
    ].filter(Boolean);
    out.push(
      "caddy: both Caddyfiles keep upstream connections alive (Caddy's default transport), log no requests (no `log` directive), " +
        `issue TLS 1.3 session tickets (second connection ${resumption(caddyGen)} / ${resumption(caddyRef)}) and offer HTTP/2; ` +
        `the generated file only adds ${extras.length ? extras.join(" and ") : "nothing on this path"}, so both should cost the same per announce ` +
        `(tracker CPU s/10k, generated vs reference: ${upstreamCpu("caddy") || "not measured"}).`,
    );
  }
  const ngGen = get("nginx-certbot", "generated");
  const ngRef = get("nginx-certbot", "reference");
  if (ngGen && ngRef) {
    const keepalive = /keepalive (\d+);/.exec(text(ngGen))?.[1];
    out.push(
      `nginx upstream keep-alive: the generated sites proxy to an \`upstream\` block with \`keepalive ${keepalive ?? "?"}\` over HTTP/1.1; ` +
        "certbot's plain `proxy_pass http://127.0.0.1:PORT` speaks HTTP/1.0 and opens (and closes) a TCP connection to the tracker for every announce, " +
        `which costs nginx and the tracker (tracker CPU s/10k, generated vs reference: ${upstreamCpu("nginx") || "not measured"}).`,
      `nginx TLS session resumption: generated \`ssl_session_cache shared:…:10m\` with tickets on (nginx's default), second connection ${resumption(ngGen)}; ` +
        `certbot's options (shared cache, \`ssl_session_tickets off\`, so TLS 1.3 stateful tickets), second connection ${resumption(ngRef)}. ` +
        "wrk reuses its TLS session when it reconnects, so 'new conn/announce' is TCP + a resumed TLS 1.3 handshake for both; the handshake dominates that mode.",
      "nginx access logging: both run under Debian's stock nginx.conf (`access_log /var/log/nginx/access.log`, one line per announce); neither turns it off.",
      "HTTP/2: the generated sites listen with `http2`, certbot's do not; wrk and BitTorrent clients announce over HTTP/1.1, so it changes nothing here.",
    );
  }
  return out;
}

const fmt = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(digits));
const int = (x: number) => Math.round(x).toLocaleString("en-US");

function tableCells(r: Row): string[] {
  return [
    CONFIG_LABEL[r.config] ?? r.config,
    MODE_LABEL[r.mode],
    int(r.rps),
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    fmt(r.proxyCpuPer10k, 2),
    fmt(r.upstreamCpuPer10k, 2),
    String(r.errors),
    r.ratioToBaseline === null ? "–" : r.variant === "baseline" ? "1.00" : r.ratioToBaseline.toFixed(2),
  ];
}

const HEADERS = ["configuration", "mode", "req/s", "p50 ms", "p99 ms", "proxy CPU s/10k", "upstream CPU s/10k", "errors", "× baseline"];

export function textTable(rs: readonly Row[]): string {
  const cells = [HEADERS, ...rs.map(tableCells)];
  const widths = HEADERS.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ")).join("\n");
}

export function markdownTable(rs: readonly Row[]): string {
  const line = (c: readonly string[]) => `| ${c.join(" | ")} |`;
  return [line(HEADERS), line(HEADERS.map((_, i) => (i < 2 ? "---" : "---:"))), ...rs.map((r) => line(tableCells(r)))].join("\n");
}

export function comparisonLines(cs: readonly Comparison[]): string[] {
  const pct = (r: Ratio, pairs: number) =>
    pairs === 1 ? `×${r.median.toFixed(2)} (1 round: no noise estimate)` : `×${r.median.toFixed(2)} (rounds ${r.min.toFixed(2)}–${r.max.toFixed(2)}, noise ±${(r.noise * 100).toFixed(0)} %) ${r.verdict}`;
  return cs.map(
    (c) =>
      `${KIND_LABEL[c.kind].padEnd(6)} ${MODE_LABEL[c.mode].padEnd(18)} req/s ${pct(c.rps, c.pairs)};  CPU per announce ${pct(c.cpu, c.pairs)}` +
      (c.pairs === 1 ? "" : `  → ${c.atLeastAsCheap ? "generated at least as cheap" : "GENERATED COSTS MORE"}`),
  );
}

export function describeSettings(s: ReportSettings, m: MachineInfo): string[] {
  return [
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, kernel ${m.kernel}`,
    `versions: caddy ${m.versions.caddy}, nginx ${m.versions.nginx}, openssl ${m.versions.openssl}, wrk ${m.versions.wrk}, certbot ${m.versions.certbot}, node ${m.versions.node}`,
    `upstream: ${s.upstreamDescription}; ${s.infoHashes} whitelisted info_hashes` +
      (s.upstream === "opentracker" ? " (opentracker closes every connection after its answer: wrk counts each as a read error in the baseline's keep-alive mode; the proxies reconnect)" : ""),
    `load: wrk -t${s.threads} -c${s.connections}, ${s.seconds} s per run, ${s.rounds} alternating round${s.rounds === 1 ? "" : "s"} (medians), warm-up ${s.warmupSeconds} s; ` +
      `CPU: ${s.pinned}`,
  ];
}
