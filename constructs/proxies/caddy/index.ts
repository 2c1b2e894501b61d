export * from "./caddyfile";
export * from "./plugin";
