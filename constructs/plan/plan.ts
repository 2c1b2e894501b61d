// planDeployment(): a validated deployment and the chosen proxy plug-in → the deployment plan.
// Pure and deterministic. This is the only module that interprets viaProxy, `enabled`,
// tracker.private and the proxy's host ports; every derived resource reads the plan.
import { formatPath, type DeploymentIssue } from "../deployment/errors";
import type { Deployment } from "../deployment/schema";
import type { EdgeContext, EdgeSite, ProxyPlugin, SiteRole } from "../edge/types";
import {
  ACME_CA_ROOT_PATH,
  GRAFANA_PORT,
  HEALTH_CHECK_API_PORT,
  HELLO_UPSTREAM_PORT,
  JSON_EXPORTER_PORT,
  KNOWN_CAA_IDENTITIES,
  LETS_ENCRYPT_DIRECTORY,
  LETS_ENCRYPT_STAGING_DIRECTORY,
  PROMETHEUS_PORT,
  STATS_RELAY_PORT,
  helloPage,
} from "./edge-view";
import type {
  ConfigPath,
  DeploymentPlan,
  HostBinding,
  PlannedDnsName,
  PlannedFirewallRule,
  PlannedOptionalServices,
  PlannedService,
  PublishedPort,
  TrackerListeners,
} from "./types";

/** What the plan needs of the proxy plug-in (its kind, what it can do, the sockets it opens). */
export type PlanProxy = Pick<ProxyPlugin, "kind" | "title" | "capabilities" | "hostPorts">;

export interface PlanOptions {
  readonly proxy: PlanProxy;
  /** PEM read from acme.caRootFile (certificate blocks only). */
  readonly acmeCaRootPem?: string;
}

/** Hetzner Cloud firewalls take at most 50 rules (docs.hetzner.com/cloud/firewalls, "Limits"). */
export const HETZNER_FIREWALL_RULE_LIMIT = 50;
/** DNS: a name is at most 253 characters in text form (RFC 1035 §2.3.4, 255 octets on the wire). */
export const DNS_NAME_MAX = 253;

/**
 * systemd-resolved's stub listeners on Ubuntu 22.04/24.04 (systemd 249/255): 127.0.0.53:53 and
 * 127.0.0.54:53, UDP and TCP (resolved.conf(5), DNSStubListener; src/resolve/resolved-dns-stub.c).
 * A port published on every address (docker-proxy binds 0.0.0.0:53) clashes with them; a
 * 127.0.0.1 one does not.
 */
export const RESOLVED_STUB_ADDRESSES = ["127.0.0.53", "127.0.0.54"] as const;

const noNeeds = { websocket: false, clientIpInXForwardedFor: false } as const;

/** Which optional services run: `enabled`, and Grafana only with Prometheus (refused otherwise by the rules). */
export function optionalServices(d: Deployment): PlannedOptionalServices {
  const prometheus = d.prometheus.enabled;
  return { hello: !!d.helloWorld?.enabled, prometheus, grafana: d.grafana.enabled && prometheus };
}

/** The UDP trackers that run: none in private mode (v3.0.0 refuses every UDP announce then). */
export function plannedUdpTrackers(d: Deployment): Deployment["tracker"]["udpTrackers"] {
  return d.tracker.private ? [] : d.tracker.udpTrackers;
}

