// Shared by the tofu tests.
import * as path from "node:path";
import { requireTool } from "../../scripts/tools";
import { tempDir } from "../helpers/tmp";

/** Environment for a CLI run: working folders and mirror in a temporary cache, the tools where `npm run tools` put them. */
export function isolatedCache(): NodeJS.ProcessEnv {
  return { XDG_CACHE_HOME: tempDir("plan-cache-"), TORRUST_TOOLS_CACHE: path.dirname(path.dirname(path.dirname(requireTool("tofu")))) };
}
