// Errors a user can act on: which file, which field, what value, what is allowed.
import { ValidationError, type ValidationIssue } from "../validation-error";

/** One problem in a deployment file, located by its field path (the library's ValidationIssue). */
export type DeploymentIssue = ValidationIssue;

/** "tracker.httpTrackers[1].port"; "(file)" for the root. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(file)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function formatValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line per issue: `path: message (got value; allowed: ...)`. */
export function formatIssue(issue: DeploymentIssue): string {
  const extras: string[] = [];
  if ("value" in issue) extras.push(`got ${formatValue(issue.value)}`);
  if (issue.allowed) extras.push(`allowed: ${issue.allowed}`);
  return `${formatPath(issue.path)}: ${issue.message}${extras.length ? ` (${extras.join("; ")})` : ""}`;
}

/**
 * Thrown when a deployment file (or a construct's deployment input) is invalid: the library's
 * ValidationError with the file (or construct path) as `source`. Carries every issue found.
 */
export class DeploymentError extends ValidationError {
  constructor(
    /** The deployment file, or a construct path when the config did not come from a file. */
    source: string,
    issues: readonly DeploymentIssue[],
  ) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(source, issues, `${source}: ${count}\n${issues.map((i) => `  - ${source}: ${formatIssue(i)}`).join("\n")}`);
    this.name = "DeploymentError";
  }
}

/** Reads the value at a path of a parsed document, for error messages. */
export function valueAt(root: unknown, path: readonly (string | number | symbol)[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key as string | number];
  }
  return cur;
}
