// Zod issues → DeploymentIssues: the field path, the bad value, what is allowed, and a
// "did you mean" for unknown keys. Used by every path that parses a deployment.
import type { z } from "zod";
import { type DeploymentIssue, valueAt } from "./errors";
import { editDistance } from "./formats";
import { DeploymentSchema } from "./schema";

/** Every issue of a failed parse of `raw`, in the project's error format. */
export function schemaIssues(error: z.ZodError, raw: unknown): DeploymentIssue[] {
  return error.issues.flatMap((i) => toIssues(i, raw));
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
      return [{ path: at, value, message: custom ? issue.message : `must be ${article(issue.expected)}` }];
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

/** The keys the schema allows at a path (for unknown-key messages). */
function knownKeysAt(at: readonly (string | number)[]): string[] {
  let node: unknown = DeploymentSchema;
  for (const key of at) {
    node = unwrap(node);
    const def = (node as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } }).def;
    if (def?.type === "object" && def.shape) node = def.shape[key as string];
    else if (def?.type === "array") node = def.element;
    else return [];
  }
  const def = (unwrap(node) as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
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
