// The deployment plan: every derived fact of a deployment, computed once by planDeployment().
// Firewall rules, DNS records, compose ports, tracker listeners, proxy sites and stack outputs
// are all read from here; nothing else interprets viaProxy, enabled or private.
import type { DeploymentIssue } from "../deployment/errors";
import type { EdgeContext, ServiceNeeds, ServiceRole } from "../edge/types";

export type { ServiceRole } from "../edge/types";
export type ConfigPath = readonly (string | number)[];

/** How a service is reached from the internet. */
export type Exposure =
  /** Through the TLS proxy on 443 (the service listens on loopback). */
  | "https-via-proxy"
  /** Plain TCP on its own port, published on every address (viaProxy: false HTTP trackers). */
  | "direct-tcp"
  /** UDP on its own port, published on every address. */
  | "udp"
  /** Not reachable from outside the server. */
  | "internal";

/** One service of the deployment. */
export interface PlannedService {
  readonly role: ServiceRole;
  /** Hostname label, e.g. "http1"; undefined for internal services. */
  readonly subdomain?: string;
  /** Fully qualified hostname, e.g. "http1.example.com". */
  readonly hostname?: string;
  /** Field path of the subdomain (or of the service) in the deployment file. */
  readonly configPath: ConfigPath;
  readonly protocol: "tcp" | "udp";
  /** The port the program listens on (inside its container). */
  readonly port: number;
  /** Field path of the port, when the file sets it. */
  readonly portPath?: ConfigPath;
  readonly exposure: Exposure;
  readonly needs: ServiceNeeds;
  /** Public port clients use: 443 through the proxy, else the service's own. Undefined when internal. */
  readonly publicPort?: number;
  /** A path that answers 200 when the service is healthy (HTTP services). */
  readonly healthPath?: string;
  /** Served through Cloudflare's proxy (orange cloud). */
  readonly cloudflareProxied: boolean;
}

/** A socket on the server's host network namespace (or inside the tracker container). */
export interface HostBinding {
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  /** "*" = every address (0.0.0.0 and [::]); else one IPv4 address. */
  readonly address: string;
  /** "host" or "tracker-container": sockets clash only within one network namespace. */
  readonly namespace: "host" | "tracker-container";
  /** Who binds it, in words ("Grafana", "Caddy 2.10.2: its admin API ..."). */
  readonly owner: string;
  /** The deployment field that chose this port; undefined for fixed ports. */
  readonly path?: ConfigPath;
}

/** One inbound firewall rule. */
export interface PlannedFirewallRule {
  readonly protocol: "tcp" | "udp" | "icmp";
  readonly port?: number;
  /** "everyone" (0.0.0.0/0, and ::/0 with IPv6) or the admin's CIDRs. */
  readonly sources: "everyone" | readonly string[];
  readonly description: string;
}

/** The records of one hostname. */
export interface PlannedDnsName {
  readonly subdomain: string;
  readonly hostname: string;
  readonly roles: readonly ServiceRole[];
  /** Orange cloud (only for names in cloudflare.proxiedSubdomains). */
  readonly proxied: boolean;
  /** Every service on the name is reachable over IPv6 (and the server has IPv6). */
  readonly aaaa: boolean;
  /** BEP 34 TXT content, e.g. "BITTORRENT UDP:6969 TCP:443"; undefined for names without a tracker. */
  readonly bep34?: string;
  /** CAA issue (and iodef) on this name; undefined when cloudflare.caa is false. */
  readonly caa?: { readonly issue: string; readonly iodef?: string };
}

/** A port the tracker container publishes (compose `ports:`). */
export interface PublishedPort {
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  /** "127.0.0.1" for the proxy's upstreams, undefined for every address. */
  readonly hostAddress?: "127.0.0.1";
}

/** What tracker.toml binds: one entry per listener. */
export interface TrackerListeners {
  readonly udp: readonly { readonly port: number; readonly bindAddress: string }[];
  readonly http: readonly { readonly port: number; readonly bindAddress: string }[];
  readonly api: { readonly port: number; readonly bindAddress: string };
  readonly healthCheck: { readonly port: number; readonly bindAddress: string };
  /** on_reverse_proxy is global in the tracker: true when every HTTP tracker is behind the proxy. */
  readonly onReverseProxy: boolean;
}

/** Optional services, after `enabled` and the cross-service rules. */
export interface PlannedOptionalServices {
  readonly hello: boolean;
  readonly grafana: boolean;
  readonly prometheus: boolean;
}

/** The stack outputs. */
export interface PlannedOutputs {
  /** Every HTTPS site, by hostname. */
  readonly httpsUrls: Readonly<Record<string, string>>;
  /** HTTP(S) announce URLs (with a <key> placeholder in private mode), then UDP ones. */
  readonly announceUrls: readonly string[];
  readonly grafanaUrl?: string;
  readonly apiHealthUrl: string;
}

/** The whole plan. */
export interface DeploymentPlan {
  readonly name: string;
  readonly domain: string;
  readonly proxyKind: string;
  readonly services: readonly PlannedService[];
  readonly optional: PlannedOptionalServices;
  /** Every socket on the server that the deployment opens, fixed ones included. */
  readonly hostBindings: readonly HostBinding[];
  readonly firewall: readonly PlannedFirewallRule[];
  readonly dns: readonly PlannedDnsName[];
  /** PTR name of both primary IPs. */
  readonly reverseDns: string;
  readonly trackerPorts: readonly PublishedPort[];
  readonly trackerListeners: TrackerListeners;
  /** What the TLS proxy renders: a view of the plan. */
  readonly edge: EdgeContext;
  readonly outputs: PlannedOutputs;
  /** Problems found while deriving (clashes, service limits): the deployment is refused when any. */
  readonly problems: readonly DeploymentIssue[];
  /** Advice printed at synth. */
  readonly warnings: readonly string[];
}
