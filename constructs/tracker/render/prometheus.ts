// prometheus.yml TEMPLATE. The tracker's admin token is a placeholder: bootstrap substitutes it on
// the server from the secrets dir, so the token is never in user_data.
import { Scalar } from "yaml";
import type { RenderedFile } from "../../cloud-init/rendered-file";
import type { Deployment } from "../../deployment/schema";
import { GENERATOR, PROMETHEUS_TEMPLATE } from "./paths";
import { renderYaml } from "./yaml";

/** Replaced by the admin token at first boot. Quoted in the template, so a token of digits stays a string. */
export const ADMIN_TOKEN_PLACEHOLDER = "__TORRUST_TRACKER_ADMIN_TOKEN__";
/** Compose service name of the tracker, the scrape target's host on the compose network. */
export const TRACKER_SERVICE = "tracker";

/** The two scrape jobs of the deployer's template: stats and metrics, both in Prometheus format. */
export const SCRAPE_JOBS = [
  { job: "tracker_stats", path: "/api/v1/stats" },
  { job: "tracker_metrics", path: "/api/v1/metrics" },
] as const;

function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

export function renderPrometheusTemplate(d: Deployment): RenderedFile {
  const interval = `${d.prometheus.scrapeIntervalSeconds}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: SCRAPE_JOBS.map(({ job, path }) => ({
      job_name: job,
      metrics_path: path,
      // ?token= is what the pinned tracker accepts; it is substituted on the server only.
      params: { token: [quoted(ADMIN_TOKEN_PLACEHOLDER)], format: ["prometheus"] },
      static_configs: [{ targets: [`${TRACKER_SERVICE}:${d.tracker.api.port}`] }],
    })),
  };
  return {
    path: PROMETHEUS_TEMPLATE,
    content: renderYaml(config, `${GENERATOR}/prometheus.ts (template: ${ADMIN_TOKEN_PLACEHOLDER} is replaced at first boot)`),
    permissions: "0644",
  };
}
