// Where `npm run tools` (scripts/tools.sh) put a tool: the shell script is the one home of the
// names, versions and cache layout; this asks it (`--print NAME`) instead of restating them.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const TOOLS_SH = path.join(__dirname, "tools.sh");

/** The tool's binary, or undefined when it is not built (or unknown to tools.sh). */
export function builtTool(name: string): string | undefined {
  const r = spawnSync("bash", [TOOLS_SH, "--print", name], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The tool's binary; throws a message saying how to build it when it is missing. */
export function requireTool(name: string): string {
  const bin = builtTool(name);
  if (bin === undefined) {
    throw new ToolMissingError(`${name} is not built: run \`npm run tools\` (or \`bash scripts/tools.sh ${name}\`) once; it builds into ~/.cache/torrust-tracker-cdktf/tools/`);
  }
  return bin;
}

/** A tool the command needs is not built. */
export class ToolMissingError extends Error {}

/**
 * The version tools.sh built, from its cache folder name: `<name>-<version>/bin/<binary>`, or
 * `<name>-<version>-<source hash>` for an in-repo tool.
 */
export function toolVersion(binary: string, name: string): string {
  const folder = path.basename(path.dirname(path.dirname(binary)));
  const version = /^(\d+\.\d+\.\d+)(?:-[0-9a-f]+)?$/.exec(folder.slice(name.length + 1))?.[1];
  if (!folder.startsWith(`${name}-`) || version === undefined) throw new Error(`unexpected tool folder ${folder} for ${name}`);
  return version;
}
