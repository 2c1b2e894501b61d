// A minimal nginx configuration tree and its serializer (4-space indent, one directive a line).

/** A directive (`name args;`), a block (`name args { ... }`), a comment, or a blank line (""). */
export type NginxNode =
  | ""
  | { readonly comment: string }
  | { readonly name: string; readonly args?: readonly string[]; readonly block?: readonly NginxNode[] };

/** Shorthand for a directive. */
export function directive(name: string, ...args: (string | number)[]): NginxNode {
  return { name, args: args.map(String) };
}

/** Shorthand for a block. */
export function block(name: string, args: readonly (string | number)[], body: readonly NginxNode[]): NginxNode {
  return { name, args: args.map(String), block: body };
}

/** Quotes an argument when nginx would otherwise split or misread it. */
function arg(value: string): string {
  return /^[^\s;{}"'#\\]+$/.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** Serializes nodes at an indentation depth into lines. */
export function serializeNginx(nodes: readonly NginxNode[], depth = 0): string[] {
  const indent = "    ".repeat(depth);
  return nodes.flatMap((n): string[] => {
    if (n === "") return [""];
    if ("comment" in n) return [`${indent}# ${n.comment}`];
    const head = [n.name, ...(n.args ?? []).map(arg)].join(" ");
    return n.block ? [`${indent}${head} {`, ...serializeNginx(n.block, depth + 1), `${indent}}`] : [`${indent}${head};`];
  });
}
