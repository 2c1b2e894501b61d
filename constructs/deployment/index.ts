export * from "./schema";
export * from "./errors";
export * from "./load";
export { checkDeploymentRules, hostUses, type HostUse, RESERVED_TCP_PORTS, RESERVED_UDP_PORTS } from "./rules";
