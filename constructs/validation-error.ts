// The one typed validation error of the library. Every construct throws it for a bad literal
// (the construct's path as `source`); the deployment loader throws its subclass DeploymentError
// with the file as `source`. Callers read `source` and `issues`, never parse the message.

/** One problem, located by its field path. */
export interface ValidationIssue {
  /** Field path, e.g. ["tracker", "httpTrackers", 1, "port"]; empty = the whole input. */
  readonly path: readonly (string | number)[];
  /** What is wrong and, where one exists, how to fix it. */
  readonly message: string;
  /** The offending value, when there is one. */
  readonly value?: unknown;
  /** What would be accepted instead. */
  readonly allowed?: string;
}

export class ValidationError extends Error {
  constructor(
    /** What was validated: a construct path, or a deployment file. */
    readonly source: string,
    readonly issues: readonly ValidationIssue[],
    message?: string,
  ) {
    super(message ?? `${issues.map((i) => i.message).join("; ")} (in ${source})`);
    this.name = "ValidationError";
  }
}

/** A construct's bad literal: `field` of the construct at `source` with `value`. */
export function invalidLiteral(source: string, message: string, detail: Omit<ValidationIssue, "message" | "path"> & { field?: string } = {}): ValidationError {
  const { field, ...rest } = detail;
  return new ValidationError(source, [{ path: field ? [field] : [], message, ...rest }], message);
}
