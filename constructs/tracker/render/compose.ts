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
import { databaseServices, withDatabase } from "./database";
import { PROMETHEUS_PORT, PROMETHEUS_SERVICE } from "./grafana";
import { BUSYBOX, CADDY, GRAFANA, JSON_EXPORTER, PROMETHEUS, TRACKER } from "../../versions";
import {
  COMPOSE_PROJECT,
  CONTAINER_SECRETS,
  CONTAINER_UIDS,
  GENERATOR,
  GRAFANA_DATA,
  GRAFANA_PROVISIONING,
  HELLO_ROOT,
  JSON_EXPORTER_CONFIG,
  JSON_EXPORTER_ETC,
  PROMETHEUS_DATA,
  PROMETHEUS_ETC,
  SECRET_FILES,
  TRACKER_CONTAINER,
  TRACKER_STATE,
} from "./paths";
import { JSON_EXPORTER_PORT, JSON_EXPORTER_SERVICE, STATS_RELAY_SERVICE, TRACKER_SERVICE } from "./prometheus";
import { TRACKER_SYSCTLS } from "./tracker-toml";

/** Pinned image of the static hello container (busybox httpd). */
export const HELLO_IMAGE = BUSYBOX.artifact;
const uidGid = (uid: number) => `${uid}:${uid}`;
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
    // Namespaced (net.*): only the tracker's network namespace, shared by json_exporter and the relay.
    ...(d.hetzner.ipv6 ? { sysctls: { ...TRACKER_SYSCTLS } } : {}),
    ports,
    environment: {
      [TRACKER.facts.configTomlPathEnv.value]: TRACKER_CONTAINER.toml,
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
    user: uidGid(CONTAINER_UIDS.prometheus),
    command: [
      `--config.file=${PROMETHEUS.facts.configDir.value}/prometheus.yml`,
      `--storage.tsdb.path=${PROMETHEUS.facts.dataDir.value}`,
      `--storage.tsdb.retention.time=${d.prometheus.retentionDays}d`,
    ],
    ports: [loopback(PROMETHEUS_PORT)],
    // The folder, not the file: a file bind mount keeps the old inode when the file is replaced.
    volumes: [`${PROMETHEUS_ETC}:${PROMETHEUS.facts.configDir.value}:ro`, `${PROMETHEUS_DATA}:${PROMETHEUS.facts.dataDir.value}`],
    depends_on: { [JSON_EXPORTER_SERVICE]: { condition: "service_started" } },
    healthcheck: {
      test: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${PROMETHEUS_PORT}${PROMETHEUS.facts.healthPath.value}`],
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
    // The image's entrypoint reads the file (constructs/versions/grafana.ts): docker inspect shows the path only.
    [`${GRAFANA.facts.adminPasswordEnv.value}${GRAFANA.facts.envFileSuffix.value}`]: CONTAINER_SECRETS.grafanaPasswordFile,
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
    // The admin password, generated on the server (applied on the first start only).
    volumes: [
      `${GRAFANA_DATA}:${GRAFANA.facts.dataDir.value}`,
      `${GRAFANA_PROVISIONING}:${GRAFANA.facts.provisioningDir.value}:ro`,
      `${SECRET_FILES.grafanaDir}:${CONTAINER_SECRETS.grafanaDir}:ro`,
    ],
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
    user: uidGid(CONTAINER_UIDS.hello),
    command: ["httpd", "-f", "-p", `127.0.0.1:${port}`, "-h", "/www"],
    network_mode: "host",
    volumes: [`${HELLO_ROOT}:/www:ro`],
    logging: logging(),
  };
}

/** json_exporter in the tracker's network namespace: Prometheus reaches it as tracker:7979, it reaches the relay on 127.0.0.1. */
export function jsonExporterService(): ComposeService {
  return {
    image: JSON_EXPORTER.artifact,
    container_name: JSON_EXPORTER_SERVICE,
    restart: "unless-stopped",
    user: uidGid(CONTAINER_UIDS.jsonExporter),
    command: [`${JSON_EXPORTER.facts.configFlag.value}=${JSON_EXPORTER_CONFIG}`, `--web.listen-address=:${JSON_EXPORTER_PORT}`],
    network_mode: `service:${TRACKER_SERVICE}`,
    volumes: [`${JSON_EXPORTER_ETC}:${JSON_EXPORTER_ETC}:ro`],
    depends_on: { [TRACKER_SERVICE]: { condition: "service_started" }, [STATS_RELAY_SERVICE]: { condition: "service_started" } },
    logging: logging(),
  };
}

/**
 * The stats relay: Caddy's reverse proxy on 127.0.0.1 of the tracker's namespace, the only process
 * that holds the admin token (its Caddyfile, 0400, its uid).
 */
export function statsRelayService(): ComposeService {
  return {
    image: CADDY.artifact,
    container_name: STATS_RELAY_SERVICE,
    restart: "unless-stopped",
    user: uidGid(CONTAINER_UIDS.statsRelay),
    command: ["caddy", "run", "--config", CONTAINER_SECRETS.statsRelayConf, "--adapter", "caddyfile"],
    network_mode: `service:${TRACKER_SERVICE}`,
    volumes: [`${SECRET_FILES.statsRelayDir}:${CONTAINER_SECRETS.statsRelayDir}:ro`],
    depends_on: { [TRACKER_SERVICE]: { condition: "service_started" } },
    logging: logging(),
  };
}

/** The whole project: the stack's services, the proxy's, and an IPv6 default network when IPv6 is on. */
export function composeProject(d: Deployment, ctx: EdgeContext, proxy: Pick<ProxyRendering, "composeServices">): ComposeProject {
  const optional = optionalServices(d);
  const own: Record<string, ComposeService> = { [TRACKER_SERVICE]: withDatabase(trackerService(d), d), ...databaseServices(d, logging()) };
  // Metrics: Prometheus, and in the tracker's namespace json_exporter and the token-holding relay (ADR 0010).
  if (optional.prometheus) {
    own[PROMETHEUS_SERVICE] = prometheusService(d);
    own[JSON_EXPORTER_SERVICE] = jsonExporterService();
    own[STATS_RELAY_SERVICE] = statsRelayService();
  }
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
