// Compares what the deployment's services need with what the chosen proxy can do.
// Errors say what breaks, why, and how to fix it; warnings are advice printed at synth.
import type { DeploymentIssue } from "../deployment/errors";
import { PROXY_KINDS, type Deployment } from "../deployment/schema";
import { unreviewedImageWarnings } from "../versions";
import type { EdgeContext, ProxyPlugin } from "./types";

export interface EdgeCheck {
  readonly errors: DeploymentIssue[];
  readonly warnings: string[];
}


export function checkEdge(d: Deployment, ctx: EdgeContext, plugin: ProxyPlugin, others: readonly ProxyPlugin[]): EdgeCheck {
  const errors: DeploymentIssue[] = [];
  const warnings: string[] = [];
  const cap = plugin.capabilities;
  const kind = plugin.kind;
  const alternatives = (pred: (p: ProxyPlugin) => boolean) =>
    others.filter((p) => p.kind !== kind && pred(p) && (PROXY_KINDS as readonly string[]).includes(p.kind)).map((p) => `"${p.kind}"`);

  for (const site of ctx.sites) {
    if (site.needs.websocket && !cap.websocket) {
      errors.push({
        path: ["proxy", "kind"],
        value: kind,
        allowed: [...alternatives((p) => p.capabilities.websocket)].join(", "),
        message:
          `${plugin.title} cannot serve ${site.hostname} with grafana.live: true: Grafana Live needs a WebSocket at /api/live/ws ` +
          `and ${plugin.title} ${plugin.notes?.websocket ?? "does not pass WebSocket upgrades"}. ` +
          `Fix: use proxy.kind ${alternatives((p) => p.capabilities.websocket).join(" or ")}, or set grafana.live: false`,
      });
    }
    if (site.needs.clientIpInXForwardedFor && !cap.clientIpInXForwardedFor) {
      errors.push({
        path: ["proxy", "kind"],
        value: kind,
        message: `${plugin.title} does not put the client address in X-Forwarded-For, which the HTTP tracker at ${site.hostname} needs to record peers`,
      });
    }
    if (site.cloudflareProxied) {
      const path = ["cloudflare", "proxiedSubdomains", d.cloudflare.proxiedSubdomains.indexOf(site.hostname.split(".")[0])];
      if (!cap.acmeChallenges.includes("http-01")) {
        errors.push({
          path,
          value: site.hostname.split(".")[0],
          message:
            `${plugin.title} validates certificates only with ${cap.acmeChallenges.join("/").toUpperCase()}, which cannot pass Cloudflare's proxy ` +
            `(Cloudflare terminates TLS on :443). Fix: keep ${site.hostname} DNS-only, or use proxy.kind ${alternatives((p) => p.capabilities.acmeChallenges.includes("http-01")).join(" or ")}`,
        });
      } else {
        warnings.push(
          `${site.hostname} is proxied by Cloudflare: the first certificate and every renewal depend on Cloudflare passing ` +
            `http://${site.hostname}/.well-known/acme-challenge/ to the server (turn off "Always Use HTTPS" until the first certificate exists).`,
        );
      }
    }
  }

  if (!d.grafana.live && !cap.websocket) {
    warnings.push(
      `grafana.live is false, so Grafana Live is switched off (GF_LIVE_MAX_CONNECTIONS=0): dashboards refresh by polling because ${plugin.title} ${plugin.notes?.websocket ?? "cannot pass WebSockets"}.`,
    );
  }
  if (!cap.httpToHttpsRedirect) {
    warnings.push(
      `${plugin.title} has no HTTP→HTTPS redirect${plugin.notes?.httpToHttpsRedirect ? ` (${plugin.notes.httpToHttpsRedirect})` : ""}: ` +
        `port 80 stays closed in the firewall${cap.acmeChallenges.includes("http-01") ? "" : " because no site needs it"}, so http:// URLs do not answer.`,
    );
  }
  if (d.hetzner.ipv6 && !cap.ipv6Listeners) {
    warnings.push(
      `${plugin.title} cannot listen on IPv6${plugin.notes?.ipv6Listeners ? ` (${plugin.notes.ipv6Listeners})` : ""}: ` +
        "HTTPS hostnames get A records only; the UDP tracker hostnames keep their AAAA records.",
    );
  }
  if (d.acme.email && !cap.acmeContactEmail) {
    warnings.push(`${plugin.title} has no ACME contact email: acme.email is not used and no expiry notices will be sent.`);
  }
  if (d.proxy.hsts && !cap.hstsHeader) {
    warnings.push(
      `${plugin.title} cannot send Strict-Transport-Security${plugin.notes?.hstsHeader ? ` (${plugin.notes.hstsHeader})` : ""}: proxy.hsts has no effect.`,
    );
  }
  const trackers = ctx.sites.filter((s) => s.role === "http-tracker").map((s) => s.hostname);
  if (trackers.length && !cap.lenientClientRequests) {
    warnings.push(
      `${plugin.title} ${plugin.notes?.lenientClientRequests ?? "refuses some requests BitTorrent clients send"}: ` +
        `clients that announce that way to ${trackers.join(", ")} fail. Choose proxy.kind ${alternatives((p) => p.capabilities.lenientClientRequests).join(" or ")} if that matters.`,
    );
  }
  warnings.push(...unreviewedImageWarnings(d));
  if (!cap.tlsVersions.includes("1.2")) {
    warnings.push(`${plugin.title} offers TLS ${cap.tlsVersions.join(" and ")} only: clients limited to TLS 1.2 cannot connect.`);
  }
  return { errors, warnings };
}
