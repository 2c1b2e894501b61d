// The provisioned Grafana dashboard against what the stack really produces: the series of
// constructs/versions/metrics.ts (json_exporter over the tracker's stats) and Prometheus' `up`.
// Every panel query is evaluated by the real promtool 3.5.1 (`promtool test rules`) on input series
// named and labelled as Prometheus stores them; the JSON is typed with @grafana/schema 12.4.2.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { pluginVersion as statVersion } from "@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen";
import { pluginVersion as timeseriesVersion } from "@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen";
import { parse, stringify } from "yaml";
import { composeProject } from "../../constructs/tracker/render/compose";
import { DASHBOARD_DIR, DASHBOARD_PROVIDER, dashboardQueries, renderDashboards, trackerDashboard } from "../../constructs/tracker/render/dashboards";
import { GRAFANA_PROVISIONING } from "../../constructs/tracker/render/paths";
import { GRAFANA, TRACKER_SERIES, TRACKER_STATS_JOB } from "../../constructs/versions";
import { tempDir } from "../helpers/tmp";
import { deployment, edge, fixtureProxy } from "./fixtures";

const ROOT = path.resolve(__dirname, "../..");
/** The labels Prometheus adds to every scraped series of the stats job. */
const LABELS = `instance="tracker:7979",job="${TRACKER_STATS_JOB}"`;

/** The path of a tool built by scripts/tools.sh; fails (never skips) with the command to build it. */
function builtTool(name: string): string {
  const r = spawnSync("bash", ["scripts/tools.sh", "--print", name], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `${name} is not built: run \`bash scripts/tools.sh ${name}\` (npm run tools)`);
  return r.stdout.trim();
}

/** Metric names a PromQL expression selects (identifiers not called as functions, outside {} and []). */
function selectedMetrics(expr: string): string[] {
  const bare = expr.replace(/\{[^}]*\}/g, "").replace(/\[[^\]]*\]/g, "");
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?![a-zA-Z0-9_:]|\s*\()/g)].map((m) => m[0]).filter((n) => !["sum", "by", "without", "on"].includes(n));
}

describe("Grafana dashboards", () => {
  it("are typed with the @grafana/schema of the pinned Grafana", () => {
    assert.equal(statVersion, GRAFANA.version);
    assert.equal(timeseriesVersion, GRAFANA.version);
  });

  it("query only series the stack produces, and show every one of them", () => {
    const produced = new Set([...TRACKER_SERIES.map((s) => s.name), "up"]);
    const used = new Set<string>();
    for (const { panel, expr } of dashboardQueries(trackerDashboard())) {
      const names = selectedMetrics(expr);
      assert.ok(names.length > 0, `${panel}: ${expr} selects nothing`);
      for (const n of names) {
        assert.ok(produced.has(n), `${panel}: ${n} is not a series the stack produces`);
        used.add(n);
      }
    }
    assert.deepEqual([...produced].filter((n) => !used.has(n)), [], "series no panel shows");
  });

  it("evaluate to the expected values with the real promtool 3.5.1", () => {
    const promtool = builtTool("promtool");
    // Counter i grows by (i+1) per second, gauge i stands at 100+i: each query's value tells which series it read.
    const perSecond = new Map<string, number>();
    const level = new Map<string, number>([["up", 1]]);
    TRACKER_SERIES.forEach((s, i) => (s.type === "counter" ? perSecond.set(s.name, i + 1) : level.set(s.name, 100 + i)));
    const input = [
      ...[...perSecond].map(([name, k]) => ({ series: `${name}{${LABELS}}`, values: `0+${k * 15}x80` })),
      ...[...level].map(([name, v]) => ({ series: `${name}{${LABELS}}`, values: `${v}x80` })),
    ];
    /** What Prometheus must answer: the sum of rates (labels without the name) or the gauge's sample. */
    const expected = (expr: string) => {
      const rates = [...expr.matchAll(/rate\(([a-z0-9_]+)\[1m\]\)/g)].map((m) => m[1]);
      if (rates.length > 0 && expr === rates.map((r) => `rate(${r}[1m])`).join(" + ")) {
        return { labels: `{${LABELS}}`, value: rates.reduce((a, r) => a + perSecond.get(r)!, 0) };
      }
      const plain = /^([a-z_]+)(\{job="[a-z_]+"\})?$/.exec(expr);
      assert.ok(plain, `query shape not modelled by this test: ${expr}`);
      return { labels: `${plain[1]}{${LABELS}}`, value: level.get(plain[1])! };
    };
    const tests = dashboardQueries(trackerDashboard()).map(({ expr }) => {
      // Grafana replaces $__rate_interval before the query reaches Prometheus. (fuzzy_compare: rate's float arithmetic.)
      const e = expr.replaceAll("$__rate_interval", "1m");
      const x = expected(e);
      return { expr: e, eval_time: "15m", exp_samples: [{ labels: x.labels, value: x.value }] };
    });
    const dir = tempDir("torrust-dashboards-");
    const file = path.join(dir, "dashboard-queries.test.yml");
    fs.writeFileSync(file, stringify({ evaluation_interval: "15s", fuzzy_compare: true, tests: [{ interval: "15s", input_series: input, promql_expr_test: tests }] }));
    const r = spawnSync(promtool, ["test", "rules", file], { encoding: "utf8" });
    assert.equal(r.status, 0, `promtool:\n${r.stdout}\n${r.stderr}`);
  });

  it("lay out panels with unique ids inside Grafana's 24 columns, without overlaps", () => {
    const panels = trackerDashboard().panels ?? [];
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
    const cells = new Set<string>();
    for (const p of panels) {
      const g = p.gridPos!;
      assert.ok(g.x >= 0 && g.x + g.w <= 24, `${p.title}: x ${g.x} w ${g.w}`);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          assert.ok(!cells.has(`${x},${y}`), `${p.title} overlaps another panel at ${x},${y}`);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it("are provisioned read-only from the folder Grafana's container sees", () => {
    const [provider, json] = renderDashboards();
    assert.equal(provider.path, DASHBOARD_PROVIDER);
    assert.equal(path.dirname(json.path), DASHBOARD_DIR);
    const d = deployment();
    const grafana = composeProject(d, edge(d), fixtureProxy(edge(d))).services.grafana;
    const mount = grafana.volumes?.find((v) => v.startsWith(`${GRAFANA_PROVISIONING}:`));
    assert.ok(mount, "the provisioning folder is mounted");
    const inContainer = DASHBOARD_DIR.replace(GRAFANA_PROVISIONING, mount.split(":")[1]);
    const doc = parse(provider.content) as { providers: { options: { path: string }; allowUiUpdates: boolean; disableDeletion: boolean }[] };
    assert.equal(doc.providers[0].options.path, inContainer);
    assert.equal(doc.providers[0].allowUiUpdates, false);
    assert.equal(JSON.parse(json.content).uid, "torrust-tracker");
  });
});
