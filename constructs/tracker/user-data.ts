// Assembles the server's #cloud-config from a validated deployment, its edge context and the
// chosen proxy's rendering. Pure and deterministic: hcloud user_data is ForceNew, so the same
// input must give the same bytes.
import { parse, stringify } from "yaml";
import { CloudConfig } from "../cloud-init/cloud-config";
import type { RenderedFile } from "../cloud-init/rendered-file";
import type { Deployment } from "../deployment/schema";
import type { EdgeContext, ProxyRendering } from "../edge/types";
import { optionalServices } from "../plan/plan";
import { STORAGE } from "./layout";
import { ENABLE_BACKUP_TIMER, backupPackages, renderBackup } from "./render/backup";
import { renderBootstrap } from "./render/bootstrap";
import { backupDatabase, renderDatabase } from "./render/database";
import { helloUpstreamPort, renderCompose } from "./render/compose";
import { renderDashboards } from "./render/dashboards";
import { renderGrafanaDatasource } from "./render/grafana";
import { hostFiles } from "./render/host-files";
import { BOOTSTRAP_SCRIPT, HELLO_ROOT, NET_TUNING_SCRIPT } from "./render/paths";
import { renderJsonExporterConfig, renderPrometheusConfig } from "./render/prometheus";
import { renderTrackerToml } from "./render/tracker-toml";

/** Hetzner's user_data limit in bytes (hetznercloud/terraform-provider-hcloud PR #1499). */
export const USER_DATA_LIMIT_BYTES = 32768;

/** Packages every server gets; the proxy plug-in adds its own. */
export const BASE_PACKAGES = ["docker.io", "docker-compose-v2", "unattended-upgrades"] as const;

/** Files a package install reads: written before packages are installed, not deferred. */
const EARLY_PREFIXES = ["/etc/apt/", "/usr/share/keyrings/", "/etc/docker/"];

export interface UserDataInput {
  readonly deployment: Deployment;
  readonly edge: EdgeContext;
  readonly proxy: ProxyRendering;
  /**
   * The data volume's device, e.g. `/dev/disk/by-id/scsi-0HC_Volume_<id>`, or a Terraform token
   * that resolves to it. It appears once, as the bootstrap's runcmd argument, never encoded.
   */
  readonly volumeDevice: string;
}

export interface UserData {
  /** The #cloud-config document. */
  readonly text: string;
  /** Every file it writes, in write_files order. */
  readonly files: readonly RenderedFile[];
}

const isEarly = (f: RenderedFile) => EARLY_PREFIXES.some((p) => f.path.startsWith(p));

export function renderUserData(input: UserDataInput): UserData {
  const { deployment: d, edge: ctx, proxy, volumeDevice } = input;
  checkVolumeDevice(volumeDevice);
  for (const f of proxy.files) {
    if (f.path === STORAGE || f.path.startsWith(`${STORAGE}/`)) {
      throw new Error(
        `proxy file ${f.path} is under ${STORAGE}, where the data volume is mounted after write_files runs, which would hide it: ` +
          "write configuration elsewhere (e.g. /opt/torrust/proxy) and create state on the volume in a bootstrap command",
      );
    }
  }

  const host = hostFiles(d);
  const optional = optionalServices(d);
  const backupDb = backupDatabase(d);
  const stack: RenderedFile[] = [
    renderCompose(d, ctx, proxy),
    renderTrackerToml(d),
    ...(optional.prometheus ? [renderPrometheusConfig(d), renderJsonExporterConfig()] : []),
    ...(optional.grafana ? [renderGrafanaDatasource(d), ...renderDashboards()] : []),
    ...renderBootstrap(proxy, d.tracker.api.port, optional),
    ...renderDatabase(d),
    ...renderBackup(d, backupDb),
  ];
  if (helloUpstreamPort(ctx) !== undefined) stack.push({ path: `${HELLO_ROOT}/index.html`, content: ctx.helloPage!, permissions: "0644" });
  if (ctx.acme.caRootPem !== undefined) stack.push({ path: ctx.acme.caRootPath, content: ctx.acme.caRootPem, permissions: "0644" });

  const config = new CloudConfig({ generator: "torrust-tracker-cdktf constructs/tracker/user-data.ts" })
    .addPackages(...BASE_PACKAGES, ...backupPackages(d, backupDb), ...proxy.packages)
    .addAdminUser({ name: d.admin.username, sshAuthorizedKeys: d.admin.sshKeys.map((k) => k.publicKey) })
    // Before packages: daemon.json must exist when docker.io starts; apt sources before the install.
    .addFiles([...host.early, ...proxy.files.filter(isEarly)])
    // After packages (defer): a package's default config cannot replace these.
    .addFiles([...stack, ...host.late, ...proxy.files.filter((f) => !isEarly(f))], { defer: true })
    // Every boot, RPS is lost with the NIC state; on first boot the script does not exist yet (bootstrap runs it).
    .addBootCommand(`if [ -x ${NET_TUNING_SCRIPT} ]; then ${NET_TUNING_SCRIPT} || true; fi`)
    .addRunCommand([BOOTSTRAP_SCRIPT, volumeDevice]);
  if (d.backup.enabled) config.addRunCommand(ENABLE_BACKUP_TIMER);

  const text = config.render();
  checkTerraformTemplates(text, volumeDevice);
  assertUserDataSize(text);
  return { text, files: config.files };
}

