// Host side of the rehearsal, before any namespace: the per-run deployment file (the documented
// test-CA override, a .test domain, the proxy kind), the real synth (`node --import tsx main.ts`),
// and the server's files taken from the synthesized user_data as cloud-init would write them.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { buildEdgeContext } from "../constructs/edge/context";
import type { EdgeContext, ProxyRendering } from "../constructs/edge/types";
import { loadDeploymentFile } from "../constructs/deployment/load";
import type { Deployment } from "../constructs/deployment/schema";
import { proxyPlugin } from "../constructs/proxies";
import { NGINX_CERTBOT_PATHS } from "../constructs/proxies/nginx-certbot/paths";
import { CADDY_PATHS } from "../constructs/proxies/caddy/plugin";
import { COMPOSE_FILE } from "../constructs/tracker/layout";
import { PEBBLE_DIRECTORY_URL } from "./pebble";
import { describeProgram, type Program } from "./programs";
import { run } from "./proc";
import type { Row } from "./rows";
import { fail, pass } from "./rows";
import type { RehearsedKind, SpecFile } from "./spec";
import { parseCloudConfig, userDataFromSynth, type DecodedFile } from "./write-files";

export const REPO = path.resolve(__dirname, "..");

/** A deployment's domain moved under the reserved .test TLD (so nothing real is ever asked for). */
export function testDomain(domain: string): string {
  return domain.endsWith(".test") ? domain : `${domain.split(".").slice(0, -1).join(".")}.test`;
}

/** Writes the per-run deployment: the chosen file with acme.directoryUrl/caRootFile, proxy.kind and a .test domain. */
export function rehearsalDeployment(source: string, kind: RehearsedKind, caRootFile: string, out: string): void {
  // The user's file goes through the app's validation first (a regular, size-capped file; every
  // problem with its field), so a bad file is refused as the app refuses it, never read blindly.
  loadDeploymentFile(source);
  const doc = YAML.parseDocument(fs.readFileSync(source, "utf8"));
  const raw = doc.toJS() as Record<string, unknown>;
  raw.domain = testDomain(String(raw.domain));
  raw.proxy = { ...((raw.proxy as object | undefined) ?? {}), kind };
  raw.acme = { ...((raw.acme as object | undefined) ?? {}), directoryUrl: PEBBLE_DIRECTORY_URL, caRootFile };
  delete (raw.acme as Record<string, unknown>).staging;
  delete raw.$schema;
  fs.writeFileSync(out, `# Rehearsal copy of ${source}: test CA override (acme.directoryUrl, acme.caRootFile), proxy.kind ${kind}, .test domain\n${YAML.stringify(raw)}`);
}

export interface Prepared {
  readonly deployment: Deployment;
  readonly ctx: EdgeContext;
  readonly rendering: ProxyRendering;
  readonly files: DecodedFile[];
  readonly runcmd: string[];
  readonly rows: Row[];
  readonly composeService?: { name: string; command: string[]; environment: Record<string, string> };
  /** What the rehearsal runs as the proxy's first boot: the script holding the plug-in's commands, or the commands. */
  readonly firstBoot: string[];
  readonly synthMs: number;
}

