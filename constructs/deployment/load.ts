// Reads deployment files: a regular file of bounded size, UTF-8 → YAML (aliases and nesting
// bounded) → the one validation path (schema → plan → rules, constructs/plan/validate.ts).
// Every problem is reported with the file, the field path, the bad value and what is allowed;
// nothing is half-loaded and nothing a user writes ends in a stack trace.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML, { isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import { validateDeployment } from "../plan/validate";
import type { DeploymentPlan } from "../plan/types";
import { DeploymentError, type DeploymentIssue } from "./errors";
import type { Deployment } from "./schema";

/** A validated deployment and where it came from. */
export interface LoadedDeployment {
  /** The file it was read from (as given), used in messages. */
  readonly source: string;
  readonly deployment: Deployment;
  /** Contents of acme.caRootFile (CERTIFICATE blocks only), read relative to the deployment file. */
  readonly acmeCaRootPem?: string;
  /** The deployment plan (what the stack will derive). */
  readonly plan: DeploymentPlan;
  /** Advice printed at synth. */
  readonly warnings: readonly string[];
}

const YAML_EXTENSIONS = [".yaml", ".yml"];
/** Largest deployment file read (the example is 2 KB). Checked before reading. */
export const MAX_DEPLOYMENT_BYTES = 64 * 1024;
/** Largest acme.caRootFile read (a root certificate is 1–2 KB). */
export const MAX_CA_ROOT_BYTES = 64 * 1024;
/** YAML alias expansions allowed (yaml's maxAliasCount): enough for a shared key list, not for a "billion laughs". */
export const MAX_YAML_ALIAS_COUNT = 50;
/** Deepest nesting of mappings and lists (the schema needs 4). */
export const MAX_YAML_DEPTH = 16;