/** What tracker.toml binds. */
export function trackerListeners(d: Deployment): TrackerListeners {
  const http = d.tracker.httpTrackers;
  // One socket per IP family, never a dual-stack [::] one: the pinned tracker answers an IPv4 client
  // seen as ::ffff:a.b.c.d in IPv6 format (ADR 0012; the compose file sets net.ipv6.bindv6only=1 in
  // its namespace, so [::] is IPv6-only). Behind the proxy and for the API: IPv4 only (Docker
  // forwards the published 127.0.0.1 ports to the container's IPv4 address; the stats relay uses 127.0.0.1).
  const families = (port: number) =>
    (d.hetzner.ipv6 ? [`0.0.0.0:${port}`, `[::]:${port}`] : [`0.0.0.0:${port}`]).map((bindAddress) => ({ port, bindAddress }));
  return {
    udp: plannedUdpTrackers(d).flatMap((t) => families(t.port)),
    http: http.flatMap((t) => (t.viaProxy ? [{ port: t.port, bindAddress: `0.0.0.0:${t.port}` }] : families(t.port))),
    api: { port: d.tracker.api.port, bindAddress: `0.0.0.0:${d.tracker.api.port}` },
    healthCheck: { port: HEALTH_CHECK_API_PORT, bindAddress: `127.0.0.1:${HEALTH_CHECK_API_PORT}` },
    onReverseProxy: http.length > 0 && http.every((t) => t.viaProxy),
  };
}

/** The tracker container's published ports: UDP and direct HTTP on every address, the rest on loopback. */
export function trackerPublishedPorts(d: Deployment): PublishedPort[] {
  return [
    ...plannedUdpTrackers(d).map((t) => ({ protocol: "udp" as const, port: t.port })),
    ...d.tracker.httpTrackers.map((t) =>
      t.viaProxy ? { protocol: "tcp" as const, port: t.port, hostAddress: "127.0.0.1" as const } : { protocol: "tcp" as const, port: t.port },
    ),
    { protocol: "tcp", port: d.tracker.api.port, hostAddress: "127.0.0.1" },
  ];
}

/** The CAA issuer domain for the configured ACME directory, or undefined when unknown and not named. */
export function caaIdentity(d: Deployment): string | undefined {
  return d.acme.caaIdentity ?? KNOWN_CAA_IDENTITIES[acmeDirectory(d)];
}

export function acmeDirectory(d: Deployment): string {
  return d.acme.directoryUrl ?? (d.acme.staging ? LETS_ENCRYPT_STAGING_DIRECTORY : LETS_ENCRYPT_DIRECTORY);
}

/** Every service, in file order: hello, api, HTTP trackers, UDP trackers, grafana, then internal ones. */
function services(d: Deployment, proxy: PlanProxy, optional: PlannedOptionalServices): PlannedService[] {
  const fqdn = (sub: string) => `${sub}.${d.domain}`;
  const proxied = new Set(d.cloudflare.proxiedSubdomains);
  const named = (subdomain: string, configPath: ConfigPath) => ({
    subdomain,
    hostname: fqdn(subdomain),
    configPath,
    cloudflareProxied: proxied.has(subdomain),
  });
  const out: PlannedService[] = [];
  if (optional.hello && d.helloWorld) {
    out.push({
      role: "hello",
      ...named(d.helloWorld.subdomain, ["helloWorld", "subdomain"]),
      protocol: "tcp",
      // Served by the proxy itself, or by the hello container on loopback when it cannot serve files.
      port: proxy.capabilities.staticFiles ? 443 : HELLO_UPSTREAM_PORT,
      exposure: "https-via-proxy",
      needs: noNeeds,
      publicPort: 443,
      healthPath: "/",
    });
  }
  out.push({
    role: "api",
    ...named(d.tracker.api.subdomain, ["tracker", "api", "subdomain"]),
    protocol: "tcp",
    port: d.tracker.api.port,
    portPath: ["tracker", "api", "port"],
    exposure: "https-via-proxy",
    needs: noNeeds,
    publicPort: 443,
    healthPath: "/api/health_check",
  });
  d.tracker.httpTrackers.forEach((t, i) => {
    out.push({
      role: "http-tracker",
      ...named(t.subdomain, ["tracker", "httpTrackers", i, "subdomain"]),
      protocol: "tcp",
      port: t.port,
      portPath: ["tracker", "httpTrackers", i, "port"],
      exposure: t.viaProxy ? "https-via-proxy" : "direct-tcp",
      needs: { websocket: false, clientIpInXForwardedFor: t.viaProxy },
      publicPort: t.viaProxy ? 443 : t.port,
      healthPath: "/health_check",
    });
  });
  plannedUdpTrackers(d).forEach((t, i) => {
    out.push({
      role: "udp-tracker",
      ...named(t.subdomain, ["tracker", "udpTrackers", i, "subdomain"]),
      protocol: "udp",
      port: t.port,
      portPath: ["tracker", "udpTrackers", i, "port"],
      exposure: "udp",
      needs: noNeeds,
      publicPort: t.port,
    });
  });
  if (optional.grafana) {
    out.push({
      role: "grafana",
      ...named(d.grafana.subdomain, ["grafana", "subdomain"]),
      protocol: "tcp",
      port: GRAFANA_PORT,
      exposure: "https-via-proxy",
      needs: { websocket: d.grafana.live, clientIpInXForwardedFor: false },
      publicPort: 443,
      healthPath: "/api/health",
    });
  }
  if (optional.prometheus) {
    out.push({
      role: "prometheus",
      configPath: ["prometheus"],
      protocol: "tcp",
      port: PROMETHEUS_PORT,
      exposure: "internal",
      needs: noNeeds,
      cloudflareProxied: false,
    });
  }
  return out;
}

