export * from "./types";
export * from "./plan";
export * from "./validate";
export {
  ACME_CA_ROOT_PATH,
  HEALTH_CHECK_API_PORT,
  KNOWN_CAA_IDENTITIES,
  PROMETHEUS_PORT,
} from "./edge-view";
