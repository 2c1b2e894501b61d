// provider-schema/hcloud.schema.json from the real provider: `tofu providers schema -json` of the
// locally built terraform-provider-hcloud, cut to the resources and data sources this project
// uses, plus `provider_versions` (cdktf's generator pins the version from it).
//
//   npm run schema:hcloud            rewrite the committed file
//   npm run schema:hcloud -- --check exit 1 when the committed file differs from the provider's
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HCLOUD_SCHEMA_PATH } from "../scripts/generate-hcloud-bindings";
import { OfflineTofu } from "./offline";
import type { RequiredProvider } from "./providers";

/** The hcloud provider as the bindings pin it (the version is also in `provider_versions`). */
export const HCLOUD: RequiredProvider = { name: "hcloud", source: "registry.terraform.io/hetznercloud/hcloud", version: "1.68.0" };

/** What the project generates bindings for. */
export const HCLOUD_RESOURCES = [
  "hcloud_firewall",
  "hcloud_firewall_attachment",
  "hcloud_primary_ip",
  "hcloud_rdns",
  "hcloud_server",
  "hcloud_ssh_key",
  "hcloud_volume",
  "hcloud_volume_attachment",
] as const;
export const HCLOUD_DATA_SOURCES = ["hcloud_location", "hcloud_server_type"] as const;

/** The schema file's text as the built provider reports it (stable key order, 2-space JSON). */
export function hcloudSchemaFromProvider(): string {
  const tofu = OfflineTofu.prepare([HCLOUD]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hcloud-schema-"));
  try {
    fs.writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify({ terraform: { required_providers: { hcloud: { source: HCLOUD.source, version: HCLOUD.version } } } }),
    );
    tofu.init(dir, { backend: false });
    const all = JSON.parse(tofu.must(dir, ["providers", "schema", "-json"]).stdout);
    const p = all.provider_schemas[HCLOUD.source];
    const pick = (from: Record<string, unknown>, names: readonly string[]) =>
      Object.fromEntries(
        names.map((n) => {
          if (!(n in from)) throw new Error(`hcloud ${HCLOUD.version} has no ${n}`);
          return [n, from[n]];
        }),
      );
    const subset = {
      format_version: all.format_version,
      provider_schemas: {
        [HCLOUD.source]: {
          provider: p.provider,
          resource_schemas: pick(p.resource_schemas, HCLOUD_RESOURCES),
          data_source_schemas: pick(p.data_source_schemas, HCLOUD_DATA_SOURCES),
        },
      },
      provider_versions: { [HCLOUD.source]: HCLOUD.version },
    };
    return `${JSON.stringify(sortKeys(subset), null, 2)}\n`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

if (require.main === module) {
  const check = process.argv.includes("--check");
  try {
    const real = hcloudSchemaFromProvider();
    const rel = path.relative(process.cwd(), HCLOUD_SCHEMA_PATH);
    if (check) {
      const same = fs.readFileSync(HCLOUD_SCHEMA_PATH, "utf8") === real;
      console.log(same ? `${rel} matches terraform-provider-hcloud ${HCLOUD.version}` : `${rel} differs from terraform-provider-hcloud ${HCLOUD.version}: run npm run schema:hcloud`);
      process.exitCode = same ? 0 : 1;
    } else {
      fs.writeFileSync(HCLOUD_SCHEMA_PATH, real);
      console.log(`schema:hcloud: terraform-provider-hcloud ${HCLOUD.version} -> ${rel} (then npm run gen:hcloud)`);
    }
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
