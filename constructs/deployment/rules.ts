// Cross-field rules of a deployment that no single field can check. Proxy-specific rules
// (capabilities against needs) live in constructs/edge/rules.ts.
import { formatPath as pathText, type DeploymentIssue } from "./errors";
import type { Deployment } from "./schema";

/** Ports the host already uses: the proxy (host network), SSH and the internal services. */
export const RESERVED_TCP_PORTS: Readonly<Record<number, string>> = {
  22: "SSH",
  80: "the TLS proxy (HTTP)",
  443: "the TLS proxy (HTTPS)",
  1313: "the tracker's health-check API",
  3000: "Grafana",
  9090: "Prometheus",
};
export const RESERVED_UDP_PORTS: Readonly<Record<number, string>> = { 443: "HTTP/3 on the TLS proxy" };

/** Server-type families that Hetzner sells only in its EU locations. */
const EU_ONLY_FAMILIES = ["cx", "cax"];
const EU_LOCATIONS = ["fsn1", "nbg1", "hel1"];

/** A subdomain the deployment serves, with the field that defines it. */
export interface HostUse {
  readonly subdomain: string;
  readonly path: readonly (string | number)[];
  readonly role: "hello" | "api" | "http-tracker" | "udp-tracker" | "grafana";
}

/** Every hostname label the deployment defines, in file order. */
export function hostUses(d: Deployment): HostUse[] {
  const uses: HostUse[] = [];
  if (d.helloWorld) uses.push({ subdomain: d.helloWorld.subdomain, path: ["helloWorld", "subdomain"], role: "hello" });
  uses.push({ subdomain: d.tracker.api.subdomain, path: ["tracker", "api", "subdomain"], role: "api" });
  d.tracker.httpTrackers.forEach((t, i) =>
    uses.push({ subdomain: t.subdomain, path: ["tracker", "httpTrackers", i, "subdomain"], role: "http-tracker" }),
  );
  d.tracker.udpTrackers.forEach((t, i) =>
    uses.push({ subdomain: t.subdomain, path: ["tracker", "udpTrackers", i, "subdomain"], role: "udp-tracker" }),
  );
  uses.push({ subdomain: d.grafana.subdomain, path: ["grafana", "subdomain"], role: "grafana" });
  return uses;
}

