export * from "./paths";
export * from "./plugin";
export * from "./scripts";
export * from "./sites";
export * from "./syntax";
