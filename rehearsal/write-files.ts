// Reads a server's cloud-init the way the server does: the Terraform string in cdk.tf.json is
// rendered (interpolations replaced, `$${` and `%%{` escapes undone), the #cloud-config YAML is
// parsed, and every write_files entry is decoded (plain, b64, gz+b64) to the exact bytes
// cloud-init would write. Pure functions: writing to disk is applyWriteFiles' job.
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import YAML from "yaml";

/** A `${…}` interpolation found in a Terraform string, and what it was replaced with. */
export interface Interpolation {
  readonly expression: string;
  readonly replacement: string;
}

/**
 * Renders a Terraform template string with no Terraform: `$${` → `${`, `%%{` → `%{`, and each
 * `${expr}` replaced by `resolve(expr)` (default: a fake numeric id for `*.id`, else an error).
 * Template directives (`%{ if … }`) are refused: generated user_data has none.
 */
export function renderTerraformString(
  s: string,
  resolve: (expression: string) => string = fakeValue,
): { text: string; interpolations: Interpolation[] } {
  let out = "";
  const interpolations: Interpolation[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if ((c === "$" || c === "%") && s[i + 1] === c && s[i + 2] === "{") {
      out += `${c}{`;
      i += 3;
    } else if (c === "$" && s[i + 1] === "{") {
      const end = closingBrace(s, i + 2);
      const expression = s.slice(i + 2, end).trim();
      const replacement = resolve(expression);
      interpolations.push({ expression, replacement });
      out += replacement;
      i = end + 1;
    } else if (c === "%" && s[i + 1] === "{") {
      throw new Error(`Terraform template directive at offset ${i} ("${s.slice(i, i + 30)}…") cannot be rendered offline`);
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, interpolations };
}

function closingBrace(s: string, from: number): number {
  let depth = 1;
  let quote = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  throw new Error(`unterminated Terraform interpolation at offset ${from - 2}`);
}

/** Stand-in values for resource attributes only known after apply (e.g. a volume id in a mount path). */
export function fakeValue(expression: string): string {
  if (/\.id$/.test(expression)) {
    let h = 0;
    for (const ch of expression) h = (h * 31 + ch.charCodeAt(0)) % 9_000_000;
    return String(100_000_000 + h);
  }
  throw new Error(`cannot render the Terraform expression \${${expression}} offline (only resource ids are faked)`);
}

/** A file as cloud-init's write_files writes it. */
export interface DecodedFile {
  readonly path: string;
  readonly content: Buffer;
  /** Numeric mode, e.g. 0o644. */
  readonly mode: number;
  readonly owner: string;
  readonly group: string;
  readonly encoding: "text" | "b64" | "gz+b64";
  readonly append: boolean;
  /** Written in the final stage (after packages and users). */
  readonly defer: boolean;
}

/** The parts of a #cloud-config the rehearsal reads. */
export interface CloudConfigDocument {
  readonly raw: Record<string, unknown>;
  readonly files: DecodedFile[];
  readonly runcmd: string[];
  readonly packages: string[];
}

// The encodings cloud-init's write_files accepts (cc_write_files.decode_perms / canonicalize_extraction).
const B64 = new Set(["b64", "base64"]);
const GZ_B64 = new Set(["gz+b64", "gzip+base64", "gz+base64", "gzip+b64"]);
const TEXT = new Set(["text/plain", "text", ""]);

/** Parses #cloud-config text (line 1 must be `#cloud-config`) and decodes its write_files. */
export function parseCloudConfig(text: string): CloudConfigDocument {
  if (!text.startsWith("#cloud-config\n")) {
    throw new Error(`user_data does not start with "#cloud-config" on line 1 (starts with ${JSON.stringify(text.slice(0, 20))})`);
  }
  // cloud-init reads YAML 1.1 with PyYAML; "0644" stays a string in both dialects when quoted.
  const doc = YAML.parseDocument(text, { version: "1.1", uniqueKeys: true });
  if (doc.errors.length) throw new Error(`cloud-config YAML: ${doc.errors[0].message}`);
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error("cloud-config is not a YAML mapping");
  const r = raw as Record<string, unknown>;
  const entries = r.write_files ?? [];
  if (!Array.isArray(entries)) throw new Error("write_files is not a list");
  const files = entries.map((e, i) => decodeWriteFile(e, i));
  const runcmd = ((r.runcmd ?? []) as unknown[]).map((c, i) => runcmdToShell(c, i));
  const packages = ((r.packages ?? []) as unknown[]).map((p) => (Array.isArray(p) ? p.join("=") : String(p)));
  return { raw: r, files, runcmd, packages };
}

/** Decodes one write_files entry as cloud-init 22.4+ does. */
export function decodeWriteFile(entry: unknown, index = 0): DecodedFile {
  if (entry === null || typeof entry !== "object") throw new Error(`write_files.${index} is not a mapping`);
  const e = entry as Record<string, unknown>;
  if (typeof e.path !== "string" || !e.path.startsWith("/")) throw new Error(`write_files.${index}: path must be an absolute path`);
  const where = `write_files.${index} (${e.path})`;
  const encodingName = String(e.encoding ?? "").trim().toLowerCase();
  if (e.content instanceof Uint8Array) throw new Error(`${where}: !!binary content is not produced by this project's cloud-config`);
  const payload = e.content === undefined || e.content === null ? "" : String(e.content);
  let content: Buffer;
  let encoding: DecodedFile["encoding"];
  if (TEXT.has(encodingName)) {
    content = Buffer.from(payload, "utf8");
    encoding = "text";
  } else if (B64.has(encodingName)) {
    content = strictBase64(payload, where);
    encoding = "b64";
  } else if (GZ_B64.has(encodingName)) {
    const compressed = strictBase64(payload, where);
    try {
      content = gunzipSync(compressed);
    } catch (err) {
      throw new Error(`${where}: gzip payload does not decompress: ${(err as Error).message}`);
    }
    encoding = "gz+b64";
  } else {
    throw new Error(`${where}: unknown encoding "${String(e.encoding)}"`);
  }
  const [owner, group] = String(e.owner ?? "root:root").split(":");
  return {
    path: e.path,
    content,
    mode: parseMode(e.permissions, where),
    owner,
    group: group ?? owner,
    encoding,
    append: e.append === true,
    defer: e.defer === true,
  };
}

function strictBase64(payload: string, where: string): Buffer {
  const clean = payload.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new Error(`${where}: content is not valid base64`);
  return Buffer.from(clean, "base64");
}

function parseMode(permissions: unknown, where: string): number {
  if (permissions === undefined || permissions === null) return 0o644;
  // An unquoted 0644 is read by YAML 1.1 as the octal integer 420: cloud-init then uses it as is.
  if (typeof permissions === "number") return permissions;
  const text = String(permissions).trim();
  if (!/^0?[0-7]{3,4}$/.test(text)) throw new Error(`${where}: permissions "${text}" is not an octal mode`);
  return parseInt(text, 8);
}

/** A runcmd entry as the shell line cloud-init writes to its runcmd script. */
export function runcmdToShell(entry: unknown, index = 0): string {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) return entry.map((a) => shellQuote(String(a))).join(" ");
  throw new Error(`runcmd.${index} is neither a string nor a list`);
}

