// The guest image, built once by boot/image.sh and cached outside the clone under a key of its
// inputs (the build script, the harness files, the package list and the stand-in mapping).
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";

export const BOOT_DIR = __dirname;
/** Where images live: ${TORRUST_BOOT_CACHE:-~/.cache/torrust-tracker-cdktf/boot}/<key>/. */
export const CACHE_ROOT = process.env.TORRUST_BOOT_CACHE ?? path.join(os.homedir(), ".cache", "torrust-tracker-cdktf", "boot");

/**
 * Ubuntu-only package names the cloud-config installs, and the Debian 13 package each stand-in
 * depends on. docker-compose-v2 is Ubuntu's name for Compose v2; Debian 13's docker-compose is
 * Compose v2 (the Go plug-in).
 */
export const STANDIN_PACKAGES: Readonly<Record<string, string>> = { "docker-compose-v2": "docker-compose" };

export interface GuestImage {
  readonly dir: string;
  readonly key: string;
  readonly base: string;
  readonly kernel: string;
  readonly initrd: string;
  /** The image's root tree (for `cloud-init schema` in a chroot). */
  readonly rootfs: string;
  readonly packages: readonly string[];
  readonly cloudInitVersion: string;
}

const INPUTS = ["image.sh"];

export function imageKey(packages: readonly string[]): string {
  const h = createHash("sha256");
  for (const f of INPUTS) h.update(`${f}\0`).update(fs.readFileSync(path.join(BOOT_DIR, f))).update("\0");
  h.update(JSON.stringify([...packages].sort())).update(JSON.stringify(STANDIN_PACKAGES));
  return `trixie-${h.digest("hex").slice(0, 16)}`;
}

function describe(dir: string, key: string, packages: readonly string[]): GuestImage {
  return {
    dir,
    key,
    base: path.join(dir, "base.qcow2"),
    kernel: path.join(dir, "vmlinuz"),
    initrd: path.join(dir, "initrd.img"),
    rootfs: path.join(dir, "rootfs"),
    packages,
    cloudInitVersion: fs.existsSync(path.join(dir, "cloud-init-version.txt")) ? fs.readFileSync(path.join(dir, "cloud-init-version.txt"), "utf8").trim() : "unknown",
  };
}

/** The cached image for these packages, or undefined. */
export function cachedImage(packages: readonly string[]): GuestImage | undefined {
  const key = imageKey(packages);
  const dir = path.join(CACHE_ROOT, key);
  return fs.existsSync(path.join(dir, "base.qcow2")) ? describe(dir, key, packages) : undefined;
}

/** Returns the cached image or builds it (several minutes: debootstrap and the package downloads). */
export async function ensureImage(packages: readonly string[], progress: (m: string) => void): Promise<GuestImage & { builtMs?: number }> {
  const cached = cachedImage(packages);
  if (cached) return cached;
  if (process.getuid?.() !== 0) throw new Error("building the boot image needs root (debootstrap, chroot)");
  const key = imageKey(packages);
  const dir = path.join(CACHE_ROOT, key);
  fs.mkdirSync(CACHE_ROOT, { recursive: true });
  // One build at a time per key: a second caller waits for the first.
  const lock = `${dir}.lock`;
  const start = Date.now();
  const args = [path.join(BOOT_DIR, "image.sh"), dir, ...packages, ...Object.entries(STANDIN_PACKAGES).flatMap(([n, t]) => ["--standin", `${n}=${t}`])];
  progress(`building the guest image ${key} (debootstrap Debian 13; cached afterwards in ${dir})`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn("flock", [lock, "bash", "-c", 'test -e "$0/base.qcow2" || exec bash "$@"', dir, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tail = "";
    const onData = (d: Buffer) => {
      tail = (tail + d.toString("utf8")).slice(-4000);
      for (const line of d.toString("utf8").split("\n")) if (line.trim()) progress(line.trim());
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`boot/image.sh failed (${code}):\n${tail}`))));
  });
  fs.rmSync(lock, { force: true });
  return { ...describe(dir, key, packages), builtMs: Date.now() - start };
}
