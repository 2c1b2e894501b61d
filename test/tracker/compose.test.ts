import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { mergeServices, renderComposeFile, type ComposeService } from "../../constructs/compose";
import { COMPOSE_FILE } from "../../constructs/tracker/layout";
import {
  COMPOSE_IPV6_SUBNET,
  HELLO_IMAGE,
  composeProject,
  renderCompose,
  renderGrafanaDatasource,
  renderPrometheusConfig,
  renderJsonExporterConfig,
  PROMETHEUS_PORT,
  PROMETHEUS_SERVICE,
  TRACKER_SERVICE,
} from "../../constructs/tracker/render";
import { SECRET_FILES } from "../../constructs/tracker/render/paths";
import { DEFAULT_TRACKER_TOKEN, FIXTURE_CAPABILITIES, deployment, edge, fixtureProxy } from "./fixtures";

const NO_PROXY_SERVICES = { composeServices: {} };

function services(d = deployment(), ctx = edge(d), proxy: { composeServices: Record<string, ComposeService> } = NO_PROXY_SERVICES) {
  return composeProject(d, ctx, proxy).services;
}

/** Host side of a port mapping: "127.0.0.1:1212:1212" → "127.0.0.1"; "6969:6969/udp" → "" (every address). */
function hostAddress(mapping: string): string {
  const parts = mapping.replace(/\/udp$/, "").split(":");
  return parts.length === 3 ? parts[0] : "";
}

