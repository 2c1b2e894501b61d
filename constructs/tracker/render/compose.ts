// The compose project under /opt/torrust: tracker, Prometheus, Grafana, the optional hello
// container, and whatever services the proxy plug-in adds. Internal ports are published on
// 127.0.0.1 only (the proxy reaches them on loopback); UDP trackers on every address.
import type { RenderedFile } from "../../cloud-init/rendered-file";
import { mergeServices, renderComposeFile, type ComposeNetwork, type ComposeProject } from "../../compose/compose-file";
import type { ComposeService } from "../../compose/types";
import type { Deployment } from "../../deployment/schema";
import { GRAFANA_PORT } from "../../plan/edge-view";
import { optionalServices, trackerPublishedPorts } from "../../plan/plan";
import type { EdgeContext, ProxyRendering } from "../../edge/types";
import { COMPOSE_FILE } from "../layout";
import { PROMETHEUS_PORT, PROMETHEUS_SERVICE } from "./grafana";
import {
  COMPOSE_PROJECT,
  CONTAINER_UIDS,
  GENERATOR,
  GRAFANA_DATA,
  GRAFANA_PROVISIONING,
  HELLO_ROOT,
  PROMETHEUS_CONFIG,
  PROMETHEUS_DATA,
  SECRET_FILES,
  TRACKER_CONTAINER,
  TRACKER_STATE,
} from "./paths";
import { TRACKER_SERVICE } from "./prometheus";

/** Pinned image of the static hello container (busybox httpd). */
export const HELLO_IMAGE = "busybox:1.37.0";
/** ULA subnet of the compose network when IPv6 is on (torrust-tracker-demo docs/docker-ipv6.md). */
export const COMPOSE_IPV6_SUBNET = "fd01:db8:1::/64";
/** json-file log rotation of every service (deployer defaults). */
export const LOG_OPTIONS = { "max-size": "10m", "max-file": "10" } as const;

const logging = (): ComposeService["logging"] => ({ driver: "json-file", options: { ...LOG_OPTIONS } });
const loopback = (port: number) => `127.0.0.1:${port}:${port}`;

/** The grafana site's hostname (from the edge context, so it matches the proxy's). */
function grafanaHost(d: Deployment, ctx: EdgeContext): string {
  return ctx.sites.find((s) => s.role === "grafana")?.hostname ?? `${d.grafana.subdomain}.${d.domain}`;
}

export function trackerService(d: Deployment): ComposeService {
  // The plan's published ports: the proxy's upstreams on loopback, UDP and direct HTTP on every address.
  const ports = trackerPublishedPorts(d).map((p) =>
    p.hostAddress ? `${p.hostAddress}:${p.port}:${p.port}${p.protocol === "udp" ? "/udp" : ""}` : `${p.port}:${p.port}${p.protocol === "udp" ? "/udp" : ""}`,
  );
  return {
    image: d.tracker.image,
    container_name: TRACKER_SERVICE,
    restart: "unless-stopped",
    ports,
    environment: {
      TORRUST_TRACKER_CONFIG_TOML_PATH: TRACKER_CONTAINER.toml,
      // Mandatory: without it the entrypoint exits or installs its default config.
      TORRUST_TRACKER_CONFIG_OVERRIDE_CORE__DATABASE__DRIVER: "sqlite3",
      USER_ID: String(CONTAINER_UIDS.tracker),
    },
    // TORRUST_TRACKER_CONFIG_OVERRIDE_HTTP_API__ACCESS_TOKENS__ADMIN, generated on the server.
    env_file: [SECRET_FILES.trackerEnv],
    volumes: [
      `${TRACKER_STATE}/etc:${TRACKER_CONTAINER.etc}`,
      `${TRACKER_STATE}/lib:${TRACKER_CONTAINER.lib}`,
      `${TRACKER_STATE}/log:${TRACKER_CONTAINER.log}`,
    ],
    logging: logging(),
  };
}