/** Every socket: fixed ones first (SSH, resolved, the proxy's, internal services), then the file's. */
function hostBindings(d: Deployment, proxy: PlanProxy, svc: readonly PlannedService[], optional: PlannedOptionalServices): HostBinding[] {
  const host = (protocol: "tcp" | "udp", port: number, address: string, owner: string, path?: ConfigPath): HostBinding => ({
    protocol,
    port,
    address,
    namespace: "host",
    owner,
    path,
  });
  const inTracker = (protocol: "tcp" | "udp", port: number, owner: string, path?: ConfigPath): HostBinding => ({
    protocol,
    port,
    address: "*",
    namespace: "tracker-container",
    owner,
    path,
  });
  const fixed: HostBinding[] = [
    host("tcp", 22, "*", "SSH"),
    ...RESOLVED_STUB_ADDRESSES.flatMap((a) =>
      (["udp", "tcp"] as const).map((p) => host(p, 53, a, `systemd-resolved's stub resolver on ${a} (Ubuntu's default)`)),
    ),
    ...proxy.hostPorts.map((p) => host(p.protocol, p.port, p.address, `${proxy.title}: ${p.purpose}`)),
    inTracker("tcp", HEALTH_CHECK_API_PORT, "the tracker's health-check API"),
  ];
  // json_exporter and the stats relay share the tracker's network namespace (ADR 0010).
  if (optional.prometheus) {
    fixed.push(inTracker("tcp", JSON_EXPORTER_PORT, "json_exporter (tracker metrics)"), inTracker("tcp", STATS_RELAY_PORT, "the tracker stats relay"));
  }
  if (optional.grafana) fixed.push(host("tcp", GRAFANA_PORT, "127.0.0.1", "Grafana"));
  if (optional.prometheus) fixed.push(host("tcp", PROMETHEUS_PORT, "127.0.0.1", "Prometheus"));
  if (optional.hello && !proxy.capabilities.staticFiles) fixed.push(host("tcp", HELLO_UPSTREAM_PORT, "127.0.0.1", "the hello-world container"));

  const own: HostBinding[] = [];
  for (const s of svc) {
    if (s.role === "hello" || s.role === "grafana" || s.role === "prometheus") continue;
    const what = `the ${s.role.replace("-", " ")} ${s.subdomain}`;
    own.push(inTracker(s.protocol, s.port, what, s.portPath));
    own.push(host(s.protocol, s.port, s.exposure === "https-via-proxy" ? "127.0.0.1" : "*", what, s.portPath));
  }
  void d;
  return [...fixed, ...own];
}

