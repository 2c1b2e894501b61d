// A minimal TOML writer for the configuration files this project generates: tables of strings,
// integers and booleans, nested tables and arrays of tables. Serialises an object; no templates.

export type TomlScalar = string | number | boolean;
export interface TomlTable {
  readonly [key: string]: TomlScalar | TomlTable | readonly TomlTable[];
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function key(k: string): string {
  return BARE_KEY.test(k) ? k : JSON.stringify(k);
}

function scalar(v: TomlScalar, where: string): string {
  if (typeof v === "string") return JSON.stringify(v); // a JSON string is a valid TOML basic string
  if (typeof v === "boolean") return v ? "true" : "false";
  if (!Number.isSafeInteger(v)) throw new Error(`TOML value at ${where} must be a safe integer, got ${v}`);
  return String(v);
}

function isTableArray(v: TomlTable[string]): v is readonly TomlTable[] {
  return Array.isArray(v);
}

/** Scalars first, then sub-tables and arrays of tables in insertion order, a blank line between tables. */
export function renderToml(doc: TomlTable): string {
  const blocks: string[][] = [];
  const walk = (table: TomlTable, path: string[], header: string | undefined) => {
    const lines: string[] = header ? [header] : [];
    for (const [k, v] of Object.entries(table)) {
      if (typeof v !== "object") lines.push(`${key(k)} = ${scalar(v, [...path, k].join("."))}`);
    }
    if (lines.length) blocks.push(lines);
    for (const [k, v] of Object.entries(table)) {
      if (typeof v !== "object") continue;
      const name = [...path, k].map(key).join(".");
      if (isTableArray(v)) v.forEach((item) => walk(item, [...path, k], `[[${name}]]`));
      else walk(v as TomlTable, [...path, k], `[${name}]`);
    }
  };
  walk(doc, [], undefined);
  return blocks.map((b) => b.join("\n")).join("\n\n") + "\n";
}
