// Metrics from the pinned tracker. torrust/tracker:v3.0.0 answers GET /api/v1/stats?token=… with
// JSON only (constructs/versions/tracker.ts), so:
//   Prometheus --/probe, no token--> json_exporter --/stats--> stats relay --?token=--> tracker API
// json_exporter (in the tracker's network namespace) maps the JSON fields to the series of
// constructs/versions/metrics.ts; the relay (Caddy's reverse proxy, ditto: the pinned caddy image,
// which the tests run at the same version) is the only place that adds the token, from a 0400
// Caddyfile only its uid reads. Prometheus' targets and config pages show no secret.
import type { RenderedFile } from "../../cloud-init/rendered-file";
import type { Deployment } from "../../deployment/schema";
import { CADDY, JSON_EXPORTER, TRACKER, TRACKER_SERIES, TRACKER_STATS_JOB, TRACKER_STATS_MODULE } from "../../versions";
import { JSON_EXPORTER_PORT, STATS_RELAY_PORT } from "../../plan/edge-view";
import { GENERATOR, JSON_EXPORTER_CONFIG, PROMETHEUS_CONFIG } from "./paths";
import { renderYaml } from "./yaml";

/** Compose service name of the tracker; json_exporter shares its network namespace, so this host name reaches both. */
export const TRACKER_SERVICE = "tracker";
export const JSON_EXPORTER_SERVICE = "json-exporter";
export const STATS_RELAY_SERVICE = "stats-relay";
/** Ports inside the tracker's network namespace (not published; reserved by the plan): json_exporter and the relay (127.0.0.1 only). */
export { JSON_EXPORTER_PORT, STATS_RELAY_PORT };
/** The relay's path; it forwards to the tracker's stats route with the token. */
export const STATS_RELAY_PATH = "/stats";
/** What json_exporter fetches: no token in it. */
export const STATS_RELAY_URL = `http://127.0.0.1:${STATS_RELAY_PORT}${STATS_RELAY_PATH}`;

/** prometheus.yml: one job, json_exporter's /probe for the tracker's stats. No secret. */
export function prometheusConfig(d: Deployment): Record<string, unknown> {
  const interval = `${d.prometheus.scrapeIntervalSeconds}s`;
  return {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: TRACKER_STATS_JOB,
        metrics_path: JSON_EXPORTER.facts.probePath.value,
        params: { module: [TRACKER_STATS_MODULE], target: [STATS_RELAY_URL] },
        static_configs: [{ targets: [`${TRACKER_SERVICE}:${JSON_EXPORTER_PORT}`] }],
      },
    ],
  };
}

export function renderPrometheusConfig(d: Deployment): RenderedFile {
  return { path: PROMETHEUS_CONFIG, content: renderYaml(prometheusConfig(d), `${GENERATOR}/prometheus.ts`), permissions: "0644" };
}

/** json_exporter's module: one series per field of the tracker's stats JSON. */
export function jsonExporterConfig(): Record<string, unknown> {
  return {
    modules: {
      [TRACKER_STATS_MODULE]: {
        metrics: TRACKER_SERIES.map((s) => ({ name: s.name, path: `{.${s.field}}`, valuetype: s.type, help: s.help })),
      },
    },
  };
}

export function renderJsonExporterConfig(): RenderedFile {
  return { path: JSON_EXPORTER_CONFIG, content: renderYaml(jsonExporterConfig(), `${GENERATOR}/prometheus.ts`), permissions: "0644" };
}

/** Marks where bootstrap puts the admin token in the relay's Caddyfile (never in user_data). */
export const STATS_RELAY_TOKEN_MARK = "@TOKEN@";

/**
 * The relay's Caddyfile with STATS_RELAY_TOKEN_MARK for the token; bootstrap writes it on the
 * server. Every path is rewritten to the stats route, so the relay reaches nothing else of the
 * API. Caddy logs errors with the request as received (before the rewrite: no token) and no
 * access log (constructs/versions/caddy.ts).
 */
export function statsRelayCaddyfile(apiPort: number): string {
  const route = `${TRACKER.facts.statsPath.value}?${TRACKER.facts.tokenQueryParameter.value}=${STATS_RELAY_TOKEN_MARK}`;
  return [
    "{",
    "\tadmin off",
    "\tpersist_config off",
    "\tauto_https off",
    // The container's user owns no data folder: certificate storage (unused) goes to /tmp.
    `\tstorage file_system ${CADDY.facts.relayStorageDir.value}`,
    "}",
    "",
    `http://127.0.0.1:${STATS_RELAY_PORT} {`,
    `\trewrite * ${route}`,
    `\treverse_proxy 127.0.0.1:${apiPort}`,
    "}",
    "",
  ].join("\n");
}
