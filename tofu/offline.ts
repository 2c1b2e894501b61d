// OpenTofu run offline: the providers come from a filesystem mirror of local builds (named in a
// generated CLI config, no `direct` installation), the credentials are dummies in the formats the
// providers check, and every API endpoint is a closed port on 127.0.0.1.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { requireTool, toolVersion } from "../scripts/tools";
import { PROVIDER_BUILDS, type RequiredProvider, platform, providerAddress, providerKey } from "./providers";

/** The project's cache root (scripts/tools.sh uses the same; TORRUST_TOOLS_CACHE moves only the tools). */
export const CACHE_ROOT = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "torrust-tracker-cdktf");

/**
 * A loopback port nothing listens on: privileged, so no test server of ours binds it. Checked
 * before use ({@link assertClosed}).
 */
export const CLOSED_PORT = 1;
const CLOSED = `http://127.0.0.1:${CLOSED_PORT}`;

/**
 * Dummy credentials in the formats the providers validate: hcloud 1.68.0 requires exactly 64
 * characters (hcloud/provider.go, token ValidateFunc); Cloudflare 5.14.0 API tokens match
 * `[A-Za-z0-9-_]{40}` (internal/provider.go).
 */
export const OFFLINE_HCLOUD_CREDENTIAL = "offline-plan-dummy-token-".padEnd(64, "0");
export const OFFLINE_CLOUDFLARE_CREDENTIAL = "offline-plan-dummy-token-".padEnd(40, "0");

/** A provider served from the mirror. */
export interface MirroredProvider extends RequiredProvider {
  readonly address: string;
  readonly executable: string;
  readonly standIn?: string;
}

/** Result of one tofu command. */
export interface TofuResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** A tofu command that exited non-zero. */
export class TofuError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: TofuResult,
  ) {
    super(`tofu ${args.join(" ")} failed (exit ${result.status}):\n${(result.stderr || result.stdout).trim()}`);
  }
}

export interface OfflineTofuOptions {
  /** Where the mirror and CLI config go. @default ~/.cache/torrust-tracker-cdktf/tofu */
  readonly dir?: string;
}

/** OpenTofu with the project's providers, offline. */
export class OfflineTofu {
  /**
   * Locates the built tools for `providers` (from a stack's `required_providers`), links them
   * into the mirror and writes the CLI config. Throws when a tool is missing or built at
   * another version than the stack pins.
   */
  static prepare(providers: readonly RequiredProvider[], options: OfflineTofuOptions = {}): OfflineTofu {
    const dir = options.dir ?? path.join(CACHE_ROOT, "tofu");
    const tofu = requireTool("tofu");
    const mirrorDir = path.join(dir, "mirror");
    const mirrored = providers.map((p): MirroredProvider => {
      const build = PROVIDER_BUILDS[providerKey(p.source)];
      if (!build) throw new Error(`no local build for provider ${p.source}: add it to PROVIDER_BUILDS (tofu/providers.ts) and scripts/tools.sh`);
      const binary = requireTool(build.tool);
      const built = toolVersion(binary, build.tool);
      if (built !== p.version) {
        throw new Error(`the stack pins ${p.source} ${p.version} but scripts/tools.sh builds ${build.tool} ${built}`);
      }
      const address = providerAddress(p.source);
      const type = address.split("/")[2]!;
      const executable = path.join(mirrorDir, address, p.version, platform(), `terraform-provider-${type}_v${p.version}`);
      linkOrCopy(binary, executable);
      return { ...p, address, executable, standIn: build.standIn };
    });
    const text = renderCliConfig(mirrorDir, mirrored.map((p) => p.address));
    // One file per provider set: a run for another set (schema:hcloud) never rewrites this one.
    const cliConfig = path.join(dir, `tofurc-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`);
    writeIfChanged(cliConfig, text);
    return new OfflineTofu(tofu, cliConfig, mirrored);
  }

