// What the benchmark's outer process (on the host) and its helper inside each network namespace
// say to each other: a spec file for the helper, then one JSON command a line on the helper's
// stdin and one JSON message a line on its stdout.
import type { ScenarioSpec } from "../../rehearsal/spec";

/** The proxies that run here (Pingoo ships only as a Docker image). */
export type BenchKind = "caddy" | "nginx-certbot";
/** baseline: the upstream directly, no proxy and no TLS. */
export type Variant = "baseline" | "generated" | "reference";
/** keep-alive: connections reused; new-connection: `Connection: close`, so one TCP (+ TLS) connection per announce. */
export type Mode = "keep-alive" | "new-connection";
export const MODES: readonly Mode[] = ["keep-alive", "new-connection"];

/** What answers announces on the HTTP tracker's loopback port. */
export type UpstreamKind = "stand-in" | "opentracker";

/** How the load is made (options of `npm run bench:edge`, repeated in the report). */
export interface LoadSettings {
  readonly kinds: readonly BenchKind[];
  readonly rounds: number;
  /** Seconds of each load run. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly threads: number;
  /** wrk's --timeout, seconds. */
  readonly timeoutSeconds: number;
  readonly upstream: UpstreamKind;
  /** How many whitelisted info_hashes the announces use. */
  readonly infoHashes: number;
  readonly smoke: boolean;
}

export interface BenchSettings {
  readonly upstream: UpstreamKind;
  /** Whitelisted info_hashes (hex) the load uses. */
  readonly infoHashes: readonly string[];
  readonly connections: number;
  readonly threads: number;
  /** wrk's --timeout, seconds. */
  readonly timeoutSeconds: number;
}

export interface BenchSpec extends ScenarioSpec {
  readonly bench: BenchSettings;
}

/** wrk's counters plus the upstream's failure answers (announces it refused). */
export interface ErrorCounts {
  readonly connect: number;
  readonly read: number;
  readonly write: number;
  /** Answers other than 2xx/3xx. */
  readonly status: number;
  readonly timeout: number;
  /** Failure answers of the upstream (not whitelisted, no X-Forwarded-For); null when it cannot count them. */
  readonly upstreamFailures: number | null;
}

/** One load run of one configuration in one mode. */
export interface RunResult {
  readonly kind: BenchKind;
  readonly variant: Variant;
  readonly mode: Mode;
  readonly round: number;
  readonly seconds: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly errors: ErrorCounts;
  readonly errorCount: number;
  /** CPU seconds of every process of the proxy (nginx master + workers; caddy), null for the baseline. */
  readonly proxyCpuSeconds: number | null;
  readonly proxyCpuPer10k: number | null;
  /** CPU seconds of each proxy process (nginx: master first, then the workers). */
  readonly proxyCpuByProcess: readonly number[];
  readonly upstreamCpuSeconds: number;
  readonly upstreamCpuPer10k: number;
  /** Both cores' busy share during the run (wrk, proxy and upstream compete for them). */
  readonly machineBusyPercent: number;
}

/** Facts about one configuration, found once when it first starts. */
export interface ConfigFacts {
  readonly kind: BenchKind;
  readonly variant: Variant;
  readonly url: string;
  /** The files it runs (generated: from user_data; reference: written by the benchmark). */
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly command: string;
  readonly certificateSerial?: string;
  readonly tlsProtocol?: string;
  /** A second TLS connection with the first one's session was resumed. */
  readonly tlsResumption?: boolean;
  /** ACME orders Pebble got while this configuration started (0: it reused the certificates). */
  readonly newAcmeOrders?: number;
  readonly processes: string;
}

export type Command =
  | { readonly id: number; readonly type: "measure"; readonly variant: Variant; readonly modes: readonly Mode[]; readonly seconds: number; readonly round: number }
  | { readonly id: number; readonly type: "quit" };

export type Message =
  | { readonly type: "progress"; readonly message: string }
  | { readonly type: "ready"; readonly upstream: string; readonly trackerHostname: string; readonly setupSeconds: number }
  | { readonly type: "measured"; readonly id: number; readonly facts: ConfigFacts; readonly results: readonly RunResult[] }
  | { readonly type: "failed"; readonly id?: number; readonly message: string };
