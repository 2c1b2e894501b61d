// The Cloudflare provider STAND-IN (tools/cloudflare-provider-standin) run by the real OpenTofu:
// its schema must be 5.14.0's (schema-facts.json, read from the 5.14.0 source), its plans must
// replace/update as 5.14.0's plan modifiers decide, its validators must refuse what 5.14.0's
// refuse, every attribute the cdktf bindings can emit or read must exist in it with a compatible
// type, and the project's synthesized stack must validate with it and the real hcloud provider.
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import ts from "typescript";
import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import {
  DnsRecord,
  DnsRecordDataOutputReference,
  DnsRecordSettingsOutputReference,
  dnsRecordDataToHclTerraform,
  dnsRecordSettingsToHclTerraform,
  type DnsRecordConfig,
} from "@cdktf/provider-cloudflare/lib/dns-record";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { tempDir } from "../helpers/tmp";
import { testApp } from "../helpers/cdktf";

const ROOT = path.resolve(__dirname, "../..");
const STANDIN = path.join(ROOT, "tools/cloudflare-provider-standin");
const CF = "registry.opentofu.org/cloudflare/cloudflare"; // "cloudflare/cloudflare" without a host
const HCLOUD = "registry.terraform.io/hetznercloud/hcloud";
const BINDINGS_DTS = require.resolve("@cdktf/provider-cloudflare/lib/dns-record/index.d.ts");

// ---- facts ------------------------------------------------------------------------------------

interface FactAttribute {
  type?: string | string[];
  nested_type?: { nesting_mode: string; attributes: Record<string, FactAttribute> };
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  default?: string;
  plan_modifiers?: string[];
}
interface Facts {
  source: { tag: string; commit: string };
  provider: Record<string, FactAttribute>;
  resources: Record<string, { version: number; attributes: Record<string, FactAttribute> }>;
}
const facts = JSON.parse(fs.readFileSync(path.join(STANDIN, "schema-facts.json"), "utf8")) as Facts;
const recordFacts = facts.resources.cloudflare_dns_record!;

/** What `providers schema -json` shows of an attribute, in one comparable shape. */
interface Shape {
  type?: unknown;
  nested?: { mode: string; attributes: Record<string, Shape> };
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
}
function shapes(attrs: Record<string, FactAttribute>): Record<string, Shape> {
  return Object.fromEntries(
    Object.entries(attrs).map(([name, a]) => [
      name,
      {
        ...(a.type !== undefined ? { type: a.type } : {}),
        ...(a.nested_type ? { nested: { mode: a.nested_type.nesting_mode, attributes: shapes(a.nested_type.attributes) } } : {}),
        required: a.required ?? false,
        optional: a.optional ?? false,
        computed: a.computed ?? false,
        sensitive: a.sensitive ?? false,
      },
    ]),
  );
}

/** Same attribute names, then the same shape per attribute (named in the failure). */
function assertSameAttributes(where: string, actual: Record<string, FactAttribute>, expected: Record<string, FactAttribute>): void {
  const a = shapes(actual);
  const e = shapes(expected);
  assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), `${where}: attribute names`);
  for (const name of Object.keys(e)) assert.deepEqual(a[name], e[name], `${where}.${name}`);
}

// ---- programs -----------------------------------------------------------------------------------

function toolsSh(args: string[], timeoutMs: number): SpawnSyncReturns<string> {
  return spawnSync("bash", ["scripts/tools.sh", ...args], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs });
}

/** The path of a tool built by scripts/tools.sh; fails (never skips) with the command to build it. */
function builtTool(name: string): string {
  const r = toolsSh(["--print", name], 30_000);
  assert.equal(r.status, 0, `${name} is not built: run \`bash scripts/tools.sh ${name}\` (npm run tools)`);
  return r.stdout.trim();
}

const PLATFORM = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;

