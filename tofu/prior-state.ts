// A prior state fabricated from a deployment's planned values, with no API: what OpenTofu would
// hold after applying that deployment, so a newer deployment can be planned against it and the
// real providers decide "update in place" or "must be replaced".
//
// How: plan the older stack against the state built so far (-refresh=false); every resource to
// create whose references all point at resources already in the state gets its planned values
// (what the provider will store: e.g. hcloud 1.68.0 stores user_data as base64(SHA-1), its
// StateFunc in internal/server/resource.go, and the plan already shows that) with each value
// "known after apply" filled by a placeholder of the schema's type. Repeat until nothing is left
// to create (OpenTofu evaluates the references, e.g. cidrhost() on a placeholder network), then
// store the outputs the same way.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfiguredResource, PlanJson, ResourceChange } from "./changes";
import type { OfflineTofu } from "./offline";

/** `tofu providers schema -json`, the parts read here. */
export interface ProviderSchemas {
  readonly provider_schemas: Record<string, { resource_schemas?: Record<string, { version: number; block: SchemaBlock }> }>;
}

export interface SchemaBlock {
  readonly attributes?: Record<string, SchemaAttribute>;
  readonly block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}

export interface SchemaAttribute {
  readonly type?: unknown;
  readonly nested_type?: { nesting_mode: string; attributes: Record<string, SchemaAttribute> };
}

/** A state file (format version 4), as OpenTofu 1.10 writes it. */
export interface StateFile {
  version: 4;
  terraform_version: string;
  serial: number;
  lineage: string;
  outputs: Record<string, { value: unknown; type: unknown }>;
  resources: StateResource[];
  check_results: null;
}

export interface StateResource {
  mode: "managed";
  type: string;
  name: string;
  provider: string;
  instances: { schema_version: number; attributes: Record<string, unknown>; sensitive_attributes: []; dependencies?: string[] }[];
}

/** The result: the state and how many plans it took. */
export interface FabricatedState {
  readonly state: StateFile;
  readonly plans: number;
}

/**
 * Fabricates the state of the stack configured in `dir` (a working folder with `main.tf.json`,
 * initialized), writes it to `statePath` and returns it.
 */
export function fabricatePriorState(tofu: OfflineTofu, dir: string, statePath: string, schemas: ProviderSchemas, stackName: string): FabricatedState {
  const state = emptyState(stackName);
  let plans = 0;
  for (;;) {
    writeState(statePath, state);
    const plan = planJson(tofu, dir);
    plans++;
    const creates = (plan.resource_changes ?? []).filter((rc) => rc.mode === "managed" && rc.change.actions.join() === "create");
    if (creates.length === 0) {
      const stray = (plan.resource_changes ?? []).filter((rc) => rc.change.actions.join() !== "no-op");
      if (stray.length > 0) {
        throw new Error(`fabricated state does not match its own configuration: ${stray.map((rc) => `${rc.address} ${rc.change.actions.join("/")}`).join(", ")}`);
      }
      state.outputs = outputsOf(plan);
      writeState(statePath, state);
      return { state, plans };
    }
    const inState = new Set(state.resources.map((r) => `${r.type}.${r.name}`));
    const config = new Map((plan.configuration?.root_module?.resources ?? []).map((r) => [r.address, r]));
    const planned = new Map((plan.planned_values?.root_module?.resources ?? []).map((r) => [r.address, r]));
    const ready = creates.filter((rc) => referencedResources(config.get(rc.address)).every((a) => inState.has(a)));
    if (ready.length === 0) throw new Error(`no resource can be fabricated next (a reference cycle?): ${creates.map((c) => c.address).join(", ")}`);
    for (const rc of ready) {
      const schema = schemas.provider_schemas[rc.provider_name]?.resource_schemas?.[rc.type];
      if (!schema) throw new Error(`no schema for ${rc.type} in ${rc.provider_name}`);
      state.resources.push({
        mode: "managed",
        type: rc.type,
        name: rc.name,
        provider: `provider["${rc.provider_name}"]`,
        instances: [
          {
            schema_version: planned.get(rc.address)?.schema_version ?? schema.version,
            attributes: fillBlock(rc.change.after ?? {}, rc.change.after_unknown, schema.block, new Placeholders(rc)),
            sensitive_attributes: [],
          },
        ],
      });
    }
  }
}

