// Server paths of the tracker stack, derived from layout.ts, and the ids of the container users.
import { BIN, ETC, SECRETS, STORAGE } from "../layout";

/** Generated tracker.toml; bootstrap copies it to TRACKER_STATE/etc, which the container mounts. */
export const TRACKER_TOML_SOURCE = `${ETC}/tracker/tracker.toml`;
/** The tracker's state on the volume: etc/ (config), lib/ (database), log/. */
export const TRACKER_STATE = `${STORAGE}/tracker`;
/** Paths inside the tracker container. */
export const TRACKER_CONTAINER = {
  etc: "/etc/torrust/tracker",
  lib: "/var/lib/torrust/tracker",
  log: "/var/log/torrust/tracker",
  toml: "/etc/torrust/tracker/tracker.toml",
  sqlite: "/var/lib/torrust/tracker/database/sqlite3.db",
} as const;

/** prometheus.yml with a token placeholder; bootstrap renders PROMETHEUS_CONFIG from it. */
export const PROMETHEUS_TEMPLATE = `${ETC}/prometheus/prometheus.yml.tmpl`;
export const PROMETHEUS_STATE = `${STORAGE}/prometheus`;
/** Rendered prometheus.yml (holds the admin token): owned by the container user, mode 0400. */
export const PROMETHEUS_CONFIG = `${PROMETHEUS_STATE}/config/prometheus.yml`;
export const PROMETHEUS_DATA = `${PROMETHEUS_STATE}/data`;

/** Grafana provisioning (mounted read-only). */
export const GRAFANA_PROVISIONING = `${ETC}/grafana/provisioning`;
export const GRAFANA_DATASOURCE = `${GRAFANA_PROVISIONING}/datasources/prometheus.yaml`;
export const GRAFANA_DATA = `${STORAGE}/grafana/data`;

/** Document root of the static hello container. */
export const HELLO_ROOT = `${ETC}/hello`;

/** Secrets generated on the server at first boot (never in user_data). */
export const SECRET_FILES = {
  trackerAdminToken: `${SECRETS}/tracker-admin-token`,
  grafanaAdminPassword: `${SECRETS}/grafana-admin-password`,
  /** env_file of the tracker service: the admin token override only. */
  trackerEnv: `${SECRETS}/tracker.env`,
  /** env_file of the grafana service: the admin password only. */
  grafanaEnv: `${SECRETS}/grafana.env`,
} as const;

/** Generated scripts. */
export const BOOTSTRAP_SCRIPT = `${BIN}/bootstrap.sh`;
export const PROXY_BOOTSTRAP_SCRIPT = `${BIN}/proxy-bootstrap.sh`;
export const NET_TUNING_SCRIPT = `${BIN}/net-tuning.sh`;
/** Where bootstrap remembers the volume device it was given, for re-runs without an argument. */
export const VOLUME_DEVICE_FILE = `${ETC}/volume-device`;

/** Numeric ids the containers run as (owners of their directories on the volume). */
export const CONTAINER_UIDS = {
  /** USER_ID of the tracker image's entrypoint (deployer value). */
  tracker: 1000,
  /** grafana/grafana. */
  grafana: 472,
  /** prom/prometheus runs as nobody. */
  prometheus: 65534,
  /** busybox httpd of the hello container. */
  hello: 65534,
} as const;

/** The compose project name. */
export const COMPOSE_PROJECT = "torrust";
/** Named in every generated file's provenance comment. */
export const GENERATOR = "torrust-tracker-cdktf constructs/tracker/render";