const overlaps = (a: HostBinding, b: HostBinding) =>
  a.namespace === b.namespace && a.protocol === b.protocol && a.port === b.port && (a.address === "*" || b.address === "*" || a.address === b.address);

/** Port clashes of the file's ports with fixed sockets and with each other; one problem per field. */
function portProblems(bindings: readonly HostBinding[]): DeploymentIssue[] {
  const problems: DeploymentIssue[] = [];
  const reported = new Set<string>();
  // Earlier sockets by namespace/protocol/port: a clash needs all three equal (linear, not pairwise).
  const earlier = new Map<string, HostBinding[]>();
  bindings.forEach((b) => {
    const slot = `${b.namespace}/${b.protocol}/${b.port}`;
    const before = earlier.get(slot) ?? [];
    earlier.set(slot, [...before, b]);
    if (!b.path) return;
    const key = formatPath(b.path);
    if (reported.has(key)) return;
    const clash = before.find((e) => overlaps(e, b) && (!e.path || formatPath(e.path) !== key));
    if (!clash) return;
    reported.add(key);
    const proto = b.protocol.toUpperCase();
    if (clash.path) {
      problems.push({ path: b.path, value: b.port, message: `${proto} port is already used by ${formatPath(clash.path)}` });
      return;
    }
    // Allowed: every port except the fixed ones this field's sockets would overlap.
    const mine = bindings.filter((x) => x.path && formatPath(x.path) === key);
    const taken = [
      ...new Set(
        bindings
          .filter((f) => !f.path && mine.some((m) => overlaps(f, { ...m, port: f.port })))
          .map((f) => f.port),
      ),
    ].sort((x, y) => x - y);
    problems.push({
      path: b.path,
      value: b.port,
      allowed: `any ${proto} port except ${taken.join(", ")}`,
      message: `${proto} port ${b.port} is taken by ${clash.owner}`,
    });
  });
  return problems;
}

/** Hostnames: each service its own, except one HTTP tracker and one UDP tracker may share a name. */
function nameProblems(svc: readonly PlannedService[]): DeploymentIssue[] {
  const problems: DeploymentIssue[] = [];
  const byName = new Map<string, PlannedService[]>();
  for (const s of svc) {
    if (!s.subdomain) continue;
    const earlier = byName.get(s.subdomain) ?? [];
    const shareable = earlier.length === 1 && new Set([earlier[0].role, s.role]).size === 2 &&
      [earlier[0].role, s.role].every((r) => r === "http-tracker" || r === "udp-tracker");
    if (earlier.length > 0 && !shareable) {
      problems.push({
        path: s.configPath,
        value: s.subdomain,
        message:
          `subdomain is already used by ${formatPath(earlier[0].configPath)}; every service needs its own hostname ` +
          "(only one HTTP tracker and one UDP tracker may share a name)",
      });
      continue;
    }
    byName.set(s.subdomain, [...earlier, s]);
    if (s.hostname && s.hostname.length > DNS_NAME_MAX) {
      problems.push({
        path: s.configPath,
        value: s.hostname,
        allowed: `hostnames of at most ${DNS_NAME_MAX} characters (each label at most 63)`,
        message: `the hostname is ${s.hostname.length} characters: shorten the subdomain or the domain`,
      });
    }
  }
  return problems;
}

