// Grafana dashboards of our own, provisioned from files: the tracker's series as the stack
// produces them (constructs/versions/metrics.ts: json_exporter over v3.0.0's JSON stats) and
// Prometheus' own `up` for the scrape job. Typed with @grafana/schema at the pinned Grafana's
// version, so tsc checks the JSON against Grafana's published dashboard types.
// Proxy metrics are left out: Caddy's sit on its admin endpoint on the host's loopback and nginx's
// stub_status needs an exporter; the Prometheus on the compose network scrapes neither.
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  LegendDisplayMode,
  PercentChangeColorMode,
  SortOrder,
  TooltipDisplayMode,
  VizOrientation,
  type Dashboard,
  type DataQuery,
  type DataSourceRef,
  type Panel,
} from "@grafana/schema";
import type { Options as StatOptions } from "@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen";
import type { Options as TimeSeriesOptions } from "@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen";
import type { RenderedFile } from "../../cloud-init/rendered-file";
import { GRAFANA, TRACKER_SERIES, TRACKER_STATS_JOB, type TrackerStatsField } from "../../versions";
import { GENERATOR, GRAFANA_PROVISIONING } from "./paths";
import { PROMETHEUS_DATASOURCE_UID } from "./grafana";
import { renderYaml } from "./yaml";

/** Dashboard JSON model version of Grafana 12.4 (@grafana/schema 12.4.2 defaultDashboard.schemaVersion). */
export const DASHBOARD_SCHEMA_VERSION = 42;
/** The provider file and the folder its JSON lives in (inside the container: under the provisioning dir). */
export const DASHBOARD_PROVIDER = `${GRAFANA_PROVISIONING}/dashboards/torrust.yaml`;
export const DASHBOARD_DIR = `${GRAFANA_PROVISIONING}/dashboards/torrust`;
export const TRACKER_DASHBOARD_UID = "torrust-tracker";

/** A PromQL target: DataQuery's refId and datasource, plus the Prometheus query model's expr and legendFormat. */
export type PromTarget = {
  refId: DataQuery["refId"];
  datasource: DataQuery["datasource"];
  expr: string;
  legendFormat?: string;
};

const datasource: DataSourceRef = { type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID };

/** The series of a stats field, as the stack names it (never spelled out here). */
export function seriesOf(field: TrackerStatsField): string {
  const s = TRACKER_SERIES.find((x) => x.field === field);
  if (!s) throw new Error(`no Prometheus series for the tracker stats field ${field}`);
  return s.name;
}

const RATE_WINDOW = "$__rate_interval";
const perSecond = (field: TrackerStatsField) => `rate(${seriesOf(field)}[${RATE_WINDOW}])`;
const FAMILIES = [
  ["udp4", "UDP IPv4"],
  ["udp6", "UDP IPv6"],
  ["tcp4", "HTTP IPv4"],
  ["tcp6", "HTTP IPv6"],
] as const;

/** One target per protocol and IP family: the rate of `<family>_<what>_handled`. */
function perFamily(what: "announces" | "scrapes" | "connections"): PromTarget[] {
  return FAMILIES.map(([family, legend], i) => ({
    refId: String.fromCharCode(65 + i),
    datasource,
    expr: perSecond(`${family}_${what}_handled`),
    legendFormat: legend,
  }));
}

const targets = (...exprs: [expr: string, legend: string][]): PromTarget[] =>
  exprs.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), datasource, expr, legendFormat }));

function stat(id: number, x: number, title: string, description: string, target: PromTarget[], unit = "short"): Panel<StatOptions> {
  return {
    id,
    type: "stat",
    title,
    description,
    datasource,
    gridPos: { x, y: 0, w: 4, h: 4 },
    targets: target,
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: {
      reduceOptions: { calcs: ["lastNotNull"], values: false },
      orientation: VizOrientation.Auto,
      colorMode: BigValueColorMode.Value,
      graphMode: BigValueGraphMode.Area,
      justifyMode: BigValueJustifyMode.Auto,
      textMode: BigValueTextMode.Auto,
      percentChangeColorMode: PercentChangeColorMode.Standard,
      showPercentChange: false,
      wideLayout: true,
    },
  };
}

