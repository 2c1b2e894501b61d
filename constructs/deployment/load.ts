// Reads deployment files: YAML → zod schema → cross-field rules. Every problem is reported with
// the file, the field path, the bad value and what is allowed; nothing is half-loaded.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import type { z } from "zod";
import { DeploymentError, type DeploymentIssue, valueAt } from "./errors";
import { editDistance } from "./formats";
import { checkDeploymentRules } from "./rules";
import { DeploymentSchema, type Deployment } from "./schema";

/** A validated deployment and where it came from. */
export interface LoadedDeployment {
  /** The file it was read from (as given), used in messages. */
  readonly source: string;
  readonly deployment: Deployment;
  /** Contents of acme.caRootFile, read relative to the deployment file. */
  readonly acmeCaRootPem?: string;
}

const YAML_EXTENSIONS = [".yaml", ".yml"];

/** The deployment files named by a file or a folder (its *.yaml / *.yml, sorted). */
export function findDeploymentFiles(fileOrDir: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(fileOrDir);
  } catch {
    throw new DeploymentError(fileOrDir, [{ path: [], message: "no such file or folder" }]);
  }
  if (stat.isFile()) return [fileOrDir];
  const files = fs
    .readdirSync(fileOrDir)
    .filter((f) => YAML_EXTENSIONS.includes(path.extname(f)))
    .sort()
    .map((f) => path.join(fileOrDir, f));
  if (files.length === 0) {
    throw new DeploymentError(fileOrDir, [{ path: [], message: "the folder holds no .yaml or .yml deployment file" }]);
  }
  return files;
}

/** Reads and validates one deployment file. Throws DeploymentError listing every problem. */
export function loadDeploymentFile(file: string): LoadedDeployment {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new DeploymentError(file, [{ path: [], message: `cannot read the file: ${(e as Error).message}` }]);
  }
  return parseDeployment(text, file, path.dirname(file));
}

/**
 * Validates deployment text. `baseDir` resolves acme.caRootFile; `source` names the text in errors.
 */
export function parseDeployment(text: string, source: string, baseDir = "."): LoadedDeployment {
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new DeploymentError(
      source,
      doc.errors.map((e) => ({ path: [], message: `YAML syntax: ${e.message.split("\n")[0]}` })),
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new DeploymentError(source, [
      { path: [], value: raw, message: "must be a YAML mapping (name, domain, cloudflare, admin, ...)" },
    ]);
  }
  const parsed = DeploymentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DeploymentError(source, parsed.error.issues.flatMap((i) => toIssues(i, raw)));
  }
  const deployment = parsed.data;
  const issues = checkDeploymentRules(deployment);
  let acmeCaRootPem: string | undefined;
  if (deployment.acme.caRootFile && issues.length === 0) {
    const pemPath = path.resolve(baseDir, deployment.acme.caRootFile);
    try {
      acmeCaRootPem = fs.readFileSync(pemPath, "utf8");
    } catch {
      issues.push({ path: ["acme", "caRootFile"], value: deployment.acme.caRootFile, message: `cannot read ${pemPath}` });
    }
    if (acmeCaRootPem !== undefined && !/-----BEGIN CERTIFICATE-----/.test(acmeCaRootPem)) {
      issues.push({
        path: ["acme", "caRootFile"],
        value: deployment.acme.caRootFile,
        message: "is not a PEM certificate (no BEGIN CERTIFICATE line)",
      });
    }
  }
  if (issues.length > 0) throw new DeploymentError(source, issues);
  return { source, deployment, acmeCaRootPem };
}

/** Loads every deployment under a file or folder; all problems of all files are reported together. */
export function loadDeployments(fileOrDir: string): LoadedDeployment[] {
  const loaded: LoadedDeployment[] = [];
  const errors: DeploymentError[] = [];
  for (const file of findDeploymentFiles(fileOrDir)) {
    try {
      loaded.push(loadDeploymentFile(file));
    } catch (e) {
      if (e instanceof DeploymentError) errors.push(e);
      else throw e;
    }
  }
  const byName = new Map<string, string>();
  for (const l of loaded) {
    const other = byName.get(l.deployment.name);
    if (other) {
      errors.push(
        new DeploymentError(l.source, [
          { path: ["name"], value: l.deployment.name, message: `is also the name of ${other}; stack names must be unique` },
        ]),
      );
    }
    byName.set(l.deployment.name, l.source);
  }
  if (errors.length > 0) throw new DeploymentErrors(errors);
  return loaded;
}

/** Several files' errors at once. */
export class DeploymentErrors extends Error {
  constructor(readonly errors: readonly DeploymentError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "DeploymentErrors";
  }
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
