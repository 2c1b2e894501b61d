export * from "./schema";
export * from "./errors";
export * from "./load";
export { checkDeploymentRules } from "./rules";
export { schemaIssues } from "./schema-issues";
