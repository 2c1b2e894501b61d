// prometheus-community/json_exporter: turns the tracker's JSON stats into Prometheus series.
import { fact, type PinnedProgram } from "./types";

const J = "prometheus-community/json_exporter@v0.7.0";

export const JSON_EXPORTER = {
  program: "json_exporter",
  version: "v0.7.0",
  artifact: "quay.io/prometheuscommunity/json-exporter:v0.7.0",
  reviewedVersion: "v0.7.0",
  facts: {
    port: fact(7979, `${J}:cmd/main.go (kingpinflag.AddFlags(..., ":7979"); Go sets IPV6_V6ONLY=0 on wildcard listeners)`),
    probePath: fact("/probe", `${J}:cmd/main.go (probeHandler reads module and target from the query)`),
    configFlag: fact("--config.file", `${J}:cmd/main.go`),
    /** Module keys: headers, metrics, http_client_config, body, valid_status_codes; no query parameters. */
    moduleKeys: fact(["headers", "metrics", "http_client_config", "body", "valid_status_codes"], `${J}:config/config.go (type Module)`),
    metricKeys: fact(["name", "path", "labels", "type", "valuetype", "help", "values", "epochtimestamp"], `${J}:config/config.go (type Metric, yaml.v2 lower-cased)`),
    /** The target URL comes from Prometheus' query: a secret in it would be visible there. */
    targetFromQuery: fact(true, `${J}:cmd/main.go (target := r.URL.Query().Get("target")) + exporter/util.go FetchJSON`),
    runsAs: fact("nobody", `${J}:Dockerfile (USER nobody; FROM quay.io/prometheus/busybox)`),
  },
} as const satisfies PinnedProgram;
