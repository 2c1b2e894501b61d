// npm run proxies [-- --deployment FILE]: the three TLS proxies side by side for one deployment
// (default deployments/example.yaml; the same argument as `npm run rehearse`): capabilities, which
// sites each can serve (checkEdge), and the size of what each generates. Everything is computed
// from the plug-ins and the deployment plan; nothing is hand-written. TLS versions and key-exchange
// groups: measured by real handshakes where `npm run rehearse` ran the proxy on this machine
// (rehearsal/tls-facts.ts), the plug-in's declaration (marked so) elsewhere.
import * as path from "node:path";
import type { Deployment } from "../constructs/deployment/schema";
import { DeploymentError } from "../constructs/deployment/errors";
import { loadDeploymentFile } from "../constructs/deployment/load";
import { checkEdge, type ProxyCapabilities, type ProxyPlugin } from "../constructs/edge";
import { planDeployment } from "../constructs/plan/plan";
import { PROXIES } from "../constructs/proxies";
import { describeMeasurement, loadMeasurements, measurementsFile, type TlsMeasurement } from "../rehearsal/tls-facts";

const CAPABILITY_KEYS: readonly (keyof ProxyCapabilities)[] = [
  "websocket",
  "httpToHttpsRedirect",
  "acmeChallenges",
  "tlsVersions",
  "ipv6Listeners",
  "acmeContactEmail",
  "postQuantumKeyExchange",
  "clientIpInXForwardedFor",
  "hstsHeader",
  "lenientClientRequests",
  "staticFiles",
  "offlineValidator",
];

const plugins = Object.values(PROXIES);

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Capabilities that a TLS handshake can measure. */
const MEASURED_KEYS: readonly (keyof ProxyCapabilities)[] = ["tlsVersions", "postQuantumKeyExchange"];

/**
 * The measurement that stands for a plug-in: of the version production runs (Caddy: the image's
 * version); nginx + certbot: Debian 12's nginx with OpenSSL 3.0, standing in for Ubuntu 24.04's
 * (also OpenSSL 3.0, whose defaults decide the groups). Pingoo never runs here.
 */
function measuredFor(plugin: ProxyPlugin, all: readonly TlsMeasurement[]): { m: TlsMeasurement; caveat: string } | undefined {
  const mine = all.filter((m) => m.proxy === plugin.kind);
  const exact = mine.find((m) => m.version === plugin.version);
  if (exact) return { m: exact, caveat: "" };
  if (plugin.kind === "nginx-certbot" && mine[0]) return { m: mine[0], caveat: `, standing in for ${plugin.version}` };
  return undefined;
}

function measuredCell(key: keyof ProxyCapabilities, found: { m: TlsMeasurement; caveat: string }): string {
  const { m, caveat } = found;
  const by = `measured: ${m.program}${caveat}, ${m.measuredOn}`;
  if (key === "tlsVersions") return `${m.tlsVersions.join(", ")} (${by})`;
  const pq = m.tls13Groups.filter((g) => /MLKEM/.test(g));
  return `${m.postQuantum ? `yes, ${pq.join(", ")}` : "no"} (${by})`;
}

function capability(plugin: ProxyPlugin, key: keyof ProxyCapabilities, measurements: readonly TlsMeasurement[] = []): string {
  if (MEASURED_KEYS.includes(key)) {
    const found = measuredFor(plugin, measurements);
    if (found) return measuredCell(key, found);
  }
  const value = plugin.capabilities[key];
  const text =
    typeof value === "boolean"
      ? value ? "yes" : "no"
      : typeof value === "string"
        ? value
        : value === undefined
          ? "none"
          : value.join(", ").toUpperCase();
  const note = plugin.notes?.[key];
  const declared = MEASURED_KEYS.includes(key) ? " (declared, not measured)" : "";
  return note ? `${text}${declared}: ${note}` : `${text}${declared}`;
}

/** The key-exchange row: every group accepted, or why there is no measurement. */
function groupsCell(plugin: ProxyPlugin, measurements: readonly TlsMeasurement[]): string {
  const found = measuredFor(plugin, measurements);
  if (found) return `${describeMeasurement(found.m)} (measured: ${found.m.program}${found.caveat}, client ${found.m.client})`;
  if (plugin.kind === "pingoo") return "not measured: Pingoo cannot run here (Docker image only)";
  const other = measurements.filter((m) => m.proxy === plugin.kind).map((m) => `${m.program}: ${describeMeasurement(m)}`);
  return `not measured for ${plugin.version}: npm run rehearse -- --proxy ${plugin.kind}${other.length ? ` (measured other versions: ${other.join("; ")})` : ""}`;
}

