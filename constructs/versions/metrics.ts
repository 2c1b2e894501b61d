// The Prometheus series the stack produces from the pinned tracker's JSON stats. One list, so
// the json_exporter config, the tests and Grafana dashboards (constructs that query them) agree.
import { TRACKER, type TrackerStatsField } from "./tracker";

export interface TrackerSeries {
  /** Prometheus metric name. */
  readonly name: string;
  /** Field of GET /api/v1/stats it is read from (JSONPath `{.<field>}`). */
  readonly field: TrackerStatsField;
  /** counter: only grows while the tracker runs (reset on restart); gauge: current value. */
  readonly type: "counter" | "gauge";
  readonly help: string;
}

/** Prefix of every tracker series. */
export const TRACKER_SERIES_PREFIX = "torrust_tracker_";
/** json_exporter module name the scrape job asks for. */
export const TRACKER_STATS_MODULE = "torrust_tracker_stats";
/** Prometheus job that scrapes the tracker's stats through json_exporter (the `job` label). */
export const TRACKER_STATS_JOB = "tracker_stats";

const GAUGES: Readonly<Partial<Record<TrackerStatsField, string>>> = {
  torrents: "Torrents the tracker knows",
  seeders: "Peers with the whole torrent, summed over torrents",
  leechers: "Peers still downloading, summed over torrents",
  completed: "Completed downloads reported by peers, summed over torrents (persisted)",
};

function describe(field: TrackerStatsField): string {
  const m = /^(tcp|udp)(4|6)_(connections|announces|scrapes)_handled$/.exec(field);
  if (!m) throw new Error(`tracker stats field ${field} has no description`);
  const proto = m[1] === "tcp" ? "HTTP" : "UDP";
  return `${m[3][0].toUpperCase()}${m[3].slice(1)} handled by the ${proto} trackers over IPv${m[2]} since the tracker started`;
}

/** Every series, in the order of the tracker's JSON fields. */
export const TRACKER_SERIES: readonly TrackerSeries[] = TRACKER.facts.statsFields.value.map((field) => {
  const gauge = GAUGES[field];
  return gauge !== undefined
    ? { name: `${TRACKER_SERIES_PREFIX}${field}`, field, type: "gauge" as const, help: gauge }
    : { name: `${TRACKER_SERIES_PREFIX}${field}_total`, field, type: "counter" as const, help: describe(field) };
});
