export * from "./types";
export * from "./compose-file";