function lineCount(text: string): number {
  return text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
}

/** One plug-in against the deployment: the context, each site's errors, warnings and sizes. */
function evaluate(d: Deployment, acmeCaRootPem: string | undefined, plugin: ProxyPlugin) {
  const ctx = planDeployment(d, { proxy: plugin, acmeCaRootPem }).edge;
  const sites = ctx.sites.map((site) => {
    const { errors } = checkEdge(d, { ...ctx, sites: [site] }, plugin, plugins);
    return { site, errors: errors.map((e) => e.message) };
  });
  const { warnings } = checkEdge(d, ctx, plugin, plugins);
  const rendering = plugin.render(ctx);
  const configFiles = rendering.files.filter((f) => rendering.configPaths.includes(f.path));
  return {
    sites,
    warnings,
    configLines: configFiles.reduce((n, f) => n + lineCount(f.content), 0),
    configNames: configFiles.map((f) => path.basename(f.path)),
    allLines: rendering.files.reduce((n, f) => n + lineCount(f.content), 0),
    fileCount: rendering.files.length,
    publicPorts: plugin.hostPorts.filter((p) => p.public),
  };
}

const USAGE = "usage: npm run proxies [-- --deployment FILE]";

/** `--deployment FILE` (as `npm run rehearse` takes it), or a bare FILE; undefined = the example. */
export function deploymentArgument(argv: readonly string[]): string | undefined {
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--deployment") {
      if (argv[i + 1] === undefined || argv[i + 1].startsWith("--")) throw new UsageError("--deployment needs a FILE");
      file = argv[++i];
    } else if (a.startsWith("--deployment=")) file = a.slice("--deployment=".length);
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`one deployment file only, got ${file} and ${a}`);
  }
  return file;
}

class UsageError extends Error {}

function main(): number {
  let file: string;
  let loaded: ReturnType<typeof loadDeploymentFile>;
  try {
    file = deploymentArgument(process.argv.slice(2)) ?? path.relative(process.cwd(), path.join(__dirname, "..", "deployments", "example.yaml"));
    loaded = loadDeploymentFile(file);
  } catch (e) {
    if (e instanceof UsageError) process.stderr.write(`${e.message}\n${USAGE}\n`);
    else if (e instanceof DeploymentError) process.stderr.write(`${e.message}\n`);
    else process.stderr.write(`cannot read the deployment: ${(e as Error).message}\n`);
    return 1;
  }
  const { source, deployment: d, acmeCaRootPem } = loaded;
  const results = plugins.map((p) => ({ plugin: p, ...evaluate(d, acmeCaRootPem, p) }));
  const measurements = loadMeasurements();

  const rows: string[][] = [["", ...plugins.map((p) => `${p.kind} (${p.title})`)]];
  for (const key of CAPABILITY_KEYS) rows.push([key, ...plugins.map((p) => capability(p, key, measurements))]);
  rows.push(["key exchange groups", ...plugins.map((p) => groupsCell(p, measurements))]);
  results[0].sites.forEach(({ site }, i) => {
    rows.push([
      `serves ${site.hostname} (${site.role})`,
      ...results.map((r) => (r.sites[i].errors.length === 0 ? "yes" : `no: ${r.sites[i].errors.join("; ")}`)),
    ]);
  });
  rows.push(["config lines", ...results.map((r) => `${r.configLines} (${r.configNames.join(", ")})`)]);
  rows.push(["generated lines, all files", ...results.map((r) => `${r.allLines} in ${r.fileCount} files`)]);
  rows.push(["firewall (from the plug-in's host ports)", ...results.map((r) => r.publicPorts.map((p) => `${p.port}/${p.protocol}`).join(", "))]);

  const out = [
    `# TLS proxies for ${source} (${d.domain}, proxy.kind: ${d.proxy.kind})`,
    "",
    `| ${rows[0].map(cell).join(" | ")} |`,
    `|${rows[0].map(() => "---").join("|")}|`,
    ...rows.slice(1).map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
    `TLS measurements: ${measurements.length ? measurementsFile() : `none yet (npm run rehearse keeps them in ${measurementsFile()})`}.`,
    "",
    "## Warnings at synth",
    "",
    ...results.flatMap((r) => [`### ${r.plugin.kind}`, "", ...(r.warnings.length ? r.warnings.map((w) => `- ${w}`) : ["- none"]), ""]),
  ];
  process.stdout.write(out.join("\n"));
  return 0;
}

if (require.main === module) process.exitCode = main();
