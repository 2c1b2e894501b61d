// Reduces a validated deployment to the EdgeContext every proxy renders from.
import type { Deployment } from "../deployment/schema";
import type { EdgeContext, EdgeSite, ProxyCapabilities } from "./types";

export const LETS_ENCRYPT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory";
export const LETS_ENCRYPT_STAGING_DIRECTORY = "https://acme-staging-v02.api.letsencrypt.org/directory";
/** Where the test CA's root (acme.caRootFile) is written on the server. */
export const ACME_CA_ROOT_PATH = "/opt/torrust/proxy/acme-ca-root.pem";
/** Loopback port of the static hello container, used only when the proxy cannot serve files. */
export const HELLO_UPSTREAM_PORT = 8081;
/** Internal ports of services the proxy reaches on loopback. */
export const GRAFANA_PORT = 3000;

export interface EdgeContextOptions {
  /** PEM read from acme.caRootFile. */
  readonly acmeCaRootPem?: string;
  /** Capabilities of the chosen proxy (decides whether the hello page needs its own container). */
  readonly capabilities: ProxyCapabilities;
  /** The proxy kind, for its state directory on the volume. */
  readonly kind: string;
}

/** Builds the sites in file order: hello, api, HTTP trackers (behind the proxy), grafana. */
export function buildEdgeContext(d: Deployment, options: EdgeContextOptions): EdgeContext {
  const fqdn = (sub: string) => `${sub}.${d.domain}`;
  const proxied = new Set(d.cloudflare.proxiedSubdomains);
  const site = (s: Omit<EdgeSite, "hostname" | "cloudflareProxied"> & { subdomain: string }): EdgeSite => {
    const { subdomain, ...rest } = s;
    return { ...rest, hostname: fqdn(subdomain), cloudflareProxied: proxied.has(subdomain) };
  };
  const noNeeds = { websocket: false, clientIpInXForwardedFor: false };
  const sites: EdgeSite[] = [];
  if (d.helloWorld) {
    sites.push(
      site({
        role: "hello",
        subdomain: d.helloWorld.subdomain,
        configPath: ["helloWorld", "subdomain"],
        upstream: options.capabilities.staticFiles ? undefined : { host: "127.0.0.1", port: HELLO_UPSTREAM_PORT },
        needs: noNeeds,
        healthPath: "/",
      }),
    );
  }
  sites.push(
    site({
      role: "api",
      subdomain: d.tracker.api.subdomain,
      configPath: ["tracker", "api", "subdomain"],
      upstream: { host: "127.0.0.1", port: d.tracker.api.port },
      needs: noNeeds,
      healthPath: "/api/health_check",
    }),
  );
  d.tracker.httpTrackers.forEach((t, i) => {
    if (!t.viaProxy) return;
    sites.push(
      site({
        role: "http-tracker",
        subdomain: t.subdomain,
        configPath: ["tracker", "httpTrackers", i, "subdomain"],
        upstream: { host: "127.0.0.1", port: t.port },
        needs: { websocket: false, clientIpInXForwardedFor: true },
        healthPath: "/health_check",
      }),
    );
  });
  sites.push(
    site({
      role: "grafana",
      subdomain: d.grafana.subdomain,
      configPath: ["grafana", "subdomain"],
      upstream: { host: "127.0.0.1", port: GRAFANA_PORT },
      needs: { websocket: d.grafana.live, clientIpInXForwardedFor: false },
      healthPath: "/api/health",
    }),
  );

  const directoryUrl =
    d.acme.directoryUrl ?? (d.acme.staging ? LETS_ENCRYPT_STAGING_DIRECTORY : LETS_ENCRYPT_DIRECTORY);
  return {
    domain: d.domain,
    sites,
    helloPage: d.helloWorld ? helloPage(d.helloWorld.message, d.name) : undefined,
    acme: {
      email: d.acme.email,
      directoryUrl,
      staging: d.acme.staging,
      caRootPem: options.acmeCaRootPem,
      caRootPath: ACME_CA_ROOT_PATH,
    },
    hsts: d.proxy.hsts,
    ipv6: d.hetzner.ipv6,
    stateDir: `/opt/torrust/storage/proxy/${options.kind}`,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The hello-world page: tiny, static, no external resources. */
export function helloPage(message: string, name: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeHtml(name)}</title></head>`,
    `<body><h1>${escapeHtml(message)}</h1></body>`,
    "</html>",
    "",
  ].join("\n");
}
