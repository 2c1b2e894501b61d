export * from "./rendered-file";
export * from "./cloud-config";
