// prom/prometheus: the pinned image and what the renderers rely on.
import { fact, type PinnedProgram } from "./types";

const P = "prometheus/prometheus@v3.5.1";

export const PROMETHEUS = {
  program: "Prometheus",
  version: "v3.5.1",
  artifact: "prom/prometheus:v3.5.1",
  reviewedVersion: "v3.5.1",
  facts: {
    port: fact(9090, `${P}:cmd/prometheus/main.go (--web.listen-address default 0.0.0.0:9090)`),
    healthPath: fact("/-/healthy", `${P}:web/web.go`),
    /** The image's config folder; mounted as a folder so a rewritten file (new inode) is seen. */
    configDir: fact("/etc/prometheus", `${P}:Dockerfile (COPY documentation/examples/prometheus.yml /etc/prometheus/)`),
    dataDir: fact("/prometheus", `${P}:Dockerfile (WORKDIR /prometheus, VOLUME)`),
    imageHasWget: fact(true, `${P}:Dockerfile (FROM quay.io/prometheus/busybox: wget for the health check)`),
    /** Scrape params are shown in /api/v1/targets (scrapeUrl) and on /config: never put a secret in them. */
    paramsVisibleInUi: fact(true, `${P}:web/api/v1/api.go (ScrapeURL: target.URL().String(), built from __param_* labels)`),
    promtoolCheck: fact("promtool check config", `${P}:cmd/promtool/main.go`),
  },
} as const satisfies PinnedProgram;
