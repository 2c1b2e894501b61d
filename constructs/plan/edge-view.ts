// Facts the edge view of the plan is built from: the ACME directories and their CAA identity,
// the fixed loopback ports of the proxy's upstreams, and the hello page.
import { JSON_EXPORTER } from "../versions";

export const LETS_ENCRYPT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory";
export const LETS_ENCRYPT_STAGING_DIRECTORY = "https://acme-staging-v02.api.letsencrypt.org/directory";

/**
 * CAA issuer domain of each ACME directory whose CA is known here. Let's Encrypt checks CAA for
 * "letsencrypt.org" in production and in staging (letsencrypt.org/docs/caa/, "staging environment").
 */
export const KNOWN_CAA_IDENTITIES: Readonly<Record<string, string>> = {
  [LETS_ENCRYPT_DIRECTORY]: "letsencrypt.org",
  [LETS_ENCRYPT_STAGING_DIRECTORY]: "letsencrypt.org",
};

/** Where the test CA's root (acme.caRootFile) is written on the server. */
export const ACME_CA_ROOT_PATH = "/opt/torrust/proxy/acme-ca-root.pem";
/** Loopback port of the static hello container, used only when the proxy cannot serve files. */
export const HELLO_UPSTREAM_PORT = 8081;
/** Internal ports of services the proxy reaches on loopback. */
export const GRAFANA_PORT = 3000;
/** Prometheus' port, published on the host's loopback only. */
export const PROMETHEUS_PORT = 9090;
/** In the tracker's network namespace (not published): json_exporter (its default port) and the stats relay (ADR 0010). */
export const JSON_EXPORTER_PORT = JSON_EXPORTER.facts.port.value;
export const STATS_RELAY_PORT = 7980;
/** Port of the tracker's health-check API inside its container (the image's HEALTHCHECK calls it). */
export const HEALTH_CHECK_API_PORT = 1313;

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
