// The edge: what the TLS proxy must serve (EdgeContext, computed once from the deployment) and
// what a proxy plug-in is (ProxyPlugin). Every proxy renders from the same context.
import type { ComposeService } from "../compose/types";
import type { RenderedFile } from "../cloud-init/rendered-file";

/** What a service of the deployment does: the one role enum (sites, DNS names, firewall, outputs). */
export type ServiceRole = "hello" | "api" | "http-tracker" | "udp-tracker" | "grafana" | "prometheus";
/** The roles the TLS proxy serves (HTTPS sites). */
export type SiteRole = Extract<ServiceRole, "hello" | "api" | "http-tracker" | "grafana">;

/** What a service needs from the proxy in front of it. */
export interface ServiceNeeds {
  /** WebSocket upgrade must pass (Grafana Live at /api/live/ws). */
  readonly websocket: boolean;
  /** The client's address must be the right-most X-Forwarded-For entry (HTTP trackers, on_reverse_proxy). */
  readonly clientIpInXForwardedFor: boolean;
}

/** One HTTPS site: a hostname and what answers it. */
export interface EdgeSite {
  readonly role: SiteRole;
  /** Fully qualified hostname, e.g. "api.example.com". */
  readonly hostname: string;
  /** Field path of the subdomain in the deployment file, for error messages. */
  readonly configPath: readonly (string | number)[];
  /** Where requests go, always on the server's loopback; undefined for the static hello page. */
  readonly upstream?: { readonly host: "127.0.0.1"; readonly port: number };
  readonly needs: ServiceNeeds;
  /** Served through Cloudflare's proxy (orange cloud). */
  readonly cloudflareProxied: boolean;
  /** A path that answers 200 when the service is healthy (for verifiers). */
  readonly healthPath: string;
}

/** ACME settings every proxy renders in its own syntax. */
export interface EdgeAcme {
  readonly email?: string;
  /** Directory URL actually used (Let's Encrypt production, staging, or the override). */
  readonly directoryUrl: string;
  readonly staging: boolean;
  /** PEM of the CA that signed the ACME server's HTTPS certificate (test CAs only). */
  readonly caRootPem?: string;
  /** Where that PEM is written on the server when caRootPem is set. */
  readonly caRootPath: string;
}

/** Everything a proxy needs to render its configuration. Plain data, no tokens. */
export interface EdgeContext {
  readonly domain: string;
  readonly sites: readonly EdgeSite[];
  /** HTML of the hello-world page, when the deployment has one. */
  readonly helloPage?: string;
  readonly acme: EdgeAcme;
  readonly hsts: boolean;
  /** The server has a public IPv6 address. */
  readonly ipv6: boolean;
  /** Directory on the data volume reserved for this proxy's state (certificates, ACME account). */
  readonly stateDir: string;
}

export type AcmeChallenge = "http-01" | "tls-alpn-01" | "dns-01";

/** What a proxy can do, declared by its plug-in and compared with the services' needs. */
export interface ProxyCapabilities {
  readonly websocket: boolean;
  readonly httpToHttpsRedirect: boolean;
  readonly acmeChallenges: readonly AcmeChallenge[];
  readonly tlsVersions: readonly ("1.2" | "1.3")[];
  readonly ipv6Listeners: boolean;
  readonly acmeContactEmail: boolean;
  readonly postQuantumKeyExchange: boolean;
  /** Appends (or sets) the client address as the right-most X-Forwarded-For entry. */
  readonly clientIpInXForwardedFor: boolean;
  /** Can add response headers such as Strict-Transport-Security. */
  readonly hstsHeader: boolean;
  /**
   * Answers requests as BitTorrent clients and probes send them: an empty User-Agent, and a Host
   * header with the port (`name:443`). Without it, some clients cannot announce over HTTPS.
   */
  readonly lenientClientRequests: boolean;
  /** Can serve the static hello page itself. */
  readonly staticFiles: boolean;
  /** Has an offline config check that tests run (caddy validate, nginx -t). */
  readonly offlineValidator?: string;
}

/** What a proxy adds to the server. */
export interface ProxyRendering {
  /** Files written by cloud-init (config, scripts, units). */
  readonly files: readonly RenderedFile[];
  /** Paths (within files) that count as "the proxy config" in comparisons. */
  readonly configPaths: readonly string[];
  /** Services added to the compose project (proxies that run in Docker). */
  readonly composeServices: Readonly<Record<string, ComposeService>>;
  /** Distribution packages installed by cloud-init (proxies that run on the host). */
  readonly packages: readonly string[];
  /** Shell commands run once at first boot after the compose project is up. */
  readonly bootstrap: readonly string[];
}

/**
 * A socket the proxy program itself opens on the host (it runs on the host network). The
 * deployment plan reserves every one of them and opens the public ones in the firewall.
 */
export interface ProxyHostPort {
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  /** "*" = every address (IPv4 and IPv6); otherwise the one address bound, e.g. "127.0.0.1". */
  readonly address: "*" | "127.0.0.1";
  /** Reachable from the internet (opened in the firewall) or host-local only. */
  readonly public: boolean;
  /** What the socket is for, with the source of the fact. */
  readonly purpose: string;
}

/** A TLS proxy plug-in: one folder under constructs/proxies/. */
export interface ProxyPlugin {
  /** The deployment file's proxy.kind. */
  readonly kind: string;
  readonly title: string;
  /** Pinned version (image tag or distribution package version it is written for). */
  readonly version: string;
  readonly capabilities: ProxyCapabilities;
  /** Every socket the proxy opens on the host, whatever the deployment (HTTP, HTTPS, HTTP/3, admin). */
  readonly hostPorts: readonly ProxyHostPort[];
  /** Why a capability is missing, in a phrase that follows the title (e.g. websocket: "strips the Upgrade header (pingooio/pingoo#23)"). */
  readonly notes?: Partial<Record<keyof ProxyCapabilities, string>>;
  render(ctx: EdgeContext): ProxyRendering;
}