/** The records of each name, in order of first use. */
function dnsNames(d: Deployment, proxy: PlanProxy, svc: readonly PlannedService[], caa: PlannedDnsName["caa"]): PlannedDnsName[] {
  const names = new Map<string, PlannedService[]>();
  for (const s of svc) if (s.subdomain) names.set(s.subdomain, [...(names.get(s.subdomain) ?? []), s]);
  return [...names.entries()].map(([subdomain, list]) => {
    // IPv6 end to end: UDP (Docker ip6tables), direct TCP, or a proxy with IPv6 listeners.
    const overIpv6 = list.every((s) => s.exposure !== "https-via-proxy" || proxy.capabilities.ipv6Listeners);
    // BEP 34: entries in order of preference; UDP first (a quarter of HTTP's packets, BEP 15).
    const entries = [
      ...list.filter((s) => s.role === "udp-tracker").map((s) => `UDP:${s.publicPort}`),
      ...list.filter((s) => s.role === "http-tracker").map((s) => `TCP:${s.publicPort}`),
    ];
    return {
      subdomain,
      hostname: list[0].hostname!,
      roles: list.map((s) => s.role),
      proxied: list.some((s) => s.cloudflareProxied),
      aaaa: d.hetzner.ipv6 && overIpv6,
      bep34: entries.length ? `BITTORRENT ${entries.join(" ")}` : undefined,
      caa,
    };
  });
}

function firewallRules(d: Deployment, proxy: PlanProxy, svc: readonly PlannedService[]): PlannedFirewallRule[] {
  const rules: PlannedFirewallRule[] = [{ protocol: "tcp", port: 22, sources: d.admin.sshAllowedCidrs, description: "ssh" }];
  for (const protocol of ["tcp", "udp"] as const) {
    for (const p of proxy.hostPorts.filter((h) => h.public && h.protocol === protocol)) {
      rules.push({ protocol, port: p.port, sources: "everyone", description: `${proxy.kind} ${protocol}` });
    }
  }
  for (const s of svc.filter((x) => x.exposure === "udp")) {
    rules.push({ protocol: "udp", port: s.port, sources: "everyone", description: `udp tracker ${s.subdomain}` });
  }
  for (const s of svc.filter((x) => x.exposure === "direct-tcp")) {
    rules.push({ protocol: "tcp", port: s.port, sources: "everyone", description: `http tracker ${s.subdomain}` });
  }
  rules.push({ protocol: "icmp", sources: "everyone", description: "icmp" });
  return rules;
}

/** The proxy's view of the plan. */
function edgeView(d: Deployment, options: PlanOptions, svc: readonly PlannedService[], optional: PlannedOptionalServices): EdgeContext {
  const sites: EdgeSite[] = svc
    .filter((s) => s.exposure === "https-via-proxy")
    .map((s) => ({
      role: s.role as SiteRole,
      hostname: s.hostname!,
      configPath: s.configPath,
      upstream: s.role === "hello" && options.proxy.capabilities.staticFiles ? undefined : { host: "127.0.0.1" as const, port: s.port },
      needs: s.needs,
      cloudflareProxied: s.cloudflareProxied,
      healthPath: s.healthPath!,
    }));
  return {
    domain: d.domain,
    sites,
    helloPage: optional.hello && d.helloWorld ? helloPage(d.helloWorld.message, d.name) : undefined,
    acme: {
      email: d.acme.email,
      directoryUrl: acmeDirectory(d),
      staging: d.acme.staging,
      caRootPem: options.acmeCaRootPem,
      caRootPath: ACME_CA_ROOT_PATH,
    },
    hsts: d.proxy.hsts,
    ipv6: d.hetzner.ipv6,
    stateDir: `/opt/torrust/storage/proxy/${options.proxy.kind}`,
  };
}

