// Cross-field rules of a deployment that no single field can check, run on the deployment plan
// (schema → plan → rules). Clashes found while deriving (ports, hostnames, service limits) are the
// plan's own problems; proxy-specific rules (capabilities against needs) live in constructs/edge/rules.ts.
import { Location } from "../hcloud/location";
import { ServerType } from "../hcloud/server-type";
import type { DeploymentPlan } from "../plan/types";
import { formatPath as pathText, type DeploymentIssue } from "./errors";
import type { Deployment } from "./schema";

/** Checks the rules that span several fields. Returns every problem found (empty = valid). */
export function checkDeploymentRules(d: Deployment, plan: DeploymentPlan): DeploymentIssue[] {
  const issues: DeploymentIssue[] = [];
  const named = plan.services.filter((s) => s.subdomain !== undefined);

  // Grafana's only datasource is Prometheus.
  if (d.grafana.enabled && !d.prometheus.enabled) {
    issues.push({
      path: ["grafana", "enabled"],
      value: true,
      allowed: "false while prometheus.enabled is false",
      message: "Grafana without Prometheus has no data: its only datasource is the stack's Prometheus. Set grafana.enabled: false, or enable Prometheus",
    });
  }

  // SSH: the admin must be able to reach port 22.
  const ipv4Ssh = d.admin.sshAllowedCidrs.some((c) => !c.includes(":"));
  if (!d.hetzner.ipv6 && !ipv4Ssh) {
    issues.push({
      path: ["admin", "sshAllowedCidrs"],
      value: d.admin.sshAllowedCidrs,
      allowed: "at least one IPv4 network while hetzner.ipv6 is false",
      message: "only IPv6 networks may reach SSH but the server has no IPv6 address (hetzner.ipv6: false): nobody could log in",
    });
  }

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
  const defined = [...new Set(named.map((u) => u.subdomain!))];
  proxied.forEach((sub, i) => {
    const path = ["cloudflare", "proxiedSubdomains", i];
    const uses = named.filter((u) => u.subdomain === sub);
    const udp = uses.find((u) => u.role === "udp-tracker");
    const http = uses.find((u) => u.role === "http-tracker");
    if (proxied.indexOf(sub) !== i) {
      issues.push({ path, value: sub, message: "is listed twice" });
    } else if (uses.length === 0) {
      issues.push({ path, value: sub, allowed: defined.join(", "), message: "is not a subdomain of this deployment" });
    } else if (udp) {
      issues.push({
        path,
        value: sub,
        message: `is the UDP tracker ${pathText(udp.configPath)}: Cloudflare's proxy carries no UDP tracker traffic; keep it DNS-only`,
      });
    } else if (http) {
      issues.push({
        path,
        value: sub,
        message: `is the HTTP tracker ${pathText(http.configPath)}: behind Cloudflare's proxy every peer would be recorded with a Cloudflare address; keep tracker hostnames DNS-only`,
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

  // Hetzner: cost-optimised and Arm families exist only in the EU (the hcloud module's facts).
  const type = ServerType.of(d.hetzner.serverType);
  const location = Location.of(d.hetzner.location);
  if (!type.isAvailableIn(location)) {
    const where = type.locations.map((l) => l.name).join(", ");
    issues.push({
      path: ["hetzner", "serverType"],
      value: d.hetzner.serverType,
      allowed: `a ${ServerType.FAMILIES.filter((f) => f !== type.family && ServerType.of(`${f}23`).isAvailableIn(location)).join("/")} type in ${location.name}, or location ${where}`,
      message: `${type.family!.toUpperCase()} servers are sold only in ${where} (Hetzner answers "unsupported location for server type")`,
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
