// Pingoo as a compose service on the host network. Not run in tests (Docker image only; no
// validator): the generated pingoo.yml is checked against the schema of its source instead.
import type { RenderedFile } from "../../cloud-init/rendered-file";
import type { ComposeService } from "../../compose/types";
import type { EdgeContext, ProxyPlugin, ProxyRendering } from "../../edge/types";
import { PROXY_ETC } from "../../tracker/layout";
import { PINGOO } from "../../versions";
import { PingooConfig } from "./pingoo-config";

/** Pinned image (Docker Hub; tags have no "v"): constructs/versions/pingoo.ts. */
export const PINGOO_IMAGE = PINGOO.artifact;

export const PINGOO_PATHS = {
  dir: `${PROXY_ETC}/pingoo`,
  config: `${PROXY_ETC}/pingoo/pingoo.yml`,
  /** Static hello page, mounted at the same path in the container. */
  helloRoot: `${PROXY_ETC}/pingoo/www`,
  /** Fixed in Pingoo: config file and certificate folder inside the container. */
  containerConfig: "/etc/pingoo/pingoo.yml",
  containerTls: "/etc/pingoo/tls",
  /** The bundle Pingoo's ACME client trusts (native roots) inside the container. */
  containerCaBundle: "/etc/ssl/certs/ca-certificates.crt",
} as const;

const GENERATOR = "constructs/proxies/pingoo";

function pingooService(ctx: EdgeContext, servesHello: boolean): ComposeService {
  const testCa = ctx.acme.caRootPem !== undefined;
  return {
    image: PINGOO_IMAGE,
    container_name: "pingoo",
    restart: "unless-stopped",
    // Host network: Pingoo sees the client's address and reaches the 127.0.0.1 upstreams.
    network_mode: "host",
    ...(testCa ? { environment: { SSL_CERT_FILE: PINGOO_PATHS.containerCaBundle } } : {}),
    volumes: [
      `${PINGOO_PATHS.config}:${PINGOO_PATHS.containerConfig}:ro`,
      // Certificates (<domain>.pem/.key) and the ACME account (acme.json) on the volume.
      `${ctx.stateDir}/tls:${PINGOO_PATHS.containerTls}`,
      ...(servesHello ? [`${PINGOO_PATHS.helloRoot}:${PINGOO_PATHS.helloRoot}:ro`] : []),
      // A test CA replaces the public roots: the ACME directory is the only HTTPS Pingoo calls.
      ...(testCa ? [`${ctx.acme.caRootPath}:${PINGOO_PATHS.containerCaBundle}:ro`] : []),
    ],
    logging: { driver: "json-file", options: { "max-size": "10m", "max-file": "10" } },
  };
}

function render(ctx: EdgeContext): ProxyRendering {
  const servesHello = ctx.sites.some((s) => s.role === "hello" && !s.upstream) && ctx.helloPage !== undefined;
  const config = new PingooConfig(ctx, { helloRoot: PINGOO_PATHS.helloRoot }, GENERATOR);
  const files: RenderedFile[] = [
    { path: PINGOO_PATHS.config, content: config.render(), permissions: "0644" },
    ...(servesHello ? [{ path: `${PINGOO_PATHS.helloRoot}/index.html`, content: ctx.helloPage!, permissions: "0644" }] : []),
    // The test CA's root (ctx.acme.caRootPath) is written by the cloud-config, not by the plug-in.
  ];
  return {
    files,
    configPaths: [PINGOO_PATHS.config],
    composeServices: { pingoo: pingooService(ctx, servesHello) },
    packages: [],
    bootstrap: [],
  };
}

/** Pingoo 0.14.7 (Docker image). Refused with Grafana Live: it strips the WebSocket Upgrade header. */
export const pingooPlugin: ProxyPlugin = {
  kind: "pingoo",
  title: `Pingoo ${PINGOO.version}`,
  version: PINGOO.version,
  // The one listener of pingoo-config.ts: 443 only (TLS-ALPN-01 and HTTPS; no HTTP listener to redirect from).
  hostPorts: [{ protocol: "tcp", port: 443, address: "*", public: true, purpose: "HTTPS and TLS-ALPN-01" }],
  capabilities: {
    websocket: false,
    httpToHttpsRedirect: false,
    acmeChallenges: ["tls-alpn-01"],
    tlsVersions: ["1.3"],
    ipv6Listeners: false,
    acmeContactEmail: false,
    postQuantumKeyExchange: true,
    clientIpInXForwardedFor: true,
    hstsHeader: false,
    lenientClientRequests: false,
    staticFiles: true,
  },
  notes: {
    websocket: "strips the Upgrade header from proxied requests (pingooio/pingoo#23; the fix, PR #26, is unreleased)",
    httpToHttpsRedirect: "pingooio/pingoo#20 is open",
    acmeChallenges: "validates with TLS-ALPN-01 only, so :443 must reach it directly",
    tlsVersions: "is built with TLS 1.3 only",
    hstsHeader: "its config has no key for response headers",
    lenientClientRequests:
      "answers 403 to a request with an empty User-Agent and 404 to a Host header with the port (name:443) " +
      `(${PINGOO.facts.emptyUserAgentBlocked.source}; ${PINGOO.facts.hostWithPortNotRouted.source})`,
    ipv6Listeners: "listener addresses must be IP literals and [::] does not parse",
    acmeContactEmail: "creates its ACME account without a contact: its config has no email key",
    offlineValidator: "has no validate command: the generated pingoo.yml is checked against a schema of its source",
  },
  render,
};
