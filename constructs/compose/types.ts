// The subset of the Compose specification the generated project uses.

/** One service of the docker compose project under /opt/torrust. */
export interface ComposeService {
  readonly image: string;
  readonly container_name?: string;
  readonly restart?: "unless-stopped" | "always" | "no" | "on-failure";
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly env_file?: readonly string[];
  /** "host:container[/udp]" entries; internal services bind 127.0.0.1 only. */
  readonly ports?: readonly string[];
  /** "host-path:container-path[:ro]" entries. */
  readonly volumes?: readonly string[];
  /** "host", or "service:<name>" to share that service's network namespace (and its sysctls). */
  readonly network_mode?: "host" | `service:${string}`;
  /** Namespaced kernel settings of the service's own network namespace (net.*), e.g. net.ipv6.bindv6only. */
  readonly sysctls?: Readonly<Record<string, number>>;
  readonly user?: string;
  readonly depends_on?: Readonly<Record<string, { readonly condition: "service_started" | "service_healthy" }>>;
  readonly healthcheck?: {
    readonly test: readonly string[];
    readonly interval?: string;
    readonly timeout?: string;
    readonly retries?: number;
    readonly start_period?: string;
  };
  readonly logging?: { readonly driver: "json-file"; readonly options: Readonly<Record<string, string>> };
}