  private constructor(
    /** The tofu binary. */
    readonly binary: string,
    /** The generated CLI config (TF_CLI_CONFIG_FILE). */
    readonly cliConfig: string,
    readonly providers: readonly MirroredProvider[],
  ) {}

  /** The stand-in notices of the mirrored providers (empty when all are real). */
  get standIns(): string[] {
    return this.providers.flatMap((p) => (p.standIn ? [p.standIn] : []));
  }

  /** The environment tofu runs with: nothing inherited that could reach a real API or cache. */
  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const key of ["PATH", "HOME", "TMPDIR", "LANG", "TZ"]) if (process.env[key] !== undefined) env[key] = process.env[key];
    return {
      ...env,
      TF_CLI_CONFIG_FILE: this.cliConfig,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      HCLOUD_TOKEN: OFFLINE_HCLOUD_CREDENTIAL,
      HCLOUD_ENDPOINT: `${CLOSED}/v1`,
      HETZNER_ENDPOINT: `${CLOSED}/v1`,
      CLOUDFLARE_API_TOKEN: OFFLINE_CLOUDFLARE_CREDENTIAL,
      CLOUDFLARE_BASE_URL: `${CLOSED}/client/v4`,
    };
  }

  /** Runs `tofu args...` in `cwd` (`extraEnv` on top of {@link env}). */
  run(cwd: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): TofuResult {
    const start = process.hrtime.bigint();
    const r = spawnSync(this.binary, args, {
      cwd,
      env: { ...this.env(), ...extraEnv },
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  }

  /** Runs `tofu args...` and throws {@link TofuError} unless it exits 0. */
  must(cwd: string, args: readonly string[]): TofuResult {
    const r = this.run(cwd, args);
    if (r.status !== 0) throw new TofuError(args, r);
    return r;
  }

  /**
   * `tofu init` from the mirror only. The lock file it writes holds the hashes of these local
   * builds: it stays in `cwd`, a working folder outside the repository, and is rewritten on
   * every init (a rebuilt tool has another hash).
   */
  init(cwd: string, options: { backend?: boolean } = {}): TofuResult {
    fs.rmSync(path.join(cwd, ".terraform.lock.hcl"), { force: true });
    return this.must(cwd, ["init", "-no-color", "-input=false", "-reconfigure", `-backend=${options.backend ?? true}`]);
  }
}

/**
 * The CLI config: only the filesystem mirror, limited to the mirrored providers, and no `direct`
 * block, so nothing is installed from a registry (OpenTofu 1.10.10
 * internal/command/cliconfig/provider_installation.go: `filesystem_mirror { path, include }`).
 */
export function renderCliConfig(mirrorDir: string, addresses: readonly string[]): string {
  const include = [...addresses].sort().map((a) => JSON.stringify(a)).join(", ");
  return [
    "# Generated by the torrust-tracker-cdktf offline tools (tofu/offline.ts): providers from local builds only.",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirrorDir)}`,
    `    include = [${include}]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Fails unless nothing accepts connections on 127.0.0.1:{@link CLOSED_PORT}. */
export function assertClosed(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: CLOSED_PORT });
    socket.once("connect", () => {
      socket.destroy();
      reject(new Error(`something listens on 127.0.0.1:${CLOSED_PORT}: the offline plan needs it closed`));
    });
    socket.once("error", () => resolve());
  });
}

// Both write a temporary name and rename it, so a tofu running from another process never sees
// a half-written or missing file.
function linkOrCopy(from: string, to: string): void {
  const src = fs.statSync(from);
  const dst = fs.statSync(to, { throwIfNoEntry: false });
  if (dst && ((dst.ino === src.ino && dst.dev === src.dev) || (dst.size === src.size && dst.mtimeMs >= src.mtimeMs))) return;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  try {
    fs.linkSync(from, tmp);
  } catch {
    fs.copyFileSync(from, tmp);
    fs.chmodSync(tmp, 0o755);
  }
  fs.renameSync(tmp, to);
}

function writeIfChanged(file: string, text: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