/** A filesystem mirror holding copies of the given providers, and a CLI config that uses only it. */
function mirror(providers: Record<string, { version: string; binary: string }>): string {
  const dir = tempDir("cf-standin-mirror-");
  for (const [address, { version, binary }] of Object.entries(providers)) {
    const dest = path.join(dir, address, version, PLATFORM);
    fs.mkdirSync(dest, { recursive: true });
    fs.copyFileSync(binary, path.join(dest, path.basename(binary)));
    fs.chmodSync(path.join(dest, path.basename(binary)), 0o755);
  }
  const rc = path.join(dir, "tofurc");
  fs.writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(dir)}\n  }\n}\n`);
  return rc;
}

let tofuBin = "";
let cliConfig = "";

function tofu(cwd: string, args: string[]): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
  const r = spawnSync(tofuBin, args, { cwd, env, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A work folder with `config` as main.tf.json, initialised against the mirror. */
function workdir(config: object): string {
  const dir = tempDir("cf-standin-work-");
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config));
  ok(tofu(dir, ["init", "-backend=false", "-input=false", "-no-color"]), "tofu init");
  return dir;
}

const REQUIRED = { required_providers: { cloudflare: { source: "cloudflare/cloudflare", version: "5.14.0" } } };

function recordConfig(record: Record<string, unknown>, provider: Record<string, unknown> = {}): object {
  return { terraform: REQUIRED, provider: { cloudflare: [provider] }, resource: { cloudflare_dns_record: { r: record } } };
}

interface Diagnostic { severity: string; summary: string; detail: string }
function validate(dir: string, config: object): { valid: boolean; diagnostics: Diagnostic[] } {
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config));
  return JSON.parse(tofu(dir, ["validate", "-json", "-no-color"]).stdout) as { valid: boolean; diagnostics: Diagnostic[] };
}

// ---- setup --------------------------------------------------------------------------------------

let standinBin = "";
let schema: { provider: { block: { attributes: Record<string, FactAttribute>; block_types?: object } }; resource_schemas: Record<string, { version: number; block: { attributes: Record<string, FactAttribute>; block_types?: object } }>; data_source_schemas?: object };
let scratch = ""; // an initialised work folder for validate runs

before(() => {
  // The stand-in is cheap to build and must be built from these sources (tools.sh keys it by their hash).
  const build = toolsSh(["cloudflare-provider-standin"], 600_000);
  assert.equal(build.status, 0, `building the stand-in failed:\n${build.stdout}\n${build.stderr}`);
  standinBin = builtTool("cloudflare-provider-standin");
  tofuBin = builtTool("tofu");
  cliConfig = mirror({ [CF]: { version: "5.14.0", binary: standinBin } });
  scratch = workdir(recordConfig({ zone_id: "z", name: "a.example.com", type: "A", content: "192.0.2.1", ttl: 300 }));
  const all = JSON.parse(ok(tofu(scratch, ["providers", "schema", "-json"]), "tofu providers schema")) as { provider_schemas: Record<string, typeof schema> };
  assert.deepEqual(Object.keys(all.provider_schemas), [CF]);
  schema = all.provider_schemas[CF]!;
});

// ---- schema -------------------------------------------------------------------------------------

describe("cloudflare provider stand-in: schema of 5.14.0", () => {
  it(`the provider configuration is 5.14.0's (${facts.source.tag}, internal/provider.go)`, () => {
    assertSameAttributes("provider", schema.provider.block.attributes, facts.provider);
    assert.equal(schema.provider.block.block_types, undefined);
  });

  it("cloudflare_dns_record has 5.14.0's attributes, types, flags and schema version (schema.go)", () => {
    const rec = schema.resource_schemas.cloudflare_dns_record!;
    assertSameAttributes("cloudflare_dns_record", rec.block.attributes, recordFacts.attributes);
    assert.equal(rec.block.block_types, undefined);
    assert.equal(rec.version, recordFacts.version);
    assert.deepEqual(Object.keys(schema.resource_schemas), ["cloudflare_dns_record"]);
  });
});

// ---- plan ---------------------------------------------------------------------------------------

const PRIOR = {
  id: "0123456789abcdef0123456789abcdef",
  zone_id: "zone-a",
  name: "a.example.com",
  type: "A",
  content: "192.0.2.1",
  ttl: 300,
  proxied: false,
  comment: "c",
  priority: null,
  data: null,
  tags: [],
  settings: { ipv4_only: false, ipv6_only: false, flatten_cname: false },
  comment_modified_on: "2025-01-01T00:00:00Z",
  created_on: "2025-01-01T00:00:00Z",
  modified_on: "2025-01-02T00:00:00Z",
  proxiable: true,
  tags_modified_on: null,
  meta: "{}",
};
const CONFIGURED = { zone_id: PRIOR.zone_id, name: PRIOR.name, type: PRIOR.type, content: PRIOR.content, ttl: PRIOR.ttl, comment: PRIOR.comment };

