// What a plan does to each resource, read from `tofu show -json` (pure: no tofu here).

/** The parts of OpenTofu's JSON plan format this project reads. */
export interface PlanJson {
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, { actions: string[]; after?: unknown; after_unknown?: unknown }>>;
  readonly planned_values?: { root_module?: { resources?: readonly PlannedResource[] } };
  readonly configuration?: { root_module?: { resources?: readonly ConfiguredResource[] } };
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly provider_name: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before: Record<string, unknown> | null;
    readonly after: Record<string, unknown> | null;
    readonly after_unknown?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
  readonly action_reason?: string;
}

export interface PlannedResource {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly provider_name: string;
  readonly schema_version: number;
  readonly values: Record<string, unknown>;
}

export interface ConfiguredResource {
  readonly address: string;
  readonly expressions?: Record<string, unknown>;
  readonly depends_on?: readonly string[];
}

/** What happens to one resource. */
export type Verdict = "kept" | "changed in place" | "replaced" | "destroyed" | "created";

export interface ResourceVerdict {
  readonly address: string;
  readonly type: string;
  readonly verdict: Verdict;
  /** Replaced: the attributes that force it; changed in place: the attributes that change. */
  readonly attributes: readonly string[];
  readonly change: ResourceChange["change"];
}

/** One verdict per managed resource, in plan order. */
export function verdicts(plan: PlanJson): ResourceVerdict[] {
  return (plan.resource_changes ?? [])
    .filter((rc) => rc.mode === "managed")
    .map((rc) => {
      const verdict = verdictOf(rc.change.actions);
      const attributes =
        verdict === "replaced"
          ? [...new Set((rc.change.replace_paths ?? []).map(formatPath))].sort()
          : verdict === "changed in place"
            ? changedPaths(rc.change.before, rc.change.after, rc.change.after_unknown)
            : [];
      return { address: rc.address, type: rc.type, verdict, attributes, change: rc.change };
    });
}

function verdictOf(actions: readonly string[]): Verdict {
  const a = actions.join(",");
  if (a === "no-op" || a === "read") return "kept";
  if (a === "update") return "changed in place";
  if (a === "delete,create" || a === "create,delete") return "replaced";
  if (a === "delete") return "destroyed";
  if (a === "create") return "created";
  throw new Error(`unexpected plan actions ${JSON.stringify(actions)}`);
}

/** `public_net[0].ipv4`-style path. */
export function formatPath(p: readonly (string | number)[]): string {
  return p.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/**
 * Top-level attributes whose known value differs; when none does, those that become "known after
 * apply" (otherwise a provider's computed timestamps, e.g. Cloudflare's modified_on, hide the change).
 */
export function changedPaths(before: unknown, after: unknown, afterUnknown: unknown): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const u = (afterUnknown ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a), ...Object.keys(u)])].sort();
  const known = keys.filter((k) => !containsTrue(u[k]) && JSON.stringify(b[k] ?? null) !== JSON.stringify(a[k] ?? null));
  return known.length > 0 ? known : keys.filter((k) => containsTrue(u[k]));
}

function containsTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  if (v && typeof v === "object") return Object.values(v).some(containsTrue);
  return false;
}

/** Counts per verdict, e.g. { created: 17 }. */
export function tally(vs: readonly ResourceVerdict[]): Partial<Record<Verdict, number>> {
  const t: Partial<Record<Verdict, number>> = {};
  for (const v of vs) t[v.verdict] = (t[v.verdict] ?? 0) + 1;
  return t;
}
