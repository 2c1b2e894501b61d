// A synthesized stack put into an offline working folder: the app's own synth, then the
// configured backend swapped for a local state file inside that folder.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** A synthesized stack (`cdk.tf.json`, parsed). */
export interface StackJson {
  terraform?: { backend?: Record<string, unknown>; required_providers?: Record<string, { source: string; version?: string }> };
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  [key: string]: unknown;
}

/** One stack of a synth. */
export interface SynthesizedStack {
  readonly name: string;
  readonly json: StackJson;
}

/** The app refused a deployment file; its message names the file and field. */
export class SynthError extends Error {}

/**
 * Synthesizes `deployments` (a file or folder) with the app command (main.ts), into a temporary
 * folder that is removed again. Throws {@link SynthError} with the app's message on bad input.
 */
export function synthStacks(deployments: string): SynthesizedStack[] {
  return synth(deployments, false).map(({ name, text }) => ({ name, json: JSON.parse(text) as StackJson }));
}

/** Like {@link synthStacks}, as `cdktf synth --hcl` writes them (`cdk.tf`; cdktf reads SYNTH_HCL_OUTPUT). */
export function synthHclStacks(deployments: string): { readonly name: string; readonly hcl: string }[] {
  return synth(deployments, true).map(({ name, text }) => ({ name, hcl: text }));
}

function synth(deployments: string, hcl: boolean): { name: string; text: string }[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "tofu-synth-"));
  try {
    const r = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "main.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        TRACKER_DEPLOYMENTS: path.resolve(deployments),
        CDKTF_OUTDIR: outdir,
        CHECKPOINT_DISABLE: "1",
        SYNTH_HCL_OUTPUT: String(hcl),
      },
      encoding: "utf8",
    });
    if (r.status !== 0) throw new SynthError((r.stderr || r.stdout).trim());
    const stacksDir = path.join(outdir, "stacks");
    const file = hcl ? "cdk.tf" : "cdk.tf.json";
    return fs
      .readdirSync(stacksDir)
      .sort()
      .map((name) => ({ name, text: fs.readFileSync(path.join(stacksDir, name, file), "utf8") }));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The backend a stack configures, e.g. `local (/home/me/.local/state/…/x.tfstate)` or `s3 (bucket/key)`. */
export function describeBackend(json: StackJson): string {
  const [kind, config] = Object.entries(json.terraform?.backend ?? {})[0] ?? ["local", {}];
  const c = config as Record<string, unknown>;
  if (kind === "local") return `local (${c.path ?? "terraform.tfstate"})`;
  if (kind === "s3") return `s3 (${c.bucket}/${c.key})`;
  return kind;
}

/**
 * Writes `json` as `main.tf.json` into `dir` with the backend replaced by a local state file in
 * `dir`, so planning never touches the configured state (local or remote). Returns the state path.
 */
export function writeOfflineConfig(dir: string, json: StackJson): string {
  fs.mkdirSync(dir, { recursive: true });
  const copy = structuredClone(json);
  // Not terraform.tfstate: init would treat that as the default local state to migrate into the
  // configured one (the same file) and truncate it.
  const statePath = path.join(dir, "offline.tfstate");
  copy.terraform = { ...copy.terraform, backend: { local: { path: statePath } } };
  // Leftover configs, and default-path state that init would offer to migrate.
  for (const f of fs.readdirSync(dir)) if (/\.tf(\.json)?$|^terraform\.tfstate/.test(f)) fs.rmSync(path.join(dir, f));
  fs.writeFileSync(path.join(dir, "main.tf.json"), `${JSON.stringify(copy, null, 2)}\n`);
  return statePath;
}

/** The construct path of each resource address, from the synthesized metadata (`Tracker/Server`). */
export function constructPaths(json: StackJson): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const p = (body["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path;
      if (p) paths.set(`${type}.${name}`, p.split("/").slice(1).filter((s) => s !== "Default").join("/"));
    }
  }
  return paths;
}
