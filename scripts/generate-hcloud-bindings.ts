/**
 * Generates the L1 bindings for the hetznercloud/hcloud provider from the
 * project's own schema subset (`provider-schema/hcloud.schema.json`) with
 * cdktf's generator, in process (route A of the cdktf reference):
 * `.gen/providers/hcloud/` is deleted and rewritten on every run.
 *
 * Usage: `npm run gen:hcloud` (also run by `postinstall`).
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";

const REPO_ROOT = resolve(__dirname, "..");

/** The schema subset the bindings are generated from. */
export const HCLOUD_SCHEMA_PATH = join(REPO_ROOT, "provider-schema", "hcloud.schema.json");

/** Where `npm run gen:hcloud` writes the bindings. */
export const HCLOUD_BINDINGS_DIR = join(REPO_ROOT, ".gen", "providers", "hcloud");

/**
 * Generates the hcloud bindings into `outDir`, which ends up holding what
 * `cdktf get` would put in `.gen/providers/hcloud/` (`index.ts`,
 * `lazy-index.ts`, one folder per resource), without README files.
 * `outDir` is deleted first.
 */
export async function generateHcloudBindings(outDir: string): Promise<void> {
  // @cdktf/commons runs `terraform version` when it is loaded; without a
  // readable CLI config file terraform warns and cdktf logs that as [ERROR].
  process.env.TF_CLI_CONFIG_FILE = join(REPO_ROOT, "terraformrc.empty");
  process.env.CHECKPOINT_DISABLE ??= "1";
  // Deep imports: the package index needs jsii-pacmak, which is not installed.
  const { TerraformProviderGenerator } = await import(
    "@cdktf/provider-generator/lib/get/generator/provider-generator.js"
  );
  const { CodeMaker } = await import("codemaker");

  const schema = JSON.parse(await readFile(HCLOUD_SCHEMA_PATH, "utf8"));
  const code = new CodeMaker();
  new TerraformProviderGenerator(code, schema).generateAll();

  const target = resolve(outDir);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), ".hcloud-gen-"));
  try {
    await code.save(staging);
    const generated = join(staging, "providers", "hcloud");
    await removeReadmes(generated);
    await rm(target, { recursive: true, force: true });
    await rename(generated, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function removeReadmes(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await removeReadmes(path);
    } else if (entry.name === "README.md") {
      await rm(path);
    }
  }
}

const rel = (path: string): string => relative(process.cwd(), path);

if (require.main === module) {
  generateHcloudBindings(HCLOUD_BINDINGS_DIR).then(
    () => console.log(`gen:hcloud: ${rel(HCLOUD_SCHEMA_PATH)} -> ${rel(HCLOUD_BINDINGS_DIR)}/`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