interface Change { actions: string[]; after: Record<string, unknown>; after_unknown: Record<string, unknown>; replace_paths?: string[][] }

/** A local state (format 4) in which record `r` has the attributes `prior`. */
function writeState(dir: string, prior: Record<string, unknown>): void {
  const state = {
    version: 4, terraform_version: "1.10.10", serial: 1, lineage: "cf-standin-test", outputs: {},
    resources: [{ mode: "managed", type: "cloudflare_dns_record", name: "r", provider: `provider["${CF}"]`, instances: [{ schema_version: 0, attributes: prior }] }],
  };
  fs.writeFileSync(path.join(dir, "terraform.tfstate"), JSON.stringify(state));
}

/** `tofu plan -refresh=false` of one record against a fabricated prior state (none: create). */
function plan(record: Record<string, unknown>, prior: Record<string, unknown> | null): { change: Change; output: string } {
  const dir = workdir(recordConfig(record));
  if (prior) writeState(dir, prior);
  const output = ok(tofu(dir, ["plan", "-refresh=false", "-lock=false", "-input=false", "-no-color", "-out=plan.bin"]), "tofu plan");
  const shown = JSON.parse(ok(tofu(dir, ["show", "-json", "plan.bin"]), "tofu show")) as { resource_changes: { change: Change }[] };
  assert.equal(shown.resource_changes.length, 1);
  return { change: shown.resource_changes[0]!.change, output };
}

const requiresReplace = Object.entries(recordFacts.attributes)
  .filter(([, a]) => (a.plan_modifiers ?? []).some((m) => m.includes("RequiresReplace")))
  .map(([n]) => n)
  .sort();

