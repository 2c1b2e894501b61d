export * from "./pingoo-config";
export * from "./plugin";
export * from "./schema";
