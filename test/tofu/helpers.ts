// Shared by the tofu tests.
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import * as path from "node:path";
import { requireTool } from "../../scripts/tools";
import { tempDir } from "../helpers/tmp";

const ROOT = path.join(__dirname, "../..");

/** Environment for a CLI run: working folders and mirror in a temporary cache, the tools where `npm run tools` put them. */
export function isolatedCache(): NodeJS.ProcessEnv {
  return { XDG_CACHE_HOME: tempDir("plan-cache-"), TORRUST_TOOLS_CACHE: path.dirname(path.dirname(path.dirname(requireTool("tofu")))) };
}

/** `npm run plan -- args...` from the repository root, with an {@link isolatedCache}. */
export function planCli(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--import", "tsx", "tofu/plan.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...isolatedCache() },
    encoding: "utf8",
  });
}