/** The deployment files named by a file or a folder (its *.yaml / *.yml, sorted). */
export function findDeploymentFiles(fileOrDir: string): string[] {
  if (fileOrDir.trim() === "") {
    throw new DeploymentError("TRACKER_DEPLOYMENTS", [
      { path: [], value: fileOrDir, allowed: "a deployment file (.yaml) or a folder of them", message: "is empty" },
    ]);
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(fileOrDir);
  } catch {
    throw new DeploymentError(fileOrDir, [{ path: [], message: "no such file or folder", allowed: "a deployment file (.yaml) or a folder of them" }]);
  }
  if (stat.isFile()) return [fileOrDir];
  if (!stat.isDirectory()) {
    throw new DeploymentError(fileOrDir, [
      { path: [], message: `is ${kindOf(stat)}, not a file or folder`, allowed: "a deployment file (.yaml) or a folder of them" },
    ]);
  }
  let entries: string[];
  try {
    entries = fs.readdirSync(fileOrDir);
  } catch (e) {
    throw new DeploymentError(fileOrDir, [{ path: [], message: `cannot list the folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  const files = entries
    .filter((f) => YAML_EXTENSIONS.includes(path.extname(f)))
    .sort()
    .map((f) => path.join(fileOrDir, f));
  if (files.length === 0) {
    throw new DeploymentError(fileOrDir, [{ path: [], message: "the folder holds no .yaml or .yml deployment file" }]);
  }
  return files;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  if (stat.isDirectory()) return "a folder";
  return "not a regular file";
}

/**
 * Reads a regular file of at most `maxBytes` without blocking (a FIFO or device is refused
 * before any read). Throws DeploymentError on `source` at `field`.
 */
export function readRegularFile(file: string, maxBytes: number, source: string, field: readonly (string | number)[] = []): Buffer {
  const fail = (message: string, allowed?: string): never => {
    throw new DeploymentError(source, [{ path: field, ...(field.length ? { value: file } : {}), message, ...(allowed ? { allowed } : {}) }]);
  };
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (fs.constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === "ENOENT" ? `cannot read ${file}: no such file` : `cannot read ${file}: ${code ?? (e as Error).message}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return fail(`${file} is ${kindOf(stat)}`, "a regular file");
    if (stat.size > maxBytes) return fail(`${file} is ${stat.size} bytes`, `at most ${maxBytes} bytes`);
    const buf = Buffer.alloc(maxBytes + 1);
    let total = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return fail(`${file} is more than ${maxBytes} bytes`, `at most ${maxBytes} bytes`);
    }
    return buf.subarray(0, total);
  } catch (e) {
    if (e instanceof DeploymentError) throw e;
    return fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Bytes → text, refusing what is not UTF-8 with a message that says what it is. */
export function decodeUtf8(bytes: Buffer, source: string): string {
  const utf16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0));
  if (utf16) {
    throw new DeploymentError(source, [
      { path: [], message: "the file is UTF-16 (or holds NUL bytes): save it as UTF-8", allowed: "UTF-8 text" },
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DeploymentError(source, [
      { path: [], message: "the file is not valid UTF-8 (Latin-1 or another encoding?): save it as UTF-8", allowed: "UTF-8 text" },
    ]);
  }
  if (text.includes("\u0000")) throw new DeploymentError(source, [{ path: [], message: "the file holds NUL characters", allowed: "UTF-8 text" }]);
  return text.replace(/^\uFEFF/, "");
}

/** Reads and validates one deployment file. Throws DeploymentError listing every problem. */
export function loadDeploymentFile(file: string): LoadedDeployment {
  const text = decodeUtf8(readRegularFile(file, MAX_DEPLOYMENT_BYTES, file), file);
  return parseDeployment(text, file, path.dirname(file));
}

/** Nesting depth of a YAML node tree, walked without recursion. */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      max = Math.max(max, depth + 1);
      if (max > MAX_YAML_DEPTH) return max;
      for (const item of node.items as unknown[]) stack.push({ node: item, depth: depth + 1 });
    } else if (isPair(node)) {
      stack.push({ node: node.key, depth }, { node: node.value, depth });
    }
  }
  return max;
}

/**
 * Deepest bracket nesting of flow collections ([ and {), scanned before parsing: the YAML parser
 * recurses per level and would overflow its stack on thousands of levels.
 */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") while (i < text.length && text[i] !== "\n") i++;
    else if (c === "[" || c === "{") max = Math.max(max, ++depth);
    else if ((c === "]" || c === "}") && depth > 0) depth--;
    else if (c === "\n" && quote) quote = undefined;
  }
  return max;
}

const tooDeep = (source: string) =>
  new DeploymentError(source, [
    { path: [], message: `mappings and lists are nested more than ${MAX_YAML_DEPTH} levels deep`, allowed: "the deployment file's shape (4 levels)" },
  ]);

/** YAML text → plain data, or DeploymentError: syntax, aliases, nesting, non-mapping root. */
export function parseYaml(text: string, source: string): { raw: Record<string, unknown>; doc: YAML.Document.Parsed } {
  let doc: YAML.Document.Parsed;
  let raw: unknown;
  try {
    if (flowDepth(text) > MAX_YAML_DEPTH) throw tooDeep(source);
    doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true, merge: false });
    if (doc.errors.some((e) => /call stack/i.test(e.message))) throw tooDeep(source);
    if (doc.errors.length > 0) {
      const duplicates = doc.errors.some((e) => e.code === "DUPLICATE_KEY") ? duplicateKeys(text) : [];
      if (duplicates.length > 0) throw new DeploymentError(source, duplicates);
      throw new DeploymentError(
        source,
        doc.errors.map((e) => ({ path: [], message: `YAML syntax: ${e.message.split("\n")[0]}` })),
      );
    }
    // Warnings (an unknown !tag read as a plain string, ...) would change what the user meant: refuse them.
    if (doc.warnings.length > 0) {
      throw new DeploymentError(
        source,
        doc.warnings.map((w) => ({ path: [], message: `YAML: ${w.message.split("\n")[0]}` })),
      );
    }
    if (depthOf(doc.contents) > MAX_YAML_DEPTH) throw tooDeep(source);
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof DeploymentError) throw e;
    const message =
      e instanceof ReferenceError && /alias/i.test(e.message)
        ? `YAML aliases expand too much (more than ${MAX_YAML_ALIAS_COUNT} alias uses): write the values out`
        : e instanceof RangeError
          ? "the YAML is nested too deeply to read"
          : `YAML: ${(e as Error).message.split("\n")[0]}`;
    throw new DeploymentError(source, [{ path: [], message }]);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new DeploymentError(source, [
      { path: [], value: raw, message: "must be a YAML mapping (name, domain, cloudflare, admin, ...)" },
    ]);
  }
  return { raw: raw as Record<string, unknown>, doc: doc! };
}