export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+,%-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Finds the single hcloud_server and returns its rendered user_data. */
export function userDataFromSynth(stackJson: unknown, resolve?: (expression: string) => string): {
  serverName: string;
  text: string;
  interpolations: Interpolation[];
} {
  const servers = (stackJson as { resource?: { hcloud_server?: Record<string, { user_data?: unknown }> } }).resource?.hcloud_server;
  const names = Object.keys(servers ?? {});
  if (names.length !== 1) throw new Error(`expected one hcloud_server in the synthesized stack, found ${names.length}`);
  const userData = servers![names[0]].user_data;
  if (typeof userData !== "string") throw new Error(`hcloud_server.${names[0]}.user_data is not a string`);
  return { serverName: names[0], ...renderTerraformString(userData, resolve) };
}

/**
 * Writes decoded files under `root` ("/" writes the real paths) as cloud-init does: parent
 * folders created, content appended or replaced, mode set, owner by name.
 */
export function applyWriteFiles(files: readonly DecodedFile[], root = "/"): void {
  for (const f of files) {
    const target = path.join(root, f.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (f.append) fs.appendFileSync(target, f.content);
    else fs.writeFileSync(target, f.content);
    fs.chmodSync(target, f.mode);
    if (f.owner !== "root" || f.group !== "root") {
      execFileSync("chown", [`${f.owner}:${f.group}`, target]);
    }
  }
}
