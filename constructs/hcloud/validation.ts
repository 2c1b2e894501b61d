import { Token } from "./token";
import { IConstruct } from "constructs";
import { ValidationError } from "../validation-error";

/**
 * Throws one `ValidationError` that lists every problem found in a construct's props,
 * followed by the construct path. Does nothing when there is no problem.
 *
 * @internal
 */
export function throwIfInvalid(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new ValidationError(
      scope.node.path,
      problems.map((message) => ({ path: [], message })),
    );
  }
}

/**
 * True when `value` is known at synth time, i.e. contains no token, so
 * that it can be validated.
 *
 * @internal
 */
export function isLiteral(value: unknown): boolean {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Quotes a value for an error message. @internal */
export function show(value: unknown): string {
  return JSON.stringify(value);
}