function checkVolumeDevice(device: string): void {
  if (device === "" || /\s/.test(device)) throw new Error(`volumeDevice ${JSON.stringify(device)} must be one word: a /dev path or a token`);
  if (!device.includes("${") && !device.startsWith("/dev/")) {
    throw new Error(`volumeDevice ${JSON.stringify(device)} must be a device path such as /dev/disk/by-id/scsi-0HC_Volume_12345`);
  }
}

/** Terraform interpolates `${…}` and `%{…}` in user_data: only the volume device token may contain one. */
function checkTerraformTemplates(text: string, volumeDevice: string): void {
  const rest = text.split(volumeDevice).join("");
  const line = rest.split("\n").find((l) => /[$%]\{/.test(l));
  if (line !== undefined) {
    throw new Error(
      `user_data would be changed by Terraform, which interpolates "\${" and "%{" in every string: ${JSON.stringify(line.trim())}. ` +
        "Put such text in a file (files are base64-encoded when they contain it), not in a command",
    );
  }
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * Throws when `text` exceeds USER_DATA_LIMIT_BYTES, naming the size, the overshoot, the largest
 * files and what to drop. Returns the size.
 * @param measuredWith how to count; @default UTF-8 bytes, what the Hetzner API counts
 */
export function assertUserDataSize(text: string, measuredWith: (text: string) => number = utf8Bytes): number {
  const size = measuredWith(text);
  if (size <= USER_DATA_LIMIT_BYTES) return size;
  throw new Error(
    `user_data is ${size} bytes, ${size - USER_DATA_LIMIT_BYTES} over Hetzner's limit of ${USER_DATA_LIMIT_BYTES} bytes ` +
      `(the API answers "Length must be between 0 and 32768"). Largest files: ${largestFiles(text)}; ` +
      `outside the files (admin user and its SSH keys, packages, commands): ${outsideFiles(text)} bytes. ` +
      "To shrink it: drop helloWorld (its page and container), use fewer HTTP/UDP trackers or SSH keys, or shorten the proxy configuration",
  );
}

function outsideFiles(text: string): number {
  const doc = parse(text, { version: "1.1" }) as { write_files?: { content?: string }[] } | null;
  for (const f of doc?.write_files ?? []) f.content = "";
  return utf8Bytes(stringify(doc ?? {}, { version: "1.1" }));
}

function largestFiles(text: string): string {
  const doc = parse(text, { version: "1.1" }) as { write_files?: { path: string; content?: string }[] } | null;
  const files = doc?.write_files ?? [];
  return (
    files
      .map((f) => ({ path: f.path, bytes: utf8Bytes(f.content ?? "") }))
      .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path))
      .slice(0, 3)
      .map((f) => `${f.path} (${f.bytes} bytes)`)
      .join(", ") || "none"
  );
}