export function prometheusService(d: Deployment): ComposeService {
  return {
    image: d.prometheus.image,
    container_name: PROMETHEUS_SERVICE,
    restart: "unless-stopped",
    command: [
      "--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus",
      `--storage.tsdb.retention.time=${d.prometheus.retentionDays}d`,
    ],
    ports: [loopback(PROMETHEUS_PORT)],
    volumes: [`${PROMETHEUS_CONFIG}:/etc/prometheus/prometheus.yml:ro`, `${PROMETHEUS_DATA}:/prometheus`],
    depends_on: { [TRACKER_SERVICE]: { condition: "service_started" } },
    healthcheck: {
      test: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${PROMETHEUS_PORT}/-/healthy`],
      interval: "30s",
      timeout: "5s",
      retries: 3,
      start_period: "10s",
    },
    logging: logging(),
  };
}

export function grafanaService(d: Deployment, ctx: EdgeContext): ComposeService {
  const host = grafanaHost(d, ctx);
  const environment: Record<string, string> = {
    GF_SERVER_ROOT_URL: `https://${host}`,
    GF_SERVER_DOMAIN: host,
    GF_SERVER_ENFORCE_DOMAIN: "true",
    GF_SECURITY_ADMIN_USER: "admin",
    GF_SECURITY_COOKIE_SECURE: "true",
    GF_SECURITY_COOKIE_SAMESITE: "strict",
    GF_AUTH_ANONYMOUS_HIDE_VERSION: "true",
    GF_USERS_ALLOW_SIGN_UP: "false",
    GF_ANALYTICS_REPORTING_ENABLED: "false",
    GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
  };
  // Live needs a WebSocket through the proxy; off, dashboards poll instead.
  if (!d.grafana.live) environment.GF_LIVE_MAX_CONNECTIONS = "0";
  return {
    image: d.grafana.image,
    container_name: "grafana",
    restart: "unless-stopped",
    ports: [loopback(GRAFANA_PORT)],
    environment,
    // GF_SECURITY_ADMIN_PASSWORD, generated on the server (applied on the first start only).
    env_file: [SECRET_FILES.grafanaEnv],
    volumes: [`${GRAFANA_DATA}:/var/lib/grafana`, `${GRAFANA_PROVISIONING}:/etc/grafana/provisioning:ro`],
    depends_on: { [PROMETHEUS_SERVICE]: { condition: "service_healthy" } },
    logging: logging(),
  };
}

/** The loopback port of the hello container, or undefined when the proxy serves the page itself. */
export function helloUpstreamPort(ctx: EdgeContext): number | undefined {
  const hello = ctx.sites.find((s) => s.role === "hello");
  return hello?.upstream && ctx.helloPage !== undefined ? hello.upstream.port : undefined;
}

/** busybox httpd on the host's loopback (host network: a bridge container could not bind 127.0.0.1 of the host). */
export function helloService(port: number): ComposeService {
  return {
    image: HELLO_IMAGE,
    container_name: "hello",
    restart: "unless-stopped",
    user: `${CONTAINER_UIDS.hello}:${CONTAINER_UIDS.hello}`,
    command: ["httpd", "-f", "-p", `127.0.0.1:${port}`, "-h", "/www"],
    network_mode: "host",
    volumes: [`${HELLO_ROOT}:/www:ro`],
    logging: logging(),
  };
}

/** The whole project: the stack's services, the proxy's, and an IPv6 default network when IPv6 is on. */
export function composeProject(d: Deployment, ctx: EdgeContext, proxy: Pick<ProxyRendering, "composeServices">): ComposeProject {
  const optional = optionalServices(d);
  const own: Record<string, ComposeService> = { [TRACKER_SERVICE]: trackerService(d) };
  if (optional.prometheus) own[PROMETHEUS_SERVICE] = prometheusService(d);
  if (optional.grafana) own.grafana = grafanaService(d, ctx);
  const helloPort = helloUpstreamPort(ctx);
  if (helloPort !== undefined) own.hello = helloService(helloPort);
  const networks: Record<string, ComposeNetwork> | undefined = ctx.ipv6
    ? // ip6tables DNAT instead of docker-proxy, which drops IPv6 UDP to IPv4-only containers.
      { default: { enable_ipv6: true, ipam: { config: [{ subnet: COMPOSE_IPV6_SUBNET }] } } }
    : undefined;
  return { name: COMPOSE_PROJECT, services: mergeServices(own, proxy.composeServices), networks };
}

export function renderCompose(d: Deployment, ctx: EdgeContext, proxy: Pick<ProxyRendering, "composeServices">): RenderedFile {
  return {
    path: COMPOSE_FILE,
    content: renderComposeFile(composeProject(d, ctx, proxy), { generator: `${GENERATOR}/compose.ts` }),
    permissions: "0644",
  };
}