/** A plan as JSON, with OpenTofu's own summary line ("No changes. …" or "Plan: 1 to add, …"). */
export type SummarizedPlan = PlanJson & { readonly summary: string };

/** `tofu plan -refresh=false` in `dir`, as JSON. */
export function planJson(tofu: OfflineTofu, dir: string, extra: readonly string[] = []): SummarizedPlan {
  const text = tofu.must(dir, ["plan", "-no-color", "-input=false", "-refresh=false", "-lock=false", "-out=plan.bin", ...extra]).stdout;
  const summary = text.split("\n").find((l) => /^(No changes\.|Plan: )/.test(l)) ?? "";
  return { ...(JSON.parse(tofu.must(dir, ["show", "-no-color", "-json", "plan.bin"]).stdout) as PlanJson), summary };
}

/** Resource addresses a configured resource refers to in its expressions (depends_on only orders). */
export function referencedResources(resource: ConfiguredResource | undefined): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "references" && Array.isArray(x)) {
          for (const ref of x as string[]) {
            const m = /^([a-z0-9_]+\.[A-Za-z0-9_-]+)/.exec(ref);
            if (m && !ref.startsWith("var.") && !ref.startsWith("local.") && !ref.startsWith("data.")) out.add(m[1]!);
          }
        } else walk(x);
      }
    }
  };
  walk(resource?.expressions);
  return [...out];
}

/** Placeholder values for one resource's "known after apply" attributes, derived from its address. */
export class Placeholders {
  private readonly seed: number;
  constructor(private readonly rc: Pick<ResourceChange, "address" | "type" | "change">) {
    this.seed = parseInt(createHash("sha256").update(rc.address).digest("hex").slice(0, 8), 16);
  }

  /** A numeric id in 1,000,000–9,999,999, stable per address. */
  get numericId(): number {
    return 1_000_000 + (this.seed % 9_000_000);
  }

  /** A value for the unknown attribute `name` (top level) of cty type `type`. */
  value(name: string, type: unknown): unknown {
    const after = (this.rc.change.after ?? {}) as Record<string, unknown>;
    const octet = 1 + (this.seed % 254);
    const hex = (this.seed % 0xffff).toString(16);
    if (type === "string") {
      if (name === "id") return this.rc.type.startsWith("cloudflare_") ? createHash("md5").update(this.rc.address).digest("hex") : String(this.numericId);
      if (this.rc.type === "hcloud_primary_ip" && name === "ip_address") return after.type === "ipv6" ? `2001:db8:${hex}::` : `203.0.113.${octet}`;
      if (this.rc.type === "hcloud_primary_ip" && name === "ip_network") return after.type === "ipv6" ? `2001:db8:${hex}::/64` : null;
      if (name === "ipv4_address") return `203.0.113.${octet}`;
      if (name === "ipv6_address") return `2001:db8:${hex}::1`;
      if (name === "ipv6_network") return `2001:db8:${hex}::/64`;
      if (name === "status") return "running";
      if (name === "assignee_type") return "server";
      // Cloudflare computes a CAA record's content from its data.
      if (this.rc.type === "cloudflare_dns_record" && name === "content" && after.type === "CAA") {
        const d = after.data as { flags: unknown; tag: string; value: string };
        return `${d.flags} ${d.tag} "${d.value}"`;
      }
      // Cloudflare omits a record's comment/tags timestamps when it has no comment/tags.
      if (this.rc.type === "cloudflare_dns_record" && name === "comment_modified_on" && after.comment == null) return null;
      if (this.rc.type === "cloudflare_dns_record" && name === "tags_modified_on" && !(after.tags as unknown[] | undefined)?.length) return null;
      if (name.endsWith("_on") || name.endsWith("_at")) return "2026-01-01T00:00:00Z";
      return `placeholder-${name}`;
    }
    if (type === "number") return name === "id" || name.endsWith("_id") ? this.numericId : name === "primary_disk_size" ? 80 : 0;
    return placeholderOfType(type, this.numericId);
  }
}

