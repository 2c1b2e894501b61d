// TOML for the configuration files this project generates, serialised by smol-toml (a maintained
// TOML 1.0.0 parser/serialiser) instead of a hand-written writer. Data in, text out; no templates.
import { stringify } from "smol-toml";

export type TomlScalar = string | number | boolean;
export interface TomlTable {
  readonly [key: string]: TomlScalar | TomlTable | readonly TomlTable[];
}

/** Only whole numbers are written: the configs here have no floats, and 1.5 for a port is a bug. */
function assertIntegers(table: TomlTable, path: string[]): void {
  for (const [k, v] of Object.entries(table)) {
    if (typeof v === "number" && !Number.isSafeInteger(v)) {
      throw new Error(`TOML value at ${[...path, k].join(".")} must be a safe integer, got ${v}`);
    }
    if (Array.isArray(v)) v.forEach((t, i) => assertIntegers(t, [...path, `${k}[${i}]`]));
    else if (typeof v === "object") assertIntegers(v as TomlTable, [...path, k]);
  }
}

/** The document as TOML (smol-toml's layout: scalars, then tables, a blank line between tables). */
export function renderToml(doc: TomlTable): string {
  assertIntegers(doc, []);
  const text = stringify(doc as Record<string, unknown>);
  return text.endsWith("\n") ? text : `${text}\n`;
}