describe("cloudflare provider stand-in: plans as 5.14.0's plan modifiers decide", () => {
  it("says it is a stand-in on every plan, and plans a create with 5.14.0's default and null timestamps", () => {
    const { change, output } = plan({ zone_id: "z", name: "a.example.com", type: "A", content: "192.0.2.1", ttl: 300 }, null);
    assert.match(output, /stand-in for terraform-provider-cloudflare 5\.14\.0 built from\s+tools\/cloudflare-provider-standin: schema only/);
    assert.deepEqual(change.actions, ["create"]);
    assert.equal(change.after.proxied, false, `default ${recordFacts.attributes.proxied!.default}`);
    assert.equal(change.after.comment_modified_on, null, "no comment: comment_modified_on planned null (resource.go ModifyPlan)");
    assert.equal(change.after_unknown.id, true);
  });

  it(`replaces on a change of exactly the attributes with RequiresReplace in 5.14.0 (${requiresReplace.join(", ")})`, () => {
    assert.deepEqual(requiresReplace, ["type", "zone_id"], "facts changed: review this test's changed values");
    const changed: Record<string, Record<string, unknown>> = { zone_id: { zone_id: "zone-b" }, type: { type: "AAAA", content: "2001:db8::1" } };
    for (const attr of requiresReplace) {
      const { change } = plan({ ...CONFIGURED, ...changed[attr] }, PRIOR);
      assert.deepEqual(change.actions, ["delete", "create"], attr);
      assert.deepEqual(change.replace_paths, [[attr]], attr);
    }
  });

  it("updates in place otherwise, keeping id (UseStateForUnknown) and the computed values 5.14.0's ModifyPlan keeps", () => {
    for (const edit of [{ ttl: 600 }, { content: "192.0.2.2" }, { comment: "d" }, { name: "b.example.com" }, { proxied: true, ttl: 1 }]) {
      const { change } = plan({ ...CONFIGURED, ...edit }, PRIOR);
      const what = JSON.stringify(edit);
      assert.deepEqual(change.actions, ["update"], what);
      assert.equal(change.after.id, PRIOR.id, what);
      assert.equal(change.after.created_on, PRIOR.created_on, what);
      assert.equal(change.after.proxiable, PRIOR.proxiable, what);
      assert.equal(change.after.meta, PRIOR.meta, what);
      assert.equal(change.after_unknown.modified_on, true, `${what}: modified_on is known after apply`);
    }
  });

  it("plans nothing for an unchanged record, nor for a short name or a case-different CNAME target of the FQDN in state", () => {
    assert.deepEqual(plan(CONFIGURED, PRIOR).change.actions, ["no-op"]);
    assert.deepEqual(plan({ ...CONFIGURED, name: "a" }, PRIOR).change.actions, ["no-op"]);
    const cname = { ...PRIOR, type: "CNAME", content: "target.example.net" };
    assert.deepEqual(plan({ ...CONFIGURED, type: "CNAME", content: "Target.Example.NET" }, cname).change.actions, ["no-op"]);
  });

  it("refuses to apply or refresh, saying why", () => {
    const dir = workdir(recordConfig(CONFIGURED));
    const apply = tofu(dir, ["apply", "-auto-approve", "-lock=false", "-input=false", "-no-color"]);
    assert.notEqual(apply.status, 0);
    assert.match(apply.stderr, /stand-in provider: apply is not possible/);
    assert.match(apply.stderr, /create of cloudflare_dns_record needs the Cloudflare API/);
    writeState(dir, PRIOR);
    const withRefresh = tofu(dir, ["plan", "-lock=false", "-input=false", "-no-color"]);
    assert.notEqual(withRefresh.status, 0);
    assert.match(withRefresh.stderr, /read \(refresh\) of cloudflare_dns_record needs the Cloudflare API/);
  });

  it("plans nothing for a CAA record whose data equals the prior (content computed from data kept)", () => {
    const data = { flags: 0, tag: "issue", value: "letsencrypt.org" };
    const prior = { ...PRIOR, type: "CAA", content: '0 issue "letsencrypt.org"', data: { ...Object.fromEntries(Object.keys(recordFacts.attributes.data!.nested_type!.attributes).map((k) => [k, null])), ...data, flags: { value: 0, type: "number" } } };
    const { content: _content, ...withoutContent } = CONFIGURED;
    const { change } = plan({ ...withoutContent, type: "CAA", data }, prior);
    assert.deepEqual(change.actions, ["no-op"]);
  });
});

// ---- validators ---------------------------------------------------------------------------------

describe("cloudflare provider stand-in: refuses what 5.14.0's validators refuse", () => {
  const base = { zone_id: "z", name: "a.example.com", type: "A", content: "192.0.2.1", ttl: 300 };
  const refused = (config: object, pattern: RegExp) => {
    const r = validate(scratch, config);
    assert.equal(r.valid, false, JSON.stringify(config));
    assert.ok(r.diagnostics.some((d) => pattern.test(`${d.summary} ${d.detail}`)), `${JSON.stringify(config)}: ${JSON.stringify(r.diagnostics)}`);
  };
  const accepted = (config: object) => {
    const r = validate(scratch, config);
    assert.equal(r.valid, true, `${JSON.stringify(config)}: ${JSON.stringify(r.diagnostics)}`);
  };

  it("provider: api_token format, api_key format and api_key without email", () => {
    accepted(recordConfig(base, { api_token: "a".repeat(40) }));
    refused(recordConfig(base, { api_token: "too-short" }), /API tokens must be 40 characters long/);
    refused(recordConfig(base, { api_key: "0".repeat(37) }), /email/);
    refused(recordConfig(base, { api_key: "X".repeat(37), email: "a@example.com" }), /API key must be 37 characters long/);
  });

  it("record: type (case-insensitive), content xor data, number ranges, flags a number or a string", () => {
    accepted(recordConfig({ ...base, type: "a" }));
    refused(recordConfig({ ...base, type: "SPF" }), /value must be one of/);
    refused(recordConfig({ ...base, data: { tag: "issue" } }), /cannot be specified when/);
    refused(recordConfig({ ...base, priority: 70000 }), /must be between 0.* and 65535/);
    const caa = { zone_id: "z", name: "example.com", type: "CAA", ttl: 300 };
    accepted(recordConfig({ ...caa, data: { flags: 0, tag: "issue", value: "letsencrypt.org" } }));
    accepted(recordConfig({ ...caa, data: { flags: "0", tag: "issue", value: "letsencrypt.org" } }));
    // The binding types flags as a map: 5.14.0 refuses that, hence dns-record.ts's override.
    refused(recordConfig({ ...caa, data: { flags: { x: 0 }, tag: "issue", value: "letsencrypt.org" } }), /Value is not one of the allowed types/);
  });
});

