// Where things live on the server. One place, so renderers, scripts and the rehearsal agree.

/** The compose project and everything generated. */
export const ROOT = "/opt/torrust";
/** Mount point of the Hetzner data volume: all state lives here. */
export const STORAGE = `${ROOT}/storage`;
/** Generated scripts. */
export const BIN = `${ROOT}/bin`;
/** Generated configuration of the tracker stack (read-only mounts). */
export const ETC = `${ROOT}/etc`;
/** Generated proxy configuration (per proxy kind: `${PROXY_ETC}/<kind>/`). */
export const PROXY_ETC = `${ROOT}/proxy`;
/** Proxy state (certificates, ACME account) on the volume: `${PROXY_STATE}/<kind>/`. */
export const PROXY_STATE = `${STORAGE}/proxy`;
/** Secrets generated on the server at first boot (0700 dir, 0600 files). Never in user_data. */
export const SECRETS = `${STORAGE}/secrets`;
/** The compose file. */
export const COMPOSE_FILE = `${ROOT}/compose.yaml`;
/** Env file with the secrets, generated at first boot and read by compose services. */
export const SECRETS_ENV = `${SECRETS}/secrets.env`;
