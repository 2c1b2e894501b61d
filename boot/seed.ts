// The NoCloud seed the guest boots with: user-data exactly as Hetzner would receive it (the
// synthesized Terraform string rendered the way Terraform renders it, the volume id substituted),
// meta-data with a new instance-id per server and the admin keys as Hetzner's metadata gives them
// (the server's ssh_keys), written to a FAT image labelled CIDATA (cloud-init's NoCloud
// datasource: DataSourceNoCloud.py, "cidata" label, files user-data / meta-data).
import * as fs from "node:fs";
import * as path from "node:path";
import { runOk } from "../rehearsal/proc";
import { renderTerraformString } from "../rehearsal/write-files";

/** Hetzner's volume device path for a volume id (what the generated runcmd passes to the bootstrap). */
export const volumeByIdPath = (volumeId: number) => `/dev/disk/by-id/scsi-0HC_Volume_${volumeId}`;

/**
 * Renders the hcloud_server's user_data as Terraform would: `$${` → `${`, `%%{` → `%{`, and the
 * only interpolation allowed, the volume's `.id`, replaced by `volumeId`. Anything else is refused:
 * Hetzner would receive a value this harness cannot know.
 */
export function renderUserData(stackJson: unknown, volumeId: number): { serverName: string; userData: Buffer } {
  const servers = (stackJson as { resource?: { hcloud_server?: Record<string, { user_data?: unknown }> } }).resource?.hcloud_server ?? {};
  const names = Object.keys(servers);
  if (names.length !== 1) throw new Error(`expected one hcloud_server in the synthesized stack, found ${names.length}`);
  const raw = servers[names[0]].user_data;
  if (typeof raw !== "string") throw new Error(`hcloud_server.${names[0]}.user_data is not a string`);
  const { text } = renderTerraformString(raw, (expression) => {
    if (/^hcloud_volume\.[A-Za-z0-9_-]+\.id$/.test(expression)) return String(volumeId);
    throw new Error(`user_data interpolates \${${expression}}: only the volume id is known to the boot harness`);
  });
  return { serverName: names[0], userData: Buffer.from(text, "utf8") };
}

export interface SeedInput {
  readonly userData: Buffer;
  /** New for every server: a new instance-id is what makes cloud-init run its per-instance modules again. */
  readonly instanceId: string;
  readonly hostname: string;
  /** The server's ssh_keys (Hetzner's metadata public-keys). */
  readonly publicKeys: readonly string[];
}

/** The seed's files, byte for byte. meta-data is YAML; every value is quoted as JSON (a YAML subset). */
export function seedFiles(input: SeedInput): Record<"user-data" | "meta-data", Buffer> {
  for (const [field, value] of [["instanceId", input.instanceId], ["hostname", input.hostname]] as const) {
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(value)) throw new Error(`seed ${field} ${JSON.stringify(value)}: letters, digits, dots and hyphens only`);
  }
  const lines = [`instance-id: ${input.instanceId}`, `local-hostname: ${input.hostname}`];
  if (input.publicKeys.length) lines.push("public-keys:", ...input.publicKeys.map((k) => `  - ${JSON.stringify(k)}`));
  return { "user-data": Buffer.from(input.userData), "meta-data": Buffer.from(lines.join("\n") + "\n", "utf8") };
}

/** Writes `files` into a new FAT image `image` with volume label `label` (mkfs.vfat, mcopy). */
export async function writeFatImage(image: string, label: string, files: Record<string, Buffer>): Promise<void> {
  const staging = fs.mkdtempSync(`${image}.files-`);
  try {
    fs.rmSync(image, { force: true });
    await runOk("mkfs.vfat", ["-n", label, "-C", image, "2048"]);
    for (const [name, content] of Object.entries(files)) {
      const local = path.join(staging, name);
      fs.writeFileSync(local, content);
      await runOk("mcopy", ["-i", image, "-o", local, `::${name}`], { env: { ...process.env, MTOOLS_SKIP_CHECK: "1" } });
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The NoCloud seed image (label CIDATA). */
export async function writeSeed(image: string, input: SeedInput): Promise<void> {
  await writeFatImage(image, "CIDATA", seedFiles(input));
}