// ---- cdktf bindings -----------------------------------------------------------------------------

/** Own properties of the interfaces in the bindings' index.d.ts, with their declared type text. */
function bindingInterfaces(): Record<string, Record<string, string>> {
  const source = ts.createSourceFile(BINDINGS_DTS, fs.readFileSync(BINDINGS_DTS, "utf8"), ts.ScriptTarget.ES2022, true);
  const out: Record<string, Record<string, string>> = {};
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    out[node.name.text] = Object.fromEntries(
      node.members.filter(ts.isPropertySignature).map((m) => [(m.name as ts.Identifier).text, m.type!.getText(source)]),
    );
  });
  return out;
}

const SAMPLES: Record<string, unknown> = { string: "x", number: 1, "boolean | cdktf.IResolvable": true, "string[]": ["x"], "{\n        [key: string]: any;\n    }": { x: 1 } };
/** A value of every property of a bindings interface (nested interfaces filled the same way). */
function fill(interfaces: Record<string, Record<string, string>>, name: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(interfaces[name]!).map(([prop, type]) => {
      const bare = type.replace(/ \| cdktf\.IResolvable$/, "");
      if (interfaces[bare]) return [prop, fill(interfaces, bare)];
      assert.ok(type in SAMPLES, `no sample value for ${name}.${prop}: ${type}`);
      return [prop, SAMPLES[type]];
    }),
  );
}

// What each storage class of the bindings becomes in `providers schema -json` (dynamic takes any).
const COMPATIBLE: Record<string, (a: FactAttribute) => boolean> = {
  string: (a) => a.type === "string",
  number: (a) => a.type === "number",
  boolean: (a) => a.type === "bool",
  stringList: (a) => JSON.stringify(a.type) === '["set","string"]' || JSON.stringify(a.type) === '["list","string"]',
  anyMap: (a) => a.type === "dynamic",
  DnsRecordData: (a) => a.nested_type?.nesting_mode === "single",
  DnsRecordSettings: (a) => a.nested_type?.nesting_mode === "single",
};

type Hcl = Record<string, { storageClassType: string }>;
class ExposedDnsRecord extends DnsRecord {
  hcl(): Hcl {
    return this.synthesizeHclAttributes() as Hcl;
  }
}

function assertCompatible(where: string, emitted: Hcl, attrs: Record<string, FactAttribute>, declared: number): void {
  assert.equal(Object.keys(emitted).length, declared, `${where}: the binding dropped some of its ${declared} properties`);
  const settable = Object.entries(attrs).filter(([, a]) => a.required || a.optional).map(([n]) => n).sort();
  assert.deepEqual(Object.keys(emitted).sort(), settable, `${where}: settable attributes of the bindings vs the stand-in`);
  for (const [name, { storageClassType }] of Object.entries(emitted)) {
    const check = COMPATIBLE[storageClassType];
    assert.ok(check, `${where}.${name}: unknown storage class ${storageClassType}`);
    assert.ok(check(attrs[name]!), `${where}.${name}: binding ${storageClassType} vs stand-in ${JSON.stringify(attrs[name])}`);
  }
}

/** Attribute names of a binding class's getters (each read once, into an output). */
function getters(cls: { prototype: object }): string[] {
  return Object.entries(Object.getOwnPropertyDescriptors(cls.prototype))
    .filter(([name, d]) => d.get && name !== "internalValue" && !name.endsWith("Input"))
    .map(([name]) => name);
}

