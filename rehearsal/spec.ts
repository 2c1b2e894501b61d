// What the rehearsal's outer process (on the host) hands to each helper inside a network
// namespace: the decoded server files, the proxy's start-up, the sites to check. JSON on disk.
import type { EdgePromises } from "./checks";
import type { PebbleTls } from "./pebble";
import type { Program } from "./programs";
import type { TlsMeasurement } from "./tls-facts";

export type RehearsedKind = "caddy" | "nginx-certbot";

/**
 * main: the CA is up from the start; checks, an upstream down, renewal of short-lived certificates.
 * late-ca: the CA is down at first start and comes back; then a restart must reuse the certificates.
 */
export type ScenarioName = "main" | "late-ca";

export interface SpecFile {
  readonly path: string;
  readonly contentBase64: string;
  readonly mode: number;
  readonly owner: string;
  readonly group: string;
  readonly append: boolean;
  readonly defer: boolean;
}

export interface ScenarioSpec extends EdgePromises {
  readonly kind: RehearsedKind;
  readonly scenario: ScenarioName;
  readonly runDir: string;
  readonly files: readonly SpecFile[];
  /** The proxy plug-in's first-boot commands, as they appear in runcmd. */
  readonly bootstrap: readonly string[];
  /** Caddy's compose service (command and environment), from the generated compose file. */
  readonly composeService?: { readonly name: string; readonly command: readonly string[]; readonly environment: Readonly<Record<string, string>> };
  /** /etc/hosts lines. */
  readonly hosts: readonly string[];
  readonly pebbleTls: PebbleTls;
  /** The Pebble binary and its version (built 2.10.1, or Debian's). */
  readonly pebble: Program;
  /** The Caddy that runs the compose service's command (built 2.10.2, or Debian's 2.6.2). */
  readonly caddy?: Program;
  /** The TLS probe (Go's crypto/tls, which offers the post-quantum groups) and what it is. */
  readonly tlsProbe?: { readonly path: string; readonly client: string };
  /** Pebble's certificateValidityPeriod in this scenario (seconds). */
  readonly validitySeconds?: number;
  /** The proxy's state folder on the volume (certificates, account). */
  readonly stateDir: string;
  /** Paths the nginx + certbot plug-in uses (renewal script, bootstrap unit). */
  readonly nginxCertbot?: { readonly renew: string; readonly bootstrapUnit: string; readonly certName: string };
  /** Caddyfile path (bench:edge swaps it for its reference). */
  readonly caddyfile?: string;
  /** The host's mount namespace: the helper refuses to mount anything if it is still in it. */
  readonly hostMountNamespace: string;
  /** Seconds the whole scenario may take before the helper gives up. */
  readonly budgetSeconds: number;
}

/** Lines the helper writes on stdout. */
export type HelperMessage =
  | { readonly type: "row"; readonly status: "PASS" | "FAIL" | "SKIP"; readonly name: string; readonly detail: string }
  | { readonly type: "progress"; readonly message: string }
  | { readonly type: "tls"; readonly measurement: TlsMeasurement };
