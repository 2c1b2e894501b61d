// Zod issues → DeploymentIssues: the field path, the bad value, what is allowed, and a
// "did you mean" for unknown keys. Used by every path that parses a deployment.
import type { z } from "zod";
import { type DeploymentIssue, valueAt } from "./errors";
import { editDistance } from "./formats";
import { allowedOf, DeploymentSchema } from "./schema";

/** Every issue of a failed parse of `raw`, in the project's error format. */
export function schemaIssues(error: z.ZodError, raw: unknown): DeploymentIssue[] {
  return error.issues.flatMap((i) => toIssues(i, raw)).map((issue) => {
    if (issue.allowed) return issue;
    const allowed = allowedOf(schemaAt(issue.path, raw));
    return allowed ? { ...issue, allowed } : issue;
  });
}

type ZodIssue = z.core.$ZodIssue;

function toIssues(issue: ZodIssue, raw: unknown): DeploymentIssue[] {
  const at = issue.path as (string | number)[];
  const value = valueAt(raw, at);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeysAt(at);
      return issue.keys.map((key) => {
        const hint = closest(key, known);
        return {
          path: [...at, key],
          value: valueAt(raw, [...at, key]),
          allowed: known.join(", "),
          message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}`,
        };
      });
    }
    case "invalid_type": {
      if (value === undefined) return [{ path: at, message: "is required" }];
      const custom = !issue.message.startsWith("Invalid input");
      const allowed = issue.expected === "boolean" ? { allowed: "true or false" } : {};
      return [{ path: at, value, message: custom ? issue.message : `must be ${article(issue.expected)}`, ...allowed }];
    }
    case "invalid_value":
      return [
        {
          path: at,
          value,
          allowed: issue.values.map((v) => JSON.stringify(v)).join(", "),
          message: "is not one of the allowed values",
        },
      ];
    case "invalid_key": {
      // A record key (hetzner.labels): the key's own rule, not zod's "Invalid key in record".
      const inner = issue.issues.map((i) => i.message).filter((m) => !m.startsWith("Invalid"));
      const key = at[at.length - 1];
      return [{ path: at.slice(0, -1), value: key, message: inner[0] ?? "is not an allowed key" }];
    }
    default:
      return [{ path: at, value, message: issue.message }];
  }
}

function article(expected: string): string {
  const noun = expected === "array" ? "list" : expected === "object" ? "mapping" : expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

interface Def {
  type?: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
}

/** The schema of the field at a path (unions: the option whose shape has the key), or undefined. */
function schemaAt(at: readonly PropertyKey[], raw: unknown): unknown {
  let node: unknown = DeploymentSchema;
  for (const [i, key] of at.entries()) {
    node = unwrap(node);
    let def = (node as { def?: Def }).def;
    if (def?.type === "union" && def.options) {
      // backend: the option whose kind is the file's, else the first that has the key.
      const kind = (valueAt(raw, at.slice(0, i)) as { kind?: unknown } | undefined)?.kind;
      const shapes = def.options.map((o) => (unwrap(o) as { def?: Def }).def);
      def = shapes.find((d) => d?.shape?.kind && (unwrap(d.shape.kind) as { def?: { values?: unknown[] } }).def?.values?.includes(kind)) ??
        shapes.find((d) => d?.shape && typeof key === "string" && key in d.shape);
    }
    if (def?.type === "object" && def.shape) node = def.shape[key as string];
    else if (def?.type === "array") node = def.element;
    else if (def?.type === "record") node = def.valueType;
    else return undefined;
  }
  return node;
}

/** The keys the schema allows at a path (for unknown-key messages). */
function knownKeysAt(at: readonly (string | number)[]): string[] {
  const def = (unwrap(schemaAt(at, undefined)) as { def?: Def } | undefined)?.def;
  return def?.type === "object" && def.shape ? Object.keys(def.shape).filter((k) => k !== "$schema") : [];
}

function unwrap(node: unknown): unknown {
  let cur = node as { def?: { type?: string; innerType?: unknown } } | undefined;
  while (cur?.def && ["optional", "default", "prefault", "nullable", "readonly"].includes(cur.def.type ?? "")) {
    cur = cur.def.innerType as typeof cur;
  }
  return cur;
}

function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
