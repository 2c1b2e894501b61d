import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { TerraformStack, Testing } from "cdktf";
import { testApp } from "../helpers/cdktf";
import { HcloudProvider } from "../../.gen/providers/hcloud/provider";
import {
  generateHcloudBindings,
  HCLOUD_BINDINGS_DIR,
  HCLOUD_SCHEMA_PATH,
} from "../../scripts/generate-hcloud-bindings";

const FQPN = "registry.terraform.io/hetznercloud/hcloud";

async function listFiles(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    out.push(...(entry.isDirectory() ? await listFiles(path, root) : [relative(root, path)]));
  }
  return out.sort();
}

/** `hcloud_volume_attachment` → `VolumeAttachment`, data `hcloud_location` → `DataHcloudLocation`. */
function className(type: string, data: boolean): string {
  const words = (data ? `data_${type}` : type.replace(/^hcloud_/, "")).split("_");
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

function folder(type: string, data: boolean): string {
  return (data ? `data_${type}` : type.replace(/^hcloud_/, "")).replace(/_/g, "-");
}

describe("hcloud bindings", () => {
  let fresh: string;
  let schema: any;

  before(async () => {
    schema = JSON.parse(await readFile(HCLOUD_SCHEMA_PATH, "utf8"));
    fresh = join(await mkdtemp(join(tmpdir(), "hcloud-bindings-")), "hcloud");
    await generateHcloudBindings(fresh);
  });

  after(async () => {
    await rm(join(fresh, ".."), { recursive: true, force: true });
  });

  it("are up to date: .gen/providers/hcloud is byte-identical to a fresh generation (run npm run gen:hcloud)", async () => {
    const files = await listFiles(fresh);
    assert.deepEqual(await listFiles(HCLOUD_BINDINGS_DIR), files);
    for (const file of files) {
      const [a, b] = await Promise.all([readFile(join(fresh, file)), readFile(join(HCLOUD_BINDINGS_DIR, file))]);
      assert.ok(a.equals(b), `${file} differs from a fresh generation`);
    }
    assert.ok(!files.some((f) => f.endsWith("README.md")), "README files are dropped");
  });

  it("have a class for every resource and data source in the schema, and the provider class", async () => {
    const provider = schema.provider_schemas[FQPN];
    const expected = [
      ...Object.keys(provider.resource_schemas).map((type) => [type, false] as const),
      ...Object.keys(provider.data_source_schemas).map((type) => [type, true] as const),
    ];
    assert.equal(expected.length, 10);
    assert.equal(typeof HcloudProvider, "function");
    for (const [type, data] of expected) {
      // Imported from .gen (identical to `fresh`, see above): a temp dir cannot resolve "cdktf".
      const module = await import(join(HCLOUD_BINDINGS_DIR, folder(type, data), "index.ts"));
      const cls = module[className(type, data)];
      assert.equal(typeof cls, "function", `class ${className(type, data)} for ${type}`);
      assert.equal(cls.tfResourceType, type, `tfResourceType of ${className(type, data)}`);
    }
  });

  it("pin hetznercloud/hcloud 1.68.0 in required_providers", () => {
    const app = testApp();
    const stack = new TerraformStack(app, "stack");
    new HcloudProvider(stack, "hcloud", {});
    const json = JSON.parse(Testing.synth(stack));
    assert.deepEqual(json.terraform.required_providers.hcloud, { source: FQPN, version: "1.68.0" });
    assert.match(json.terraform.required_providers.hcloud.source, /(^|\/)hetznercloud\/hcloud$/);
  });
});

describe("hcloud schema subset", () => {
  let schema: any;
  before(async () => {
    schema = JSON.parse(await readFile(HCLOUD_SCHEMA_PATH, "utf8"));
  });

  it("pins the provider version and marks only the token sensitive", () => {
    assert.deepEqual(schema.provider_versions, { [FQPN]: "1.68.0" });
    const provider = schema.provider_schemas[FQPN];
    assert.equal(provider.provider.block.attributes.token.sensitive, true);
    const sensitive: string[] = [];
    walk(schema, (path, node) => node.sensitive && sensitive.push(path));
    assert.deepEqual(sensitive, ["provider.token"]);
  });

  it("types ids as the fact sheet says (number only for hcloud_primary_ip)", () => {
    const resources = schema.provider_schemas[FQPN].resource_schemas;
    const ids = Object.fromEntries(Object.entries<any>(resources).map(([type, r]) => [type, r.block.attributes.id.type]));
    assert.deepEqual(ids, {
      hcloud_server: "string",
      hcloud_ssh_key: "string",
      hcloud_firewall: "string",
      hcloud_firewall_attachment: "string",
      hcloud_primary_ip: "number",
      hcloud_rdns: "string",
      hcloud_volume: "string",
      hcloud_volume_attachment: "string",
    });
  });

  it("has a description_kind on every block and attribute (plain: SDK engine, markdown: framework engine)", () => {
    const missing: string[] = [];
    walk(schema, (path, node) => !["plain", "markdown"].includes(node.description_kind) && missing.push(path));
    assert.deepEqual(missing, []);
  });
});

/** Visits every block and attribute of the provider schema as `kind.type.path`. */
function walk(schema: any, visit: (path: string, node: any) => unknown): void {
  const provider = schema.provider_schemas[FQPN];
  const block = (path: string, b: any): void => {
    visit(path, b);
    for (const [name, attribute] of Object.entries<any>(b.attributes ?? {})) {
      visit(`${path}.${name}`, attribute);
      for (const [inner, nested] of Object.entries<any>(attribute.nested_type?.attributes ?? {})) {
        visit(`${path}.${name}.${inner}`, nested);
      }
    }
    for (const [name, nested] of Object.entries<any>(b.block_types ?? {})) {
      block(`${path}.${name}`, nested.block);
    }
  };
  const root = (path: string, b: any): void => {
    for (const [name, attribute] of Object.entries<any>(b.attributes ?? {})) {
      visit(`${path}.${name}`, attribute);
    }
  };
  root("provider", provider.provider.block);
  for (const [type, r] of Object.entries<any>(provider.resource_schemas)) block(type, r.block);
  for (const [type, r] of Object.entries<any>(provider.data_source_schemas)) block(`data.${type}`, r.block);
}
