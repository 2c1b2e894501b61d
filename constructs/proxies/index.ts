// The TLS proxy plug-ins and their registry. A fourth proxy is one folder here, one line in
// PROXIES and its kind in PROXY_KINDS (constructs/deployment/schema.ts); see README.md.
import type { ProxyKind } from "../deployment/schema";
import type { ProxyPlugin } from "../edge/types";
import { caddyPlugin } from "./caddy";
import { nginxCertbotPlugin } from "./nginx-certbot";
import { pingooPlugin } from "./pingoo";

export * from "./caddy";
export * from "./nginx-certbot";
export * from "./pingoo";

/** Every proxy the deployment file's proxy.kind can name. */
export const PROXIES: Readonly<Record<ProxyKind, ProxyPlugin>> = Object.freeze({
  caddy: caddyPlugin,
  "nginx-certbot": nginxCertbotPlugin,
  pingoo: pingooPlugin,
});

/** The plug-in for a proxy kind. */
export function proxyPlugin(kind: ProxyKind): ProxyPlugin {
  const plugin = (PROXIES as Record<string, ProxyPlugin | undefined>)[kind];
  if (!plugin) throw new Error(`unknown proxy kind "${kind}": expected one of ${Object.keys(PROXIES).join(", ")}`);
  return plugin;
}
