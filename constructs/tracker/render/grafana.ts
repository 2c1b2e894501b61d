// Grafana provisioning: the Prometheus datasource. Prometheus and Grafana share the compose
// network, so Grafana reaches it by service name.
import type { RenderedFile } from "../../cloud-init/rendered-file";
import type { Deployment } from "../../deployment/schema";
import { GENERATOR, GRAFANA_DATASOURCE } from "./paths";
import { renderYaml } from "./yaml";

/** Compose service name and port of Prometheus. */
export const PROMETHEUS_SERVICE = "prometheus";
export { PROMETHEUS_PORT } from "../../plan/edge-view";
import { PROMETHEUS_PORT } from "../../plan/edge-view";
/** uid of the provisioned Prometheus datasource; dashboards refer to it. */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

export function renderGrafanaDatasource(d: Deployment): RenderedFile {
  const config = {
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        uid: PROMETHEUS_DATASOURCE_UID,
        type: "prometheus",
        access: "proxy",
        url: `http://${PROMETHEUS_SERVICE}:${PROMETHEUS_PORT}`,
        isDefault: true,
        editable: false,
        jsonData: { timeInterval: `${d.prometheus.scrapeIntervalSeconds}s` },
      },
    ],
  };
  return { path: GRAFANA_DATASOURCE, content: renderYaml(config, `${GENERATOR}/grafana.ts`), permissions: "0644" };
}