/** Synthesizes the per-run deployment with the project's app and decodes the server's user_data. */
export async function prepare(kind: RehearsedKind, deploymentFile: string, outDir: string, caddy?: Program): Promise<Prepared> {
  const rows: Row[] = [];
  const loaded = loadDeploymentFile(deploymentFile);
  const d = loaded.deployment;
  const plugin = proxyPlugin(kind);
  const ctx = buildEdgeContext(d, { acmeCaRootPem: loaded.acmeCaRootPem, capabilities: plugin.capabilities, kind });
  const rendering = plugin.render(ctx);

  // The app command exactly as cdktf.json gives it (what `cdktf synth` runs).
  const [appCommand, ...appArgs] = appCommandLine();
  const synth = await run(appCommand, appArgs, {
    cwd: REPO,
    env: { ...process.env, TRACKER_DEPLOYMENTS: deploymentFile, CDKTF_OUTDIR: outDir, CHECKPOINT_DISABLE: "1" },
    timeoutMs: 120_000,
  });
  if (synth.code !== 0) throw new Error(`synth failed (${synth.code}): ${(synth.stderr || synth.stdout).trim().slice(-600)}`);
  const stackFile = path.join(outDir, "stacks", d.name, "cdk.tf.json");
  if (!fs.existsSync(stackFile)) throw new Error(`synth wrote no ${stackFile}`);
  const { text, interpolations } = userDataFromSynth(JSON.parse(fs.readFileSync(stackFile, "utf8")));
  const cloud = parseCloudConfig(text);
  rows.push(
    pass(
      "synth + user_data",
      `${Buffer.byteLength(text)} bytes, ${cloud.files.length} write_files (${count(cloud.files, "text")} plain, ${count(cloud.files, "b64")} b64, ` +
        `${count(cloud.files, "gz+b64")} gz+b64), ${interpolations.length} Terraform interpolations faked (${interpolations.map((i) => i.expression).join(", ")})`,
    ),
  );

  // The plug-in's files must be in user_data byte for byte (the rehearsal runs the user_data copies).
  const byPath = new Map(cloud.files.map((f) => [f.path, f]));
  const missing = rendering.files.filter((f) => !byPath.get(f.path)?.content.equals(Buffer.from(f.content, "utf8"))).map((f) => f.path);
  rows.push(
    missing.length
      ? fail("proxy files in user_data", `missing or different: ${missing.join(", ")}`)
      : pass("proxy files in user_data", `${rendering.files.length} files of the ${plugin.title} plug-in, byte-identical`),
  );
  // Its first-boot commands must run at first boot: in runcmd, or in a script that runcmd runs
  // (directly or through another script). The rehearsal then runs that script itself.
  const reachable = reachableScripts(cloud.runcmd, cloud.files);
  const holder = reachable
    .filter((f) => rendering.bootstrap.every((line) => f.content.toString("utf8").includes(line)))
    .sort((a, b) => a.content.length - b.content.length)[0];
  const inRuncmd = rendering.bootstrap.every((line) => cloud.runcmd.some((c) => c.includes(line)));
  let firstBoot: string[] = [...rendering.bootstrap];
  if (rendering.bootstrap.length === 0) rows.push(pass("proxy bootstrap in runcmd", "none needed (compose starts the proxy)"));
  else if (holder) {
    firstBoot = [holder.path];
    rows.push(pass("proxy bootstrap in runcmd", `${rendering.bootstrap.length} commands in ${holder.path}, run at first boot by runcmd; the rehearsal runs that script`));
  } else if (inRuncmd) rows.push(pass("proxy bootstrap in runcmd", `${rendering.bootstrap.length} commands in runcmd`));
  else rows.push(fail("proxy bootstrap in runcmd", `not run at first boot: ${rendering.bootstrap.join(" | ")}`));

  let composeService: Prepared["composeService"];
  if (kind === "caddy") {
    const compose = byPath.get(COMPOSE_FILE);
    if (!compose) throw new Error(`user_data has no ${COMPOSE_FILE}`);
    const project = YAML.parse(compose.content.toString("utf8")) as { services?: Record<string, { image?: string; command?: string[]; environment?: Record<string, string> | string[]; network_mode?: string; volumes?: string[] }> };
    // The proxy plug-in's own service (the stats relay runs the caddy image too).
    const entry = Object.entries(project.services ?? {}).find(([n, s]) => n in rendering.composeServices && String(s.image ?? "").startsWith("caddy:"));
    if (!entry) throw new Error(`${COMPOSE_FILE} has no service with a caddy image`);
    const [name, svc] = entry;
    const env = Array.isArray(svc.environment)
      ? Object.fromEntries(svc.environment.map((e) => [e.split("=")[0], e.split("=").slice(1).join("=")]))
      : (svc.environment ?? {});
    const problems: string[] = [];
    if (svc.network_mode !== "host") problems.push(`network_mode ${svc.network_mode ?? "bridge"} (upstreams are on the host's loopback)`);
    for (const v of svc.volumes ?? []) {
      const [host, container] = v.split(":");
      if (host !== container) problems.push(`volume ${v} maps to another path (the rehearsal runs it at host paths)`);
    }
    if (!svc.command?.length) problems.push("no command");
    if (!caddy) problems.push("no caddy program to run it with");
    const imageVersion = /^caddy:(\d+\.\d+\.\d+)/.exec(String(svc.image))?.[1];
    const runs = caddy
      ? imageVersion === caddy.version
        ? `run here with ${describeProgram(caddy)}, the image's version`
        : `run here with ${describeProgram(caddy)}, not the image's ${imageVersion ?? svc.image}` +
          (caddy.origin === "debian" ? ` (the fallback: bash scripts/tools.sh caddy builds ${imageVersion ?? "it"})` : "")
      : "";
    rows.push(
      problems.length
        ? fail("caddy compose service", problems.join("; "))
        : pass("caddy compose service", `${name}: ${svc.image}, host network, same paths inside; ${runs}`),
    );
    composeService = { name, command: svc.command ?? [], environment: env };
  }
  return { deployment: d, ctx, rendering, files: cloud.files, runcmd: cloud.runcmd, rows, composeService, firstBoot, synthMs: synth.ms };
}

