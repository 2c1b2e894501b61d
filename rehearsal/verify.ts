// npm run verify -- <deployment.yaml> [--wait 10m] [--ipv4 ADDR] [--ipv6 ADDR] [--state FILE] [--ca FILE]
//
// The rehearsal's checks against a real deployment after `cdktf deploy`: DNS answers against the
// server's primary IPs, HTTPS and the certificate per subdomain, the redirect, each subdomain's
// upstream and health check, TLS versions, HSTS, announce/scrape over HTTPS, the client address
// the tracker records, a BEP 15 UDP exchange on each UDP hostname and Grafana's WebSocket.
// --wait polls (with progress) while cloud-init is still working, then reports what still fails.
import * as dns from "node:dns";
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { buildEdgeContext } from "../constructs/edge/context";
import { loadDeploymentFile } from "../constructs/deployment/load";
import { localStatePath } from "../stacks/backend";
import { proxyPlugin } from "../constructs/proxies";
import { edgePromises, runChecks, type Addresses, type VerifyTarget } from "./checks";
import { sleep } from "./proc";
import { printRows, progressWriter, runMain, type Row } from "./rows";

/** "10m", "90s", "1h" or plain seconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--wait takes a duration such as 10m, 90s or 1h, not "${text}"`);
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
}

/** The server's public addresses from a Terraform state file (hcloud_server, else hcloud_primary_ip). */
export function addressesFromState(stateText: string): { ipv4?: string; ipv6?: string } {
  const state = JSON.parse(stateText) as {
    resources?: { type: string; instances?: { attributes?: Record<string, unknown> }[] }[];
  };
  const attrs = (type: string) => (state.resources ?? []).filter((r) => r.type === type).flatMap((r) => r.instances ?? []).map((i) => i.attributes ?? {});
  const out: { ipv4?: string; ipv6?: string } = {};
  for (const a of attrs("hcloud_server")) {
    if (typeof a.ipv4_address === "string" && a.ipv4_address) out.ipv4 ??= a.ipv4_address;
    if (typeof a.ipv6_address === "string" && a.ipv6_address) out.ipv6 ??= a.ipv6_address;
  }
  for (const a of attrs("hcloud_primary_ip")) {
    const ip = typeof a.ip_address === "string" ? a.ip_address : "";
    if (a.type === "ipv4" && ip) out.ipv4 ??= ip;
    if (a.type === "ipv6" && ip) out.ipv6 ??= ip.replace(/\/\d+$/, "").replace(/::$/, "::1");
  }
  return out;
}

interface Options {
  deployment: string;
  waitMs: number;
  ipv4?: string;
  ipv6?: string;
  state?: string;
  ca?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Partial<Options> = { waitMs: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--wait") o.waitMs = parseDuration(value());
    else if (a === "--ipv4") o.ipv4 = value();
    else if (a === "--ipv6") o.ipv6 = value();
    else if (a === "--state") o.state = value();
    else if (a === "--ca") o.ca = value();
    else if (a === "--help" || a === "-h") {
      process.stdout.write("npm run verify -- <deployment.yaml> [--wait 10m] [--ipv4 ADDR] [--ipv6 ADDR] [--state FILE] [--ca FILE]\n");
      process.exit(0);
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else if (o.deployment) throw new Error(`one deployment file at a time (got ${o.deployment} and ${a})`);
    else o.deployment = a;
  }
  if (!o.deployment) throw new Error("usage: npm run verify -- <deployment.yaml> [--wait 10m]");
  return o as Options;
}

async function resolveReal(hostname: string): Promise<Addresses> {
  const none = (e: NodeJS.ErrnoException) => {
    if (["ENODATA", "ENOTFOUND"].includes(e.code ?? "")) return [] as string[];
    throw e;
  };
  const [ipv4, ipv6] = await Promise.all([dns.promises.resolve4(hostname).catch(none), dns.promises.resolve6(hostname).catch(none)]);
  return { ipv4, ipv6 };
}

/** Builds the verifier's target for a deployment file and the server's addresses. */
export function verifyTarget(o: Options): VerifyTarget {
  const loaded = loadDeploymentFile(o.deployment);
  const d = loaded.deployment;
  const plugin = proxyPlugin(d.proxy.kind);
  const ctx = buildEdgeContext(d, { acmeCaRootPem: loaded.acmeCaRootPem, capabilities: plugin.capabilities, kind: d.proxy.kind });
  let fromState: { ipv4?: string; ipv6?: string } = {};
  // The deployment's local state file; older versions of this project wrote terraform.<name>.tfstate at the repository root.
  const candidates = [localStatePath(d), path.resolve(`terraform.${d.name}.tfstate`), path.resolve(__dirname, "..", `terraform.${d.name}.tfstate`)];
  const stateFile = o.state ?? candidates.find((f): f is string => f !== undefined && fs.existsSync(f));
  if (stateFile) fromState = addressesFromState(fs.readFileSync(stateFile, "utf8"));
  const ipv4 = o.ipv4 ?? fromState.ipv4;
  if (!ipv4) throw new Error(`no server address: pass --ipv4 (and --ipv6), or --state with the Terraform state of stack ${d.name} (looked for ${candidates.filter(Boolean).join(", ")})`);
  const udpHosts = new Set(d.tracker.udpTrackers.map((u) => `${u.subdomain}.${d.domain}`));
  const promises = edgePromises(d, ctx, plugin.capabilities);
  return {
    ...promises,
    expected: { ipv4, ipv6: d.hetzner.ipv6 ? (o.ipv6 ?? fromState.ipv6) : undefined },
    cloudflareProxied: new Set(ctx.sites.filter((s) => s.cloudflareProxied).map((s) => s.hostname)),
    resolve: resolveReal,
    expectAaaa: (h) => d.hetzner.ipv6 && (udpHosts.has(h) || plugin.capabilities.ipv6Listeners),
    ca: o.ca ? fs.readFileSync(o.ca, "utf8") : undefined,
    infoHashes: [randomBytes(20), randomBytes(20), randomBytes(20)],
    expectEcho: false,
    timeoutMs: 8000,
  };
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const target = verifyTarget(o);
  const progress = progressWriter("verify: ");
  const deadline = Date.now() + o.waitMs;
  let rows: Row[];
  for (let round = 1; ; round++) {
    rows = await runChecks(target);
    const failing = rows.filter((r) => r.status === "FAIL");
    if (failing.length === 0 || Date.now() >= deadline) break;
    progress(`round ${round}: ${failing.length} still failing (cloud-init may still be working): ${failing.map((r) => r.name).join(", ").slice(0, 300)}`);
    await sleep(Math.min(15_000, Math.max(0, deadline - Date.now())));
  }
  return printRows(rows);
}

if (require.main === module) runMain(main);