/**
 * Every key written twice in one mapping, by its path and both lines (yaml's own error names
 * only a position, on a line of its pretty-printed context that we cannot show).
 */
function duplicateKeys(text: string): DeploymentIssue[] {
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { uniqueKeys: false, merge: false, lineCounter: lines });
  const lineOf = (n: Node | undefined) => (n?.range ? lines.linePos(n.range[0]).line : undefined);
  const issues: DeploymentIssue[] = [];
  const stack: { node: unknown; at: (string | number)[] }[] = [{ node: doc.contents, at: [] }];
  while (stack.length > 0) {
    const { node, at } = stack.pop()!;
    if (at.length > MAX_YAML_DEPTH) continue;
    if (isSeq(node)) node.items.forEach((item, i) => stack.push({ node: item, at: [...at, i] }));
    if (!isMap(node)) continue;
    const first = new Map<string, Node>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const earlier = first.get(key);
      const value = isScalar(pair.value) ? pair.value.value : (pair.value as Node | null)?.toJSON?.();
      if (earlier) {
        issues.push({
          path: [...at, key],
          value,
          allowed: "each key once per mapping",
          message: `is written twice, on lines ${lineOf(earlier)} and ${lineOf(pair.key as Node)}`,
        });
      } else first.set(key, pair.key as Node);
      stack.push({ node: pair.value, at: [...at, key] });
    }
  }
  return issues.sort((a, b) => a.path.join(".").localeCompare(b.path.join(".")));
}

/** acme.caRootFile: a regular, size-capped file; only its CERTIFICATE blocks are kept; a private key is refused. */
export function readCaRoot(file: string, baseDir: string, source: string): string {
  const field = ["acme", "caRootFile"];
  const pemPath = path.resolve(baseDir, file);
  const text = readRegularFile(pemPath, MAX_CA_ROOT_BYTES, source, field).toString("latin1");
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    throw new DeploymentError(source, [
      {
        path: field,
        value: file,
        message: "holds a private key, which would be copied to the server's user_data and the Terraform state: give a file with the CA's certificate only",
      },
    ]);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new DeploymentError(source, [{ path: field, value: file, message: "is not a PEM certificate (no BEGIN CERTIFICATE line)" }]);
  }
  return blocks.map((b) => b.replace(/\r\n/g, "\n")).join("\n") + "\n";
}

/** A clearer message for values YAML typed differently from what the user meant. */
function typingHints(raw: Record<string, unknown>, doc: YAML.Document.Parsed, text: string): DeploymentIssue[] {
  const zone = doc.getIn(["cloudflare", "zoneId"], true) as Node | undefined;
  if (zone && isScalar(zone) && typeof zone.value === "number" && zone.range) {
    const written = text.slice(zone.range[0], zone.range[1]);
    return [
      {
        path: ["cloudflare", "zoneId"],
        value: written,
        allowed: 'a quoted 32-character hex id, e.g. zoneId: "0123456789abcdef0123456789abcdef"',
        message: "YAML reads an unquoted all-digit id as a number (and drops digits): put it in quotes",
      },
    ];
  }
  void raw;
  return [];
}

/**
 * Validates deployment text. `baseDir` resolves acme.caRootFile; `source` names the text in errors.
 */
