import { isLiteral, show } from "./validation";

/** Labels of an hcloud resource: string keys to string values. */
export type Labels = { readonly [key: string]: string };

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or 1-63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending alphanumeric. */
export const LABEL_VALUE = /^$|^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
/** What LABEL_VALUE allows, in words. */
export const LABEL_VALUE_RULE = '"" or 1-63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending with a letter or digit';
/** What a label key may be, in words. */
export const LABEL_KEY_RULE =
  'an optional dns prefix and "/", then 1-63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending with a letter or digit';
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks labels against the rule the provider enforces: a key is an
 * optional DNS-style prefix plus `/`, then a name of 1-63 characters; a
 * value is empty or 1-63 characters; names and values start and end with an
 * alphanumeric and may contain `-`, `_` and `.` inside. Keys and values
 * that are tokens are skipped.
 *
 * @returns one message per bad key or value, empty when all are valid
 */
export function validateLabels(labels: Labels | undefined): string[] {
  if (labels === undefined || !isLiteral(labels)) {
    return [];
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (isLiteral(key) && !isValidLabelKey(key)) {
      problems.push(
        `invalid label key ${show(key)}: expected ${LABEL_KEY_RULE}`,
      );
    }
    if (isLiteral(value) && value !== "" && !NAME.test(value)) {
      problems.push(
        `invalid value ${show(value)} for label ${show(key)}: expected ${LABEL_VALUE_RULE}`,
      );
    }
  }
  return problems;
}

/** The provider's label key rule. */
export function isValidLabelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (!NAME.test(name)) {
    return false;
  }
  if (slash === -1) {
    return true;
  }
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && prefix.split(".").every((part) => DNS_LABEL.test(part));
}