function timeseries(id: number, x: number, y: number, title: string, description: string, target: PromTarget[], unit: string): Panel<TimeSeriesOptions> {
  return {
    id,
    type: "timeseries",
    title,
    description,
    datasource,
    gridPos: { x, y, w: 12, h: 8 },
    targets: target,
    fieldConfig: { defaults: { unit, min: 0 }, overrides: [] },
    options: {
      legend: { showLegend: true, displayMode: LegendDisplayMode.List, placement: "bottom", calcs: [] },
      tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
    },
  };
}

/** The tracker dashboard: totals, then announces, scrapes, connections and peers over time. */
export function trackerDashboard(): Dashboard {
  const announcesTotal = FAMILIES.map(([family]) => perSecond(`${family}_announces_handled`)).join(" + ");
  return {
    uid: TRACKER_DASHBOARD_UID,
    title: "Torrust Tracker",
    description: "The tracker's /api/v1/stats through json_exporter (generated by torrust-tracker-cdktf; edits are not kept)",
    tags: ["torrust"],
    editable: false,
    graphTooltip: 1,
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    timezone: "utc",
    panels: [
      stat(1, 0, "Torrents", "Torrents the tracker knows", targets([seriesOf("torrents"), "torrents"])),
      stat(2, 4, "Seeders", "Peers with the whole torrent", targets([seriesOf("seeders"), "seeders"])),
      stat(3, 8, "Leechers", "Peers still downloading", targets([seriesOf("leechers"), "leechers"])),
      stat(4, 12, "Completed", "Completed downloads reported by peers (persisted)", targets([seriesOf("completed"), "completed"])),
      stat(5, 16, "Announces", "Announces per second, all protocols and families", targets([announcesTotal, "announces"]), "reqps"),
      stat(6, 20, "Stats scrape", "1 when Prometheus' last scrape of the tracker's stats succeeded", targets([`up{job="${TRACKER_STATS_JOB}"}`, "up"])),
      timeseries(7, 0, 4, "Announces", "Announces per second by protocol and IP family", perFamily("announces"), "reqps"),
      timeseries(8, 12, 4, "Scrapes", "Scrapes per second by protocol and IP family", perFamily("scrapes"), "reqps"),
      timeseries(9, 0, 12, "Connections", "Connections per second (UDP: BEP 15 connect requests)", perFamily("connections"), "reqps"),
      timeseries(10, 12, 12, "Peers", "Seeders and leechers, summed over torrents", targets([seriesOf("seeders"), "seeders"], [seriesOf("leechers"), "leechers"]), "short"),
      timeseries(11, 0, 20, "Torrents", "Torrents the tracker knows", targets([seriesOf("torrents"), "torrents"]), "short"),
    ],
  };
}

/** Every PromQL expression of a dashboard, with the panel it belongs to. */
export function dashboardQueries(d: Dashboard): { panel: string; expr: string }[] {
  return (d.panels ?? []).flatMap((p) =>
    "targets" in p ? (p.targets ?? []).map((t) => ({ panel: p.title ?? "", expr: String(t.expr) })) : [],
  );
}

/** The provider (read-only, in a "Torrust" folder) and the dashboard JSON. */
export function renderDashboards(): RenderedFile[] {
  const containerDir = `${GRAFANA.facts.provisioningDir.value}/dashboards/torrust`;
  const provider = {
    apiVersion: 1,
    providers: [
      {
        name: "torrust",
        folder: "Torrust",
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 3600,
        options: { path: containerDir },
      },
    ],
  };
  return [
    { path: DASHBOARD_PROVIDER, content: renderYaml(provider, `${GENERATOR}/dashboards.ts`), permissions: "0644" },
    { path: `${DASHBOARD_DIR}/tracker.json`, content: JSON.stringify(trackerDashboard()) + "\n", permissions: "0644" },
  ];
}