describe("compose project", () => {
  it("publishes the API and proxied HTTP trackers on 127.0.0.1 and UDP trackers on every address", () => {
    const tracker = services()[TRACKER_SERVICE];
    assert.deepEqual(tracker.ports, ["6969:6969/udp", "127.0.0.1:7070:7070", "127.0.0.1:1212:1212"]);
  });

  it("publishes HTTP trackers on every address when they are not behind the proxy", () => {
    const d = deployment({ tracker: { httpTrackers: [{ subdomain: "http1", port: 7070, viaProxy: false }] } });
    assert.deepEqual(services(d)[TRACKER_SERVICE].ports, ["6969:6969/udp", "7070:7070", "127.0.0.1:1212:1212"]);
  });

  it("publishes every internal port (TCP) on 127.0.0.1 only", () => {
    for (const [name, svc] of Object.entries(services())) {
      for (const p of svc.ports ?? []) {
        if (p.endsWith("/udp")) continue;
        assert.equal(hostAddress(p), "127.0.0.1", `${name}: ${p}`);
      }
    }
    assert.deepEqual(services()[PROMETHEUS_SERVICE].ports, [`127.0.0.1:${PROMETHEUS_PORT}:${PROMETHEUS_PORT}`]);
    assert.deepEqual(services().grafana.ports, ["127.0.0.1:3000:3000"]);
  });

  it("configures the tracker through env and env_file, never with the token inline", () => {
    const tracker = services()[TRACKER_SERVICE];
    assert.equal(tracker.image, "torrust/tracker:v3.0.0");
    assert.deepEqual(tracker.environment, {
      TORRUST_TRACKER_CONFIG_TOML_PATH: "/etc/torrust/tracker/tracker.toml",
      TORRUST_TRACKER_CONFIG_OVERRIDE_CORE__DATABASE__DRIVER: "sqlite3",
      USER_ID: "10000",
    });
    assert.deepEqual(tracker.env_file, [SECRET_FILES.trackerEnv]);
    assert.ok(tracker.volumes!.every((v) => v.startsWith("/opt/torrust/storage/tracker/")));
  });

  it("hardens Grafana and points it at its public URL", () => {
    const g = services().grafana;
    assert.equal(g.environment!.GF_SERVER_ROOT_URL, "https://grafana.example.com");
    assert.equal(g.environment!.GF_SERVER_DOMAIN, "grafana.example.com");
    for (const [k, v] of Object.entries({
      GF_SECURITY_COOKIE_SECURE: "true",
      GF_SECURITY_COOKIE_SAMESITE: "strict",
      GF_AUTH_ANONYMOUS_HIDE_VERSION: "true",
      GF_SERVER_ENFORCE_DOMAIN: "true",
    })) {
      assert.equal(g.environment![k], v, k);
    }
    // Item 10: the password reaches Grafana as a file; docker inspect shows only its path.
    assert.equal(g.environment!.GF_SECURITY_ADMIN_PASSWORD, undefined);
    assert.equal(g.environment!.GF_SECURITY_ADMIN_PASSWORD__FILE, "/run/secrets/grafana/admin-password");
    assert.equal(g.env_file, undefined);
    assert.ok(g.volumes!.includes(`${SECRET_FILES.grafanaDir}:/run/secrets/grafana:ro`));
    assert.ok(g.volumes!.includes("/opt/torrust/etc/grafana/provisioning:/etc/grafana/provisioning:ro"));
    assert.ok(g.volumes!.includes("/opt/torrust/storage/grafana/data:/var/lib/grafana"));
    assert.equal(g.environment!.GF_LIVE_MAX_CONNECTIONS, undefined);
  });

  it("switches Grafana Live off with GF_LIVE_MAX_CONNECTIONS=0 when grafana.live is false", () => {
    const d = deployment({ grafana: { live: false } });
    assert.equal(services(d).grafana.environment!.GF_LIVE_MAX_CONNECTIONS, "0");
  });

  it("keeps Prometheus' TSDB on the volume with the deployment's retention", () => {
    const d = deployment({ prometheus: { retentionDays: 90 } });
    const p = services(d)[PROMETHEUS_SERVICE];
    assert.ok(p.command!.includes("--storage.tsdb.retention.time=90d"));
    assert.ok(p.volumes!.includes("/opt/torrust/storage/prometheus/data:/prometheus"));
    // The folder, not the file: a replaced prometheus.yml (new inode) is seen without recreating the container.
    assert.ok(p.volumes!.includes("/opt/torrust/etc/prometheus:/etc/prometheus:ro"));
    assert.ok(p.volumes!.every((v) => !v.split(":")[0].endsWith(".yml")));
  });

  it("adds the hello container only when the hello site has an upstream", () => {
    const d = deployment();
    const hello = services(d).hello;
    assert.equal(hello.image, HELLO_IMAGE);
    assert.deepEqual(hello.command, ["httpd", "-f", "-p", "127.0.0.1:8081", "-h", "/www"]);
    assert.equal(hello.network_mode, "host");
    assert.equal(hello.ports, undefined);
    const servesFiles = edge(d, { ...FIXTURE_CAPABILITIES, staticFiles: true });
    assert.equal(services(d, servesFiles).hello, undefined);
    const noHello = deployment({ helloWorld: undefined });
    assert.equal(services(noHello).hello, undefined);
  });

  it("pins every image, restarts unless stopped and rotates json-file logs", () => {
    for (const [name, svc] of Object.entries(services())) {
      assert.match(svc.image, /^[a-z0-9./-]+:[A-Za-z0-9._-]+$/, name);
      assert.doesNotMatch(svc.image, /:(latest|develop|main|nightly)$/, name);
      assert.equal(svc.restart, "unless-stopped", name);
      assert.deepEqual(svc.logging, { driver: "json-file", options: { "max-size": "10m", "max-file": "10" } }, name);
    }
  });

  it("gives the default network IPv6 with a ULA subnet only when IPv6 is on", () => {
    const d = deployment();
    assert.deepEqual(composeProject(d, edge(d), NO_PROXY_SERVICES).networks, {
      default: { enable_ipv6: true, ipam: { config: [{ subnet: COMPOSE_IPV6_SUBNET }] } },
    });
    assert.match(COMPOSE_IPV6_SUBNET, /^fd[0-9a-f]{2}:/);
    const v4 = deployment({ hetzner: { ipv6: false } });
    assert.equal(composeProject(v4, edge(v4), NO_PROXY_SERVICES).networks, undefined);
  });

  it("adds the proxy's services and refuses a name clash", () => {
    const proxy = { composeServices: { pingoo: { image: "pingooio/pingoo:0.14.0", network_mode: "host" as const } } };
    assert.ok(services(deployment(), undefined, proxy).pingoo);
    assert.throws(() => services(deployment(), undefined, { composeServices: { grafana: { image: "x:1" } } }), /compose service "grafana" is defined twice/);
  });

  it("renders /opt/torrust/compose.yaml deterministically with sorted services and environment", () => {
    const d = deployment();
    const ctx = edge(d);
    const file = renderCompose(d, ctx, fixtureProxy(ctx));
    assert.equal(file.path, COMPOSE_FILE);
    assert.equal(file.content, renderCompose(d, ctx, fixtureProxy(ctx)).content);
    assert.match(file.content, /^# Generated by /);
    const doc = parse(file.content);
    assert.equal(doc.name, "torrust");
    assert.deepEqual(Object.keys(doc.services), ["grafana", "hello", "json-exporter", "prometheus", "stats-relay", "tracker"]);
    const env = Object.keys(doc.services.grafana.environment);
    assert.deepEqual(env, [...env].sort());
    assert.deepEqual(Object.keys(doc.services.tracker), ["image", "container_name", "restart", "sysctls", "ports", "environment", "env_file", "volumes", "logging"]);
    assert.deepEqual(doc.services.tracker.sysctls, { "net.ipv6.bindv6only": 1 });
    assert.doesNotMatch(file.content, /&a\d|\*a\d/, "no YAML anchors or aliases");
    assert.ok(!file.content.includes(DEFAULT_TRACKER_TOKEN));
  });

  it("refuses unknown service keys, ports with host networking, and bad names", () => {
    assert.throws(() => renderComposeFile({ name: "p", services: { a: { image: "x:1", privileged: true } as unknown as ComposeService } }), /keys this renderer does not know: privileged/);
    assert.throws(() => renderComposeFile({ name: "p", services: { a: { image: "x:1", network_mode: "host", ports: ["1:1"] } } }), /cannot publish ports/);
    assert.throws(() => renderComposeFile({ name: "p", services: { "A b": { image: "x:1" } } }), /service name/);
    assert.throws(() => mergeServices({ a: { image: "x:1" } }, { a: { image: "y:1" } }), /defined twice/);
  });
});

describe("prometheus.yml and json_exporter (item 2, 7)", () => {
  it("scrapes json_exporter's /probe for the tracker's stats, with no token anywhere in the config", () => {
    const d = deployment({ prometheus: { scrapeIntervalSeconds: 30 } });
    const file = renderPrometheusConfig(d);
    assert.equal(file.path, "/opt/torrust/etc/prometheus/prometheus.yml");
    const doc = parse(file.content);
    assert.deepEqual(doc.global, { scrape_interval: "30s", evaluation_interval: "30s" });
    assert.equal(doc.scrape_configs.length, 1);
    const job = doc.scrape_configs[0];
    assert.equal(job.metrics_path, "/probe");
    assert.deepEqual(job.params, { module: ["torrust_tracker_stats"], target: ["http://127.0.0.1:7980/stats"] });
    assert.deepEqual(job.static_configs, [{ targets: [`${TRACKER_SERVICE}:7979`] }]);
    assert.doesNotMatch(file.content, /token|\/api\/v1\/metrics|format/);
  });

  it("maps every field of v3.0.0's stats JSON to one series", () => {
    const doc = parse(renderJsonExporterConfig().content);
    const metrics = doc.modules.torrust_tracker_stats.metrics as { name: string; path: string; valuetype: string }[];
    assert.equal(metrics.length, 16);
    assert.deepEqual(metrics.find((m) => m.path === "{.udp4_announces_handled}"), {
      name: "torrust_tracker_udp4_announces_handled_total",
      path: "{.udp4_announces_handled}",
      valuetype: "counter",
      help: "Announces handled by the UDP trackers over IPv4 since the tracker started",
    });
  });

  it("runs json_exporter and the stats relay in the tracker's network namespace, each with its own uid", () => {
    const s = services();
    assert.equal(s["json-exporter"].network_mode, "service:tracker");
    assert.equal(s["stats-relay"].network_mode, "service:tracker");
    assert.equal(s["json-exporter"].image, "quay.io/prometheuscommunity/json-exporter:v0.7.0");
    assert.deepEqual(s["stats-relay"].volumes, [`${SECRET_FILES.statsRelayDir}:/run/secrets/stats-relay:ro`]);
    assert.equal(s["stats-relay"].image, "caddy:2.10.2");
    const users = Object.entries(s).filter(([, v]) => v.user !== undefined).map(([, v]) => v.user!.split(":")[0]);
    users.push(s[TRACKER_SERVICE].environment!.USER_ID);
    assert.equal(new Set(users).size, users.length, `one uid per service: ${users.join(", ")}`);
    assert.ok(!users.includes("1000") && !users.includes("65534"), "no host account's uid (admin 1000, nobody)");
  });
});

describe("grafana datasource", () => {
  it("provisions Prometheus with uid prometheus at the compose service's address", () => {
    const file = renderGrafanaDatasource(deployment());
    assert.equal(file.path, "/opt/torrust/etc/grafana/provisioning/datasources/prometheus.yaml");
    const doc = parse(file.content);
    assert.deepEqual(doc, {
      apiVersion: 1,
      datasources: [
        {
          name: "Prometheus",
          uid: "prometheus",
          type: "prometheus",
          access: "proxy",
          url: `http://${PROMETHEUS_SERVICE}:${PROMETHEUS_PORT}`,
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: "15s" },
        },
      ],
    });
    // Grafana and Prometheus share the compose network (neither uses host networking).
    const s = services();
    assert.equal(s.grafana.network_mode, undefined);
    assert.equal(s[PROMETHEUS_SERVICE].network_mode, undefined);
  });
});