function placeholderOfType(type: unknown, n: number): unknown {
  if (type === "number") return n;
  if (type === "bool") return false;
  if (type === "string") return "placeholder";
  if (Array.isArray(type)) {
    const [kind, inner] = type as [string, unknown];
    if (kind === "list" || kind === "set") return [];
    if (kind === "map") return {};
    if (kind === "object") return Object.fromEntries(Object.entries(inner as Record<string, unknown>).map(([k, t]) => [k, placeholderOfType(t, n)]));
    if (kind === "tuple") return (inner as unknown[]).map((t) => placeholderOfType(t, n));
  }
  return null;
}

/** `after` of a block with every unknown replaced by a placeholder; every schema attribute present. */
export function fillBlock(after: Record<string, unknown>, unknown: unknown, block: SchemaBlock, ph: Placeholders, top = true): Record<string, unknown> {
  const u = (unknown && typeof unknown === "object" ? unknown : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(block.attributes ?? {})) {
    out[name] = u[name] === true ? unknownAttribute(name, attr, ph, top) : fillAttribute(after[name] ?? null, u[name], attr, ph);
  }
  for (const [name, bt] of Object.entries(block.block_types ?? {})) {
    const v = after[name];
    if (u[name] === true) out[name] = bt.nesting_mode === "single" || bt.nesting_mode === "group" ? fillBlock({}, true, bt.block, ph, false) : [];
    else if (Array.isArray(v)) out[name] = v.map((item, i) => fillBlock(item as Record<string, unknown>, (u[name] as unknown[] | undefined)?.[i], bt.block, ph, false));
    else if (v && typeof v === "object") out[name] = fillBlock(v as Record<string, unknown>, u[name], bt.block, ph, false);
    else out[name] = bt.nesting_mode === "single" || bt.nesting_mode === "group" ? null : [];
  }
  return out;
}

function unknownAttribute(name: string, attr: SchemaAttribute, ph: Placeholders, top: boolean): unknown {
  if (attr.nested_type) {
    const inner: SchemaBlock = { attributes: attr.nested_type.attributes };
    return attr.nested_type.nesting_mode === "single" ? fillBlock({}, Object.fromEntries(Object.keys(inner.attributes!).map((k) => [k, true])), inner, ph, false) : [];
  }
  return top ? ph.value(name, attr.type) : placeholderOfType(attr.type, ph.numericId);
}

function fillAttribute(value: unknown, unknown: unknown, attr: SchemaAttribute, ph: Placeholders): unknown {
  if (value === null || value === undefined) return null;
  // A dynamic value is stored with its type (OpenTofu's state: {"value": 0, "type": "number"}); plans show it bare.
  if (attr.type === "dynamic") return { value, type: ctyTypeOf(value) };
  if (!attr.nested_type) return value;
  const inner: SchemaBlock = { attributes: attr.nested_type.attributes };
  if (attr.nested_type.nesting_mode === "single") return fillBlock(value as Record<string, unknown>, unknown, inner, ph, false);
  if (Array.isArray(value)) return value.map((v, i) => fillBlock(v as Record<string, unknown>, (unknown as unknown[] | undefined)?.[i], inner, ph, false));
  return value;
}

/** Outputs as the state stores them: value and cty type (tuples and objects, as HCL literals are). */
function outputsOf(plan: PlanJson): StateFile["outputs"] {
  const out: StateFile["outputs"] = {};
  for (const [name, oc] of Object.entries(plan.output_changes ?? {})) {
    if (oc.after === undefined || oc.after === null) continue;
    out[name] = { value: oc.after, type: ctyTypeOf(oc.after) };
  }
  return out;
}

function ctyTypeOf(v: unknown): unknown {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return ["tuple", v.map(ctyTypeOf)];
  if (v && typeof v === "object") return ["object", Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ctyTypeOf(x)]))];
  return "dynamic";
}

function emptyState(stackName: string): StateFile {
  const h = createHash("sha256").update(`torrust-tracker-cdktf fabricated state ${stackName}`).digest("hex");
  const lineage = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return { version: 4, terraform_version: "1.10.10", serial: 1, lineage, outputs: {}, resources: [], check_results: null };
}

export function writeState(file: string, state: StateFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}
