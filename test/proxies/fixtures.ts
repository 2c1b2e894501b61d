// Hand-built deployments and edge contexts for the proxy tests (no file loading, no cdktf).
import { DeploymentSchema, type Deployment, type DeploymentInput, type ProxyKind } from "../../constructs/deployment/schema";
import { buildEdgeContext, type EdgeContext } from "../../constructs/edge";
import { PROXIES } from "../../constructs/proxies";

const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJz3c3Ydc6dGdxZQ2lLyrUU1nBDhR0tJ4ybQ7qjjNmJn operator@example";

/** The evaluation's deployment: hello page, api, one HTTP tracker, Grafana with Live, IPv6, HSTS. */
export const BASE_INPUT: DeploymentInput = {
  name: "example",
  domain: "example.com",
  cloudflare: { zoneId: "0123456789abcdef0123456789abcdef" },
  admin: { sshKeys: [{ name: "admin", publicKey: PUBLIC_KEY }] },
  acme: { email: "admin@example.com" },
  helloWorld: { subdomain: "test" },
};

/** Pebble as the rehearsal runs it. */
export const PEBBLE_DIRECTORY = "https://127.0.0.1:14000/dir";

/** A deployment from BASE_INPUT with top-level sections replaced. */
export function deployment(overrides: Partial<DeploymentInput> = {}): Deployment {
  return DeploymentSchema.parse({ ...BASE_INPUT, ...overrides });
}

export interface ContextOptions {
  readonly deployment?: Deployment;
  /** PEM of the ACME server's HTTPS CA (test CAs). */
  readonly acmeCaRootPem?: string;
}

/** The edge context a proxy renders from, as TrackerDeployment builds it. */
export function edgeContext(kind: ProxyKind, options: ContextOptions = {}): EdgeContext {
  const plugin = PROXIES[kind];
  return buildEdgeContext(options.deployment ?? deployment(), {
    capabilities: plugin.capabilities,
    kind: plugin.kind,
    acmeCaRootPem: options.acmeCaRootPem,
  });
}

/** A deployment against Pebble: directory override, CA root, no email, two HTTP trackers, no IPv6. */
export function pebbleDeployment(): Deployment {
  return deployment({
    domain: "example.test",
    hetzner: { ipv6: false },
    acme: { directoryUrl: PEBBLE_DIRECTORY, caRootFile: "pebble-ca.pem" },
    tracker: {
      httpTrackers: [
        { subdomain: "http1", port: 7070 },
        { subdomain: "http2", port: 7071 },
      ],
    },
  });
}
