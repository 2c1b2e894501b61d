export * from "./layout";
export * from "./render";
export * from "./user-data";
export * from "./tracker-deployment";
