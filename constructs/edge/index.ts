export * from "./types";
export * from "./context";
export * from "./rules";
