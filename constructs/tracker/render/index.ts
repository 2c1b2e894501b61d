export * from "./paths";
export * from "./toml";
export * from "./tracker-toml";
export * from "./compose";
export * from "./prometheus";
export * from "./grafana";
export * from "./host-files";
export * from "./bootstrap";
