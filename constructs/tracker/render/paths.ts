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

/** prometheus.yml (no secret in it): its folder is mounted, so a rewritten file is seen. */
export const PROMETHEUS_ETC = `${ETC}/prometheus`;
export const PROMETHEUS_CONFIG = `${PROMETHEUS_ETC}/prometheus.yml`;
export const PROMETHEUS_STATE = `${STORAGE}/prometheus`;
export const PROMETHEUS_DATA = `${PROMETHEUS_STATE}/data`;

/** json_exporter's config (series mapping; no secret in it), folder mounted. */
export const JSON_EXPORTER_ETC = `${ETC}/json-exporter`;
export const JSON_EXPORTER_CONFIG = `${JSON_EXPORTER_ETC}/config.yml`;

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
  /** Folder mounted into Grafana (0500, Grafana's uid): the password file GF_SECURITY_ADMIN_PASSWORD__FILE names. */
  grafanaDir: `${SECRETS}/grafana`,
  /** Folder mounted into the stats relay (0500, its uid): its Caddyfile with the token. */
  statsRelayDir: `${SECRETS}/stats-relay`,
} as const;

/** Where the per-service secret folders appear inside their containers. */
export const CONTAINER_SECRETS = {
  grafanaPasswordFile: "/run/secrets/grafana/admin-password",
  grafanaDir: "/run/secrets/grafana",
  statsRelayDir: "/run/secrets/stats-relay",
  statsRelayConf: "/run/secrets/stats-relay/Caddyfile",
} as const;

/** Generated scripts. */
export const BOOTSTRAP_SCRIPT = `${BIN}/bootstrap.sh`;
export const PROXY_BOOTSTRAP_SCRIPT = `${BIN}/proxy-bootstrap.sh`;
export const NET_TUNING_SCRIPT = `${BIN}/net-tuning.sh`;
/** Where bootstrap remembers the volume device it was given, for re-runs without an argument. */
export const VOLUME_DEVICE_FILE = `${ETC}/volume-device`;

/**
 * Numeric ids the containers run as (owners of their files on the volume). Each service has its
 * own, none is a host account: the admin user cloud-init creates is 1000, system users are below
 * 1000 and 65534 is the host's nobody. The tracker's entrypoint needs USER_ID >= 1000.
 */
export const CONTAINER_UIDS = {
  tracker: 10000,
  prometheus: 10001,
  jsonExporter: 10002,
  statsRelay: 10003,
  hello: 10004,
  /** grafana/grafana's own user (GF_UID); files under /usr/share/grafana expect it. */
  grafana: 472,
} as const;

/** The compose project name. */
export const COMPOSE_PROJECT = "torrust";
/** Named in every generated file's provenance comment. */
export const GENERATOR = "torrust-tracker-cdktf constructs/tracker/render";
