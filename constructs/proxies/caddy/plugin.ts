// Caddy as a compose service on the host network: one Caddyfile, state on the volume.
import type { RenderedFile } from "../../cloud-init/rendered-file";
import type { ComposeService } from "../../compose/types";
import type { EdgeContext, ProxyPlugin, ProxyRendering } from "../../edge/types";
import { PROXY_ETC } from "../../tracker/layout";
import { CADDY } from "../../versions";
import { Caddyfile } from "./caddyfile";

/** Pinned image (Docker Hub; 2.10 adds X25519MLKEM768 to the default curves): constructs/versions/caddy.ts. */
export const CADDY_IMAGE = CADDY.artifact;

/** Generated files on the host, mounted at the same paths in the container. */
export const CADDY_PATHS = {
  dir: `${PROXY_ETC}/caddy`,
  caddyfile: `${PROXY_ETC}/caddy/Caddyfile`,
  helloRoot: `${PROXY_ETC}/caddy/www`,
} as const;

const GENERATOR = "constructs/proxies/caddy";

function caddyService(ctx: EdgeContext): ComposeService {
  const caRoot = ctx.acme.caRootPem !== undefined ? [`${ctx.acme.caRootPath}:${ctx.acme.caRootPath}:ro`] : [];
  return {
    image: CADDY_IMAGE,
    container_name: "caddy",
    restart: "unless-stopped",
    // Host network: Caddy sees the client's real address (IPv4 and IPv6) and reaches 127.0.0.1 upstreams.
    network_mode: "host",
    command: ["caddy", "run", "--config", CADDY_PATHS.caddyfile, "--adapter", "caddyfile"],
    volumes: [`${CADDY_PATHS.dir}:${CADDY_PATHS.dir}:ro`, `${ctx.stateDir}:${ctx.stateDir}`, ...caRoot],
    logging: { driver: "json-file", options: { "max-size": "10m", "max-file": "10" } },
  };
}

function render(ctx: EdgeContext): ProxyRendering {
  const caddyfile = new Caddyfile(ctx, { helloRoot: CADDY_PATHS.helloRoot }, GENERATOR);
  const servesHello = ctx.sites.some((s) => s.role === "hello" && !s.upstream);
  const files: RenderedFile[] = [
    { path: CADDY_PATHS.caddyfile, content: caddyfile.render(), permissions: "0644" },
    ...(servesHello && ctx.helloPage !== undefined
      ? [{ path: `${CADDY_PATHS.helloRoot}/index.html`, content: ctx.helloPage, permissions: "0644" }]
      : []),
    // The test CA's root (ctx.acme.caRootPath) is written by the cloud-config, not by the plug-in.
  ];
  return {
    files,
    configPaths: [CADDY_PATHS.caddyfile],
    composeServices: { caddy: caddyService(ctx) },
    packages: [],
    bootstrap: [],
  };
}

/** Caddy 2.10.2 (Docker image). The recommended proxy: every capability the stack needs. */
export const caddyPlugin: ProxyPlugin = {
  kind: "caddy",
  title: "Caddy 2.10.2",
  version: CADDY.version,
  // Host network: every socket Caddy opens is a host socket.
  hostPorts: [
    { protocol: "tcp", port: 80, address: "*", public: true, purpose: "HTTP: HTTP-01 challenges and the redirect to HTTPS" },
    { protocol: "tcp", port: 443, address: "*", public: true, purpose: "HTTPS and TLS-ALPN-01" },
    { protocol: "udp", port: 443, address: "*", public: true, purpose: "HTTP/3 (on by default for HTTPS sites)" },
    {
      protocol: "tcp",
      port: 2019,
      address: "127.0.0.1",
      public: false,
      purpose: `its admin API (${CADDY.facts.adminEndpoint.source})`,
    },
  ],
  capabilities: {
    websocket: true,
    httpToHttpsRedirect: true,
    acmeChallenges: ["http-01", "tls-alpn-01"],
    tlsVersions: ["1.2", "1.3"],
    ipv6Listeners: true,
    acmeContactEmail: true,
    postQuantumKeyExchange: true,
    clientIpInXForwardedFor: true,
    hstsHeader: true,
    lenientClientRequests: true,
    staticFiles: true,
    offlineValidator: "caddy validate --adapter caddyfile",
  },
  notes: {
    postQuantumKeyExchange: "offers X25519MLKEM768 from 2.10 on (Go 1.24); Debian's and Ubuntu's caddy 2.6.2 does not",
    acmeChallenges: "cannot use DNS-01 without a plug-in build",
  },
  render,
};
