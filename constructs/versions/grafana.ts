// grafana/grafana: the pinned image and what the renderers rely on.
import { fact, type PinnedProgram } from "./types";

export const GRAFANA = {
  program: "Grafana",
  version: "12.4.2",
  artifact: "grafana/grafana:12.4.2",
  reviewedVersion: "12.4.2",
  facts: {
    port: fact(3000, "grafana/grafana:conf/defaults.ini (http_port = 3000; read at commit of the stored 12.x main branch, not at the v12.4.2 tag)"),
    uid: fact(472, "grafana/grafana:Dockerfile (ARG GF_UID=\"472\", GF_GID=\"0\"; read at commit of the stored 12.x main branch, not at the v12.4.2 tag)"),
    /**
     * The image's entrypoint turns every GF_*__FILE variable into GF_* from the file's content
     * (trailing newline dropped by $(cat)) and refuses both set at once.
     */
    envFileSuffix: fact(
      "__FILE",
      "grafana/grafana:packaging/docker/run.sh (\"Convert all environment variables with names ending in __FILE\"; read at commit 0775453, the 12.x line)",
    ),
    adminPasswordEnv: fact("GF_SECURITY_ADMIN_PASSWORD", "grafana/grafana:conf/defaults.ini ([security] admin_password; env override GF_<SECTION>_<KEY>; read at commit of the stored 12.x main branch)"),
    provisioningDir: fact("/etc/grafana/provisioning", "grafana/grafana:Dockerfile (GF_PATHS_PROVISIONING; read at commit of the stored 12.x main branch)"),
    dataDir: fact("/var/lib/grafana", "grafana/grafana:Dockerfile (GF_PATHS_DATA; read at commit of the stored 12.x main branch)"),
  },
} as const satisfies PinnedProgram;
