// The keys Pingoo 0.14.7 reads from /etc/pingoo/pingoo.yml, after its source (pingoo/config/
// config_file.rs and config.rs, load_and_validate), as a zod schema. Pingoo has no offline
// validator, so this is the check our generated file gets. Two differences on purpose:
// - strict: Pingoo silently ignores unknown keys (no deny_unknown_fields); we reject them, because
//   an ignored key in generated config is always a bug (Torrust's ignored `tls.acme.contact`);
// - rule actions and route expressions are only checked to be present, not compiled.
import { z } from "zod";

const LISTENER_SCHEMES = ["http", "https", "tcp", "tcp+tls"] as const;
const UPSTREAM_SCHEMES = ["http", "https", "tcp"] as const;

const isIpv4 = (h: string) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(h);
/** Rust's IpAddr parse: no brackets (so "[::]" from a URI authority fails, as in Pingoo). */
const isIpv6 = (h: string) => /^[0-9a-fA-F:.]+$/.test(h) && h.includes(":");

/** Pingoo's parse_listener_address: scheme://IP[:port], the host an IP literal (no hostnames, no [::]). */
export function listenerAddressProblem(value: string): string | undefined {
  const m = /^([a-z+]+):\/\/([^/:]+|\[[^\]]*\])(?::(\d{1,5}))?\/?$/.exec(value);
  if (!m) return "must be scheme://IP[:port]";
  const [, scheme, host, port] = m;
  if (!(LISTENER_SCHEMES as readonly string[]).includes(scheme)) return `scheme ${scheme} is not one of ${LISTENER_SCHEMES.join(", ")}`;
  if (!isIpv4(host) && !isIpv6(host)) return `host ${host} is not an IP literal (hostnames and bracketed [::] fail to parse)`;
  if (port === undefined && (scheme === "tcp" || scheme === "tcp+tls")) return "port is missing";
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is out of range`;
  return undefined;
}

/** The port a valid listener address uses (defaults: http 80, https 443). */
export function listenerPort(value: string): number {
  const m = /:(\d{1,5})\/?$/.exec(value.replace(/^[a-z+]+:\/\//, ""));
  return m ? Number(m[1]) : value.startsWith("https:") ? 443 : 80;
}

/** Pingoo's parse_upstream: http|https|tcp URL with an ASCII host; tcp needs a port. */
export function upstreamProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a valid URL";
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (!(UPSTREAM_SCHEMES as readonly string[]).includes(scheme)) return `${scheme} is not a valid protocol`;
  if (!url.hostname) return "host is missing";
  if (scheme === "tcp" && !url.port) return "port is missing";
  return undefined;
}

const check = (problem: (v: string) => string | undefined) =>
  z.string().superRefine((v, ctx) => {
    const p = problem(v);
    if (p) ctx.addIssue({ code: "custom", message: p });
  });

const Listener = z.strictObject({
  address: check(listenerAddressProblem),
  services: z.array(z.string()).optional(),
});

const Upstreams = z.array(check(upstreamProblem));

const Service = z
  .strictObject({
    route: z.string().min(1).optional(),
    http_proxy: Upstreams.optional(),
    static: z
      .strictObject({
        root: z.string().default(""),
        not_found: z
          .strictObject({ file: z.string().optional(), status: z.number().int().min(100).max(999).default(404) })
          .optional(),
      })
      .optional(),
    tcp_proxy: Upstreams.optional(),
    auth: z
      .strictObject({
        provider: z.enum(["google", "github", "custom"]),
        client_id: z.string(),
        client_secret: z.string(),
        redirect_url: z.string(),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    const kinds = [s.http_proxy, s.tcp_proxy, s.static].filter((k) => k !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: "custom", message: "services must have exactly 1 http_proxy, tcp_proxy or static field" });
    if (s.tcp_proxy && s.route) ctx.addIssue({ code: "custom", message: "TCP proxy can't have a route" });
  });

const AcmeDomain = z.string().superRefine((d, ctx) => {
  if (d.includes("*")) ctx.addIssue({ code: "custom", message: `wildcard domains are not supported (${d})` });
  if (!/^[\x20-\x7e]+$/.test(d) || d.toLowerCase() !== d) ctx.addIssue({ code: "custom", message: `invalid domain: ${d}` });
});

const Tls = z.strictObject({
  acme: z
    .strictObject({
      // Pingoo's default is Let's Encrypt production; instant-acme needs https.
      directory_url: z.url({ protocol: /^https$/ }).optional(),
      domains: z.array(AcmeDomain),
    })
    .optional(),
});

/** pingoo.yml as Pingoo 0.14.7 reads it. */
export const PingooConfigSchema = z
  .strictObject({
    listeners: z.record(z.string(), Listener),
    services: z.record(z.string(), Service),
    rules: z.record(z.string(), z.strictObject({ expression: z.string().optional(), actions: z.array(z.unknown()) })).optional(),
    tls: Tls.optional(),
    service_discovery: z.strictObject({ docker: z.strictObject({ socket: z.string().optional() }) }).optional(),
    lists: z.record(z.string(), z.strictObject({ type: z.enum(["int", "ip", "string"]), file: z.string() })).optional(),
    child_process: z.strictObject({ command: z.array(z.string()) }).optional(),
  })
  .superRefine((c, ctx) => {
    // validate_listeners_config: distinct ports, known services, at least one, one for TCP listeners.
    const httpServices = Object.keys(c.services).filter((n) => !c.services[n].tcp_proxy);
    const tcpServices = Object.keys(c.services).filter((n) => c.services[n].tcp_proxy);
    const ports = new Map<number, string>();
    for (const [name, l] of Object.entries(c.listeners)) {
      const path = ["listeners", name];
      if (listenerAddressProblem(l.address)) continue;
      const port = listenerPort(l.address);
      const other = ports.get(port);
      if (other) ctx.addIssue({ code: "custom", path, message: `${other} and ${name} can't listen on the same port` });
      ports.set(port, name);
      const tcp = /^tcp/.test(l.address);
      const services = l.services ?? (tcp ? tcpServices : httpServices);
      if (services.length === 0) ctx.addIssue({ code: "custom", path, message: "no service found for this listener" });
      if (tcp && services.length > 1) ctx.addIssue({ code: "custom", path, message: "TCP listeners can only have 1 associated service" });
      for (const s of services) {
        if (!(s in c.services)) ctx.addIssue({ code: "custom", path, message: `service ${s} doesn't exist` });
      }
      if (new Set(services).size !== services.length) ctx.addIssue({ code: "custom", path, message: "duplicate services are not allowed" });
    }
    const domains = c.tls?.acme?.domains ?? [];
    const dup = domains.find((d, i) => domains.indexOf(d) !== i);
    if (dup) ctx.addIssue({ code: "custom", path: ["tls", "acme", "domains"], message: `duplicate domain: ${dup}` });
    // Pingoo only warns here; for us an ACME config without a TLS listener on 443 is a bug.
    const tls443 = Object.values(c.listeners).some((l) => /^(https|tcp\+tls):/.test(l.address) && listenerPort(l.address) === 443);
    if (c.tls?.acme && !tls443) {
      ctx.addIssue({ code: "custom", path: ["listeners"], message: "ACME (TLS-ALPN-01) needs an https or tcp+tls listener on port 443" });
    }
  });

export type PingooConfigFile = z.input<typeof PingooConfigSchema>;

/** Problems of a pingoo.yml document (already parsed from YAML), one line each; empty when valid. */
export function pingooConfigProblems(doc: unknown): string[] {
  const parsed = PingooConfigSchema.safeParse(doc);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
}