/** cdktf.json's "app" command, split on spaces (it has no quoting). */
export function appCommandLine(): string[] {
  const app = (JSON.parse(fs.readFileSync(path.join(REPO, "cdktf.json"), "utf8")) as { app?: string }).app;
  if (!app) throw new Error("cdktf.json has no app command");
  const parts = app.trim().split(/\s+/);
  return parts[0] === "node" ? [process.execPath, ...parts.slice(1)] : parts;
}

/** Files runcmd runs, and the files those scripts name, transitively. */
export function reachableScripts(runcmd: readonly string[], files: readonly DecodedFile[]): DecodedFile[] {
  const found: DecodedFile[] = [];
  let texts = [...runcmd];
  while (texts.length) {
    const next = files.filter((f) => !found.includes(f) && texts.some((t) => t.includes(f.path)) && (f.mode & 0o111) !== 0);
    found.push(...next);
    texts = next.map((f) => f.content.toString("utf8"));
  }
  return found;
}

function count(files: readonly DecodedFile[], encoding: DecodedFile["encoding"]): number {
  return files.filter((f) => f.encoding === encoding).length;
}

export function specFiles(files: readonly DecodedFile[]): SpecFile[] {
  return files.map((f) => ({
    path: f.path,
    contentBase64: f.content.toString("base64"),
    mode: f.mode,
    owner: f.owner,
    group: f.group,
    append: f.append,
    defer: f.defer,
  }));
}

/** /etc/hosts lines: the deployment's hostnames and the compose service names on loopback. */
export function hostsLines(p: Prepared): string[] {
  const names = new Set<string>([
    ...p.ctx.sites.map((s) => s.hostname),
    ...p.deployment.tracker.udpTrackers.map((u) => `${u.subdomain}.${p.deployment.domain}`),
  ]);
  const compose = p.files.find((f) => f.path === COMPOSE_FILE);
  const services = compose ? Object.keys((YAML.parse(compose.content.toString("utf8")) as { services?: object }).services ?? {}) : [];
  return [`127.0.0.1 ${[...names].join(" ")}`, ...(services.length ? [`127.0.0.1 ${services.join(" ")}`] : [])];
}

export const PATHS = { nginxCertbot: NGINX_CERTBOT_PATHS, caddy: CADDY_PATHS };