describe("cloudflare provider stand-in: takes everything the cdktf bindings (13.9.1) emit or read", () => {
  it("every settable attribute of the bindings exists in the stand-in with a compatible type, and no other", () => {
    const interfaces = bindingInterfaces();
    const config = fill(interfaces, "DnsRecordConfig") as unknown as DnsRecordConfig;
    const record = new ExposedDnsRecord(new TerraformStack(testApp(), "s"), "r", config);
    const attrs = schema.resource_schemas.cloudflare_dns_record!.block.attributes;
    assertCompatible("cloudflare_dns_record", record.hcl(), attrs, Object.keys(interfaces.DnsRecordConfig!).length);
    assertCompatible("data", dnsRecordDataToHclTerraform(config.data) as Hcl, attrs.data!.nested_type!.attributes, Object.keys(interfaces.DnsRecordData!).length);
    assertCompatible("settings", dnsRecordSettingsToHclTerraform(config.settings) as Hcl, attrs.settings!.nested_type!.attributes, Object.keys(interfaces.DnsRecordSettings!).length);
  });

  it("OpenTofu validates a stack with every binding attribute set and every binding getter read", () => {
    const interfaces = bindingInterfaces();
    const full = fill(interfaces, "DnsRecordConfig") as unknown as DnsRecordConfig;
    const stack = new TerraformStack(testApp(), "s");
    new CloudflareProvider(stack, "cloudflare", {});
    const withContent = new DnsRecord(stack, "content", { ...full, data: undefined, type: "A", content: "192.0.2.1" });
    // Values inside 5.14.0's ranges; flags set as dns-record.ts does (the binding's map is refused).
    const data = Object.fromEntries(Object.entries(full.data!).map(([k, v]) => [k, k.endsWith("Direction") ? (k.startsWith("lat") ? "N" : "E") : v]));
    const withData = new DnsRecord(stack, "data", { ...full, content: undefined, type: "CAA", data: { ...data, flags: undefined } });
    withData.addOverride("data.flags", 0);
    const read = [
      ...getters(DnsRecord).map((g) => (withContent as unknown as Record<string, unknown>)[g]),
      ...getters(DnsRecordDataOutputReference).map((g) => (withData.data as unknown as Record<string, unknown>)[g]),
      ...getters(DnsRecordSettingsOutputReference).map((g) => (withContent.settings as unknown as Record<string, unknown>)[g]),
    ];
    read.forEach((value, i) => new TerraformOutput(stack, `read${i}`, { value }));
    const json = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> };
    const referenced = new Set(Object.values(json.output).flatMap((o) => [...String(o.value).matchAll(/cloudflare_dns_record\.\w+\.([a-z0-9_.]+)/g)].map((m) => m[1]!.split(".")[0]!)));
    const attrs = Object.keys(schema.resource_schemas.cloudflare_dns_record!.block.attributes).sort();
    assert.deepEqual([...referenced].sort(), attrs, "the bindings' getters read exactly the stand-in's attributes");
    const r = validate(scratch, json);
    assert.equal(r.valid, true, JSON.stringify(r.diagnostics));
  });
});

// ---- the project --------------------------------------------------------------------------------

describe("cloudflare provider stand-in: the project's stack", () => {
  it("tofu validate passes on the synthesized example stack with the stand-in and the real hcloud provider", () => {
    const out = tempDir("cf-standin-synth-");
    const synth = spawnSync(process.execPath, ["--require", "tsx/cjs", "main.ts"], {
      cwd: ROOT, encoding: "utf8", timeout: 120_000,
      env: { ...process.env, CDKTF_OUTDIR: out, CHECKPOINT_DISABLE: "1", TRACKER_DEPLOYMENTS: "deployments/example.yaml" },
    });
    ok(synth, "synth");
    const stackJson = fs.readFileSync(path.join(out, "stacks/example/cdk.tf.json"), "utf8");
    const hcloud = builtTool("hcloud-provider");
    const saved = cliConfig;
    cliConfig = mirror({ [CF]: { version: "5.14.0", binary: standinBin }, [HCLOUD]: { version: "1.68.0", binary: hcloud } });
    try {
      const dir = workdir(JSON.parse(stackJson) as object);
      const r = JSON.parse(tofu(dir, ["validate", "-json", "-no-color"]).stdout) as { valid: boolean; diagnostics: Diagnostic[] };
      assert.equal(r.valid, true, JSON.stringify(r.diagnostics));
    } finally {
      cliConfig = saved;
    }
  });
});
