// The EdgeContext is a view of the deployment plan (constructs/plan/): this module keeps the
// names existing callers import.
import type { Deployment } from "../deployment/schema";
import { planDeployment } from "../plan/plan";
import type { EdgeContext, ProxyCapabilities, ProxyHostPort } from "./types";

export {
  ACME_CA_ROOT_PATH,
  GRAFANA_PORT,
  HELLO_UPSTREAM_PORT,
  LETS_ENCRYPT_DIRECTORY,
  LETS_ENCRYPT_STAGING_DIRECTORY,
  helloPage,
} from "../plan/edge-view";

export interface EdgeContextOptions {
  /** PEM read from acme.caRootFile. */
  readonly acmeCaRootPem?: string;
  /** Capabilities of the chosen proxy (decides whether the hello page needs its own container). */
  readonly capabilities: ProxyCapabilities;
  /** The proxy kind, for its state directory on the volume. */
  readonly kind: string;
  /** The proxy's host sockets; @default none */
  readonly hostPorts?: readonly ProxyHostPort[];
}

/** The plan's edge view for a proxy given by its capabilities: `planDeployment(d, ...).edge`. */
export function buildEdgeContext(d: Deployment, options: EdgeContextOptions): EdgeContext {
  const proxy = { kind: options.kind, title: options.kind, capabilities: options.capabilities, hostPorts: options.hostPorts ?? [] };
  return planDeployment(d, { proxy, acmeCaRootPem: options.acmeCaRootPem }).edge;
}
