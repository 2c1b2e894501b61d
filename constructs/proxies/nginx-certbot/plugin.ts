// nginx + certbot from the distribution, on the host: generated server blocks, a two-phase
// bootstrap for the first certificate, certbot.timer + a deploy hook for renewals.
import type { RenderedFile } from "../../cloud-init/rendered-file";
import type { EdgeContext, ProxyPlugin, ProxyRendering } from "../../edge/types";
import { CERTBOT, NGINX } from "../../versions";
import { NGINX_CERTBOT_PATHS as P } from "./paths";
import { BootstrapScript, BootstrapUnit, CertbotCaDropIn, DeployHook, NginxStorageDropIn, RenewScript } from "./scripts";
import { NginxHttpSite, NginxTlsSite } from "./sites";

const unitName = P.bootstrapUnit.split("/").pop()!;

function render(ctx: EdgeContext): ProxyRendering {
  const servesHello = ctx.sites.some((s) => s.role === "hello" && !s.upstream);
  const testCa = ctx.acme.caRootPem !== undefined;
  const files: RenderedFile[] = [
    { path: P.httpSite, content: new NginxHttpSite(ctx).render(), permissions: "0644" },
    { path: P.tlsSite, content: new NginxTlsSite(ctx).render(), permissions: "0644" },
    ...(servesHello && ctx.helloPage !== undefined
      ? [{ path: `${P.helloRoot}/index.html`, content: ctx.helloPage, permissions: "0644" }]
      : []),
    { path: P.bootstrap, content: new BootstrapScript(ctx).render(), permissions: "0755" },
    { path: P.renew, content: new RenewScript(ctx).render(), permissions: "0755" },
    { path: P.deployHook, content: new DeployHook().render(), permissions: "0755" },
    { path: P.bootstrapUnit, content: new BootstrapUnit(ctx).render(), permissions: "0644" },
    { path: P.nginxDropIn, content: new NginxStorageDropIn(ctx).render(), permissions: "0644" },
    // The test CA's root itself (ctx.acme.caRootPath) is written by the cloud-config.
    ...(testCa ? [{ path: P.certbotDropIn, content: new CertbotCaDropIn(ctx).render(), permissions: "0644" }] : []),
  ];
  return {
    files,
    configPaths: [P.httpSite, P.tlsSite],
    composeServices: {},
    packages: ["nginx", "certbot"],
    // The bootstrap retries until the CA answers, so it runs as a unit in the background, not in cloud-init.
    bootstrap: ["systemctl daemon-reload", `systemctl enable ${unitName}`, `systemctl start --no-block ${unitName}`],
  };
}

/** nginx and certbot from Ubuntu 24.04's packages (nginx 1.24, certbot 2.9.0). */
export const nginxCertbotPlugin: ProxyPlugin = {
  kind: "nginx-certbot",
  title: "nginx + certbot",
  version: `Ubuntu 24.04 packages (nginx ${NGINX.version.replace(/\.0$/, "")}, certbot ${CERTBOT.version})`,
  // The listen directives of sites.ts; nginx 1.24 here has no HTTP/3 (no `listen ... quic`), so no UDP.
  hostPorts: [
    { protocol: "tcp", port: 80, address: "*", public: true, purpose: "HTTP: HTTP-01 challenges (first certificate and every renewal) and the redirect" },
    { protocol: "tcp", port: 443, address: "*", public: true, purpose: "HTTPS" },
  ],
  capabilities: {
    websocket: true,
    httpToHttpsRedirect: true,
    acmeChallenges: ["http-01"],
    tlsVersions: ["1.2", "1.3"],
    ipv6Listeners: true,
    acmeContactEmail: true,
    postQuantumKeyExchange: false,
    clientIpInXForwardedFor: true,
    hstsHeader: true,
    lenientClientRequests: true,
    staticFiles: true,
    offlineValidator: "nginx -t",
  },
  notes: {
    postQuantumKeyExchange: "needs OpenSSL 3.5 or newer for X25519MLKEM768 and Ubuntu 24.04 ships OpenSSL 3.0",
    acmeChallenges: "validates with HTTP-01 only (certbot --webroot), so port 80 stays open",
  },
  render,
};
