export * from "./zone";
export * from "./dns-record";