export function parseDeployment(text: string, source: string, baseDir = "."): LoadedDeployment {
  const { raw, doc } = parseYaml(text, source);
  const hints = typingHints(raw, doc, text);
  if (hints.length > 0) throw new DeploymentError(source, hints);
  // The CA root is read (bounded) before validation, so the plan and rules see what is deployed.
  const acme = raw.acme as Record<string, unknown> | undefined;
  const caRootFile = acme && typeof acme === "object" && typeof acme.caRootFile === "string" ? acme.caRootFile : undefined;
  const acmeCaRootPem = caRootFile && acme?.directoryUrl !== undefined ? readCaRoot(caRootFile, baseDir, source) : undefined;
  const { deployment, plan, warnings } = validateDeployment(raw, { source, acmeCaRootPem });
  return { source, deployment, acmeCaRootPem, plan, warnings };
}

/** The one place a crash in loading becomes a clean error naming the file. */
function loadSafely(file: string): LoadedDeployment {
  try {
    return loadDeploymentFile(file);
  } catch (e) {
    if (e instanceof DeploymentError) throw e;
    throw new DeploymentError(file, [{ path: [], message: `cannot be loaded: ${(e as Error).message ?? String(e)}` }]);
  }
}

/** Loads every deployment under a file or folder; all problems of all files are reported together. */
export function loadDeployments(fileOrDir: string): LoadedDeployment[] {
  const loaded: LoadedDeployment[] = [];
  const errors: DeploymentError[] = [];
  for (const file of findDeploymentFiles(fileOrDir)) {
    try {
      loaded.push(loadSafely(file));
    } catch (e) {
      errors.push(e as DeploymentError);
    }
  }
  errors.push(...crossFileProblems(loaded));
  if (errors.length > 0) throw new DeploymentErrors(errors);
  return loaded;
}

/** What must be unique across the files of one app: stack names, Hetzner SSH keys, DNS names per zone. */
export function crossFileProblems(loaded: readonly LoadedDeployment[]): DeploymentError[] {
  // Grouped per file: one "b.yaml: 3 problems" block, not three "b.yaml: 1 problem" blocks.
  const issues = new Map<string, DeploymentIssue[]>();
  const seen = new Map<string, string>();
  const claim = (key: string, l: LoadedDeployment, issue: (other: string) => DeploymentIssue) => {
    const other = seen.get(key);
    if (other !== undefined && other !== l.source) issues.set(l.source, [...(issues.get(l.source) ?? []), issue(other)]);
    else if (other === undefined) seen.set(key, l.source);
  };
  for (const l of loaded) {
    const d = l.deployment;
    claim(`name:${d.name}`, l, (other) => ({ path: ["name"], value: d.name, message: `is also the name of ${other}; stack names must be unique` }));
    d.admin.sshKeys.forEach((k, i) => {
      const hetznerName = `${d.name}-${k.name}`;
      claim(`key-name:${hetznerName}`, l, (other) => ({
        path: ["admin", "sshKeys", i, "name"],
        value: k.name,
        message: `makes the Hetzner SSH key name "${hetznerName}", which ${other} makes too: Hetzner key names are unique per project`,
      }));
      const blob = k.publicKey.trim().split(/\s+/)[1];
      claim(`key:${blob}`, l, (other) => ({
        path: ["admin", "sshKeys", i, "publicKey"],
        value: k.publicKey,
        message:
          `is also a key of ${other}: Hetzner refuses a second SSH key with the same fingerprint in one project ` +
          "(uniqueness_error); use another key, or synthesize the deployments from different projects' apps",
      }));
    });
    for (const name of l.plan.dns) {
      claim(`dns:${d.cloudflare.zoneId}:${name.hostname}`, l, (other) => ({
        path: name.roles.length ? (l.plan.services.find((s) => s.subdomain === name.subdomain)?.configPath ?? []) : [],
        value: name.hostname,
        message: `is also a DNS name of ${other} in the same Cloudflare zone: the records would overwrite each other`,
      }));
    }
  }
  return [...issues].map(([source, list]) => new DeploymentError(source, list));
}

/** Several files' errors at once. */
export class DeploymentErrors extends Error {
  constructor(readonly errors: readonly DeploymentError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "DeploymentErrors";
  }
}
