// A representative deployment (the example file's shape), its edge context, and a minimal proxy
// plug-in rendering that stands in for the real plug-ins (named as such).
import { DeploymentSchema, type Deployment, type DeploymentInput } from "../../constructs/deployment/schema";
import { buildEdgeContext } from "../../constructs/edge/context";
import { validateDeployment } from "../../constructs/plan/validate";
import type { EdgeContext, ProxyCapabilities, ProxyRendering } from "../../constructs/edge/types";
import { nginxCertbotPlugin } from "../../constructs/proxies/nginx-certbot";

export const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmVs+9pPbUihLPBUxQxVoWyo0klTsdBl6118CD0DBMu admin@example.com";
/** The tracker image's default admin token: must never appear in anything we generate. */
export const DEFAULT_TRACKER_TOKEN = "MyAccessToken";

export function deployment(overrides: Partial<DeploymentInput> = {}): Deployment {
  const d = DeploymentSchema.parse({
    name: "example",
    domain: "example.com",
    cloudflare: { zoneId: "0123456789abcdef0123456789abcdef" },
    admin: { username: "torrust", sshKeys: [{ name: "admin", publicKey: SSH_KEY }] },
    acme: { email: "admin@example.com" },
    tracker: {
      httpTrackers: [{ subdomain: "http1", port: 7070 }],
      udpTrackers: [{ subdomain: "udp1", port: 6969 }],
    },
    helloWorld: { subdomain: "test" },
    ...overrides,
  });
  return validateDeployment(d, { source: "fixture" }).deployment;
}

/** Capabilities of a host proxy that cannot serve files (so the hello container is used): nginx's, minus files. */
export const FIXTURE_CAPABILITIES: ProxyCapabilities = {
  ...nginxCertbotPlugin.capabilities,
  acmeChallenges: ["http-01", "tls-alpn-01"],
  staticFiles: false,
  offlineValidator: undefined,
};

export function edge(d: Deployment, capabilities: ProxyCapabilities = FIXTURE_CAPABILITIES, acmeCaRootPem?: string): EdgeContext {
  return buildEdgeContext(d, { capabilities, kind: "fixture", acmeCaRootPem });
}

/** A stand-in proxy rendering (not a real proxy): one config file, one package, one bootstrap command. */
export function fixtureProxy(ctx: EdgeContext): ProxyRendering {
  const config = ctx.sites.map((s) => `${s.hostname} -> ${s.upstream ? `${s.upstream.host}:${s.upstream.port}` : "static"}`).join("\n") + "\n";
  return {
    files: [{ path: "/opt/torrust/proxy/fixture/sites.conf", content: config, permissions: "0644" }],
    configPaths: ["/opt/torrust/proxy/fixture/sites.conf"],
    composeServices: {},
    packages: ["caddy"],
    bootstrap: [`mkdir -p ${ctx.stateDir}`, `echo fixture-proxy-bootstrap > ${ctx.stateDir}/ran`],
  };
}

/** A Terraform-token-like placeholder, as cdktf renders an unresolved volume device. */
export const VOLUME_TOKEN = "${TfToken[TOKEN.42]}";