/** The deployment plan. Never throws for a schema-valid deployment: problems are in `plan.problems`. */
export function planDeployment(d: Deployment, options: PlanOptions): DeploymentPlan {
  const { proxy } = options;
  const optional = optionalServices(d);
  const svc = services(d, proxy, optional);
  const bindings = hostBindings(d, proxy, svc, optional);
  const problems: DeploymentIssue[] = [...nameProblems(svc), ...portProblems(bindings)];
  const warnings: string[] = [];

  if (d.tracker.private && d.tracker.udpTrackers.length > 0) {
    warnings.push(
      `tracker.private is true: ${d.tracker.udpTrackers.map((t) => `${t.subdomain}.${d.domain}`).join(", ")} left out ` +
        "(no DNS record, firewall rule, compose port or tracker.toml entry): the pinned tracker refuses every UDP announce " +
        "of a private tracker, as a UDP announce carries no key (torrust/torrust-tracker v3.0.0 src/servers/udp/handlers.rs, " +
        "TrackerAuthenticationRequired). Announce over HTTP(S) with a key: see the README, \"Private trackers\".",
    );
  }

  const issuer = caaIdentity(d);
  const testCa = d.acme.caRootFile !== undefined;
  if (d.cloudflare.caa && !issuer && testCa) {
    warnings.push(
      "acme.caRootFile names a private test CA whose CAA identity is unknown: no CAA records are written " +
        "(set acme.caaIdentity to write them, or cloudflare.caa: false to silence this)",
    );
  } else if (d.cloudflare.caa && !issuer) {
    problems.push({
      path: ["acme", "directoryUrl"],
      value: d.acme.directoryUrl,
      allowed: "a Let's Encrypt directory, or any directory with acme.caaIdentity set",
      message:
        "the CAA identity of this CA is unknown, so the CAA records would forbid it: set acme.caaIdentity to the CA's " +
        "CAA issuer domain (from the CA's documentation), or cloudflare.caa: false",
    });
  }
  const caa = d.cloudflare.caa && issuer ? { issue: issuer, ...(d.acme.caaIodef ? { iodef: d.acme.caaIodef } : {}) } : undefined;
  const dns = dnsNames(d, proxy, svc, caa);
  for (const name of dns) {
    if (d.hetzner.ipv6 && !name.aaaa && name.roles.includes("udp-tracker")) {
      warnings.push(
        `${name.hostname} serves a UDP tracker and HTTPS through ${proxy.title}, which has no IPv6 listener: the name gets no ` +
          "AAAA record, so its UDP tracker is reached over IPv4 only (give the UDP tracker its own name to keep IPv6)",
      );
    }
  }
  const firewall = firewallRules(d, proxy, svc);
  if (firewall.length > HETZNER_FIREWALL_RULE_LIMIT) {
    problems.push({
      path: ["tracker"],
      value: `${firewall.length} rules`,
      allowed: `at most ${HETZNER_FIREWALL_RULE_LIMIT} rules per Hetzner firewall`,
      message: "too many public ports: each UDP tracker and each direct HTTP tracker adds a firewall rule; use fewer trackers",
    });
  }

  const edge = edgeView(d, options, svc, optional);
  const udp = svc.filter((s) => s.role === "udp-tracker");
  const http = svc.filter((s) => s.role === "http-tracker");
  const keyPath = d.tracker.private ? "/<key>" : "";
  const api = svc.find((s) => s.role === "api")!;
  const grafana = svc.find((s) => s.role === "grafana");
  return {
    name: d.name,
    domain: d.domain,
    proxyKind: proxy.kind,
    services: svc,
    optional,
    hostBindings: bindings,
    firewall,
    dns,
    reverseDns: (udp[0] ?? http[0] ?? api).hostname!,
    trackerPorts: trackerPublishedPorts(d),
    trackerListeners: trackerListeners(d),
    edge,
    outputs: {
      httpsUrls: Object.fromEntries(edge.sites.map((s) => [s.hostname, `https://${s.hostname}/`])),
      announceUrls: [
        ...http.map((s) =>
          s.exposure === "https-via-proxy"
            ? `https://${s.hostname}/announce${keyPath}`
            : `http://${s.hostname}:${s.port}/announce${keyPath}`,
        ),
        ...udp.map((s) => `udp://${s.hostname}:${s.port}/announce`),
      ],
      grafanaUrl: grafana ? `https://${grafana.hostname}/` : undefined,
      apiHealthUrl: `https://${api.hostname}/api/health_check`,
    },
    problems,
    warnings,
  };
}