/** Checks the rules that span several fields. Returns every problem found (empty = valid). */
export function checkDeploymentRules(d: Deployment): DeploymentIssue[] {
  const issues: DeploymentIssue[] = [];
  const uses = hostUses(d);

  // Hostnames: each service gets its own name.
  const seen = new Map<string, HostUse>();
  for (const use of uses) {
    const first = seen.get(use.subdomain);
    if (first) {
      issues.push({
        path: use.path,
        value: use.subdomain,
        message: `subdomain is already used by ${pathText(first.path)}; every service needs its own hostname`,
      });
    } else seen.set(use.subdomain, use);
  }

  // TCP ports published on 127.0.0.1 must not clash with each other or with the host's own.
  const tcp: { port: number; path: (string | number)[] }[] = [
    { port: d.tracker.api.port, path: ["tracker", "api", "port"] },
    ...d.tracker.httpTrackers.map((t, i) => ({ port: t.port, path: ["tracker", "httpTrackers", i, "port"] })),
  ];
  checkPorts(tcp, RESERVED_TCP_PORTS, "TCP", issues);
  const udp = d.tracker.udpTrackers.map((t, i) => ({ port: t.port, path: ["tracker", "udpTrackers", i, "port"] }));
  checkPorts(udp, RESERVED_UDP_PORTS, "UDP", issues);

  // on_reverse_proxy is global in the tracker: all HTTP trackers behind the proxy or none.
  const http = d.tracker.httpTrackers;
  if (http.length > 1 && new Set(http.map((t) => t.viaProxy)).size > 1) {
    http.forEach((t, i) => {
      if (t.viaProxy !== http[0].viaProxy) {
        issues.push({
          path: ["tracker", "httpTrackers", i, "viaProxy"],
          value: t.viaProxy,
          allowed: String(http[0].viaProxy),
          message:
            "all HTTP trackers must be behind the proxy or none: the tracker's on_reverse_proxy setting is global " +
            "(torrust/torrust-tracker#1640), so a direct tracker would reject every announce or record the proxy as every peer",
        });
      }
    });
  }

  // Cloudflare proxying: only names we define, never tracker names.
  const proxied = d.cloudflare.proxiedSubdomains;
  const defined = uses.map((u) => u.subdomain);
  proxied.forEach((sub, i) => {
    const path = ["cloudflare", "proxiedSubdomains", i];
    const use = uses.find((u) => u.subdomain === sub);
    if (proxied.indexOf(sub) !== i) {
      issues.push({ path, value: sub, message: "is listed twice" });
    } else if (!use) {
      issues.push({ path, value: sub, allowed: defined.join(", "), message: "is not a subdomain of this deployment" });
    } else if (use.role === "udp-tracker") {
      issues.push({
        path,
        value: sub,
        message: `is the UDP tracker ${pathText(use.path)}: Cloudflare's proxy carries no UDP tracker traffic; keep it DNS-only`,
      });
    } else if (use.role === "http-tracker") {
      issues.push({
        path,
        value: sub,
        message: `is the HTTP tracker ${pathText(use.path)}: behind Cloudflare's proxy every peer would be recorded with a Cloudflare address; keep tracker hostnames DNS-only`,
      });
    }
  });

  // ACME: one directory.
  if (d.acme.staging && d.acme.directoryUrl) {
    issues.push({
      path: ["acme", "staging"],
      value: true,
      message: "staging and directoryUrl both choose the ACME directory; set only one",
    });
  }
  if (d.acme.caRootFile && !d.acme.directoryUrl) {
    issues.push({
      path: ["acme", "caRootFile"],
      value: d.acme.caRootFile,
      message: "a CA root is only used with acme.directoryUrl (a test CA); Let's Encrypt needs none",
    });
  }

  // Hetzner: cost-optimised and Arm families exist only in the EU.
  const family = /^[a-z]+/.exec(d.hetzner.serverType)?.[0] ?? "";
  if (EU_ONLY_FAMILIES.includes(family) && !EU_LOCATIONS.includes(d.hetzner.location)) {
    issues.push({
      path: ["hetzner", "serverType"],
      value: d.hetzner.serverType,
      allowed: `ccx.. or cpx.. types in ${d.hetzner.location}, or location ${EU_LOCATIONS.join("/")}`,
      message: `${family.toUpperCase()} servers are sold only in ${EU_LOCATIONS.join(", ")} (Hetzner answers "unsupported location for server type")`,
    });
  }

  // SSH keys: Hetzner key names and keys are unique per project.
  const keyNames = new Set<string>();
  const keyBlobs = new Set<string>();
  d.admin.sshKeys.forEach((k, i) => {
    if (keyNames.has(k.name)) {
      issues.push({ path: ["admin", "sshKeys", i, "name"], value: k.name, message: "is used by another key" });
    }
    const blob = k.publicKey.trim().split(/\s+/)[1];
    if (keyBlobs.has(blob)) {
      issues.push({ path: ["admin", "sshKeys", i, "publicKey"], value: k.publicKey, message: "is the same key as another entry" });
    }
    keyNames.add(k.name);
    keyBlobs.add(blob);
  });

  return issues;
}

function checkPorts(
  ports: { port: number; path: (string | number)[] }[],
  reserved: Readonly<Record<number, string>>,
  proto: string,
  issues: DeploymentIssue[],
): void {
  ports.forEach((p, i) => {
    const clash = ports.findIndex((q) => q.port === p.port);
    if (clash < i) {
      issues.push({ path: p.path, value: p.port, message: `${proto} port is already used by ${pathText(ports[clash].path)}` });
    } else if (reserved[p.port]) {
      issues.push({
        path: p.path,
        value: p.port,
        allowed: `any ${proto} port except ${Object.keys(reserved).join(", ")}`,
        message: `${proto} port ${p.port} is taken by ${reserved[p.port]}`,
      });
    }
  });
}
