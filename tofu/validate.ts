// `tofu validate` of synthesized stacks, JSON and HCL, in one initialized working folder.
import * as fs from "node:fs";
import * as path from "node:path";
import type { OfflineTofu } from "./offline";

/** `tofu validate -json`, the parts read here. */
export interface ValidateResult {
  readonly valid: boolean;
  readonly error_count: number;
  readonly warning_count: number;
  readonly diagnostics: readonly { severity: string; summary: string; detail?: string; range?: { filename: string; start: { line: number } } }[];
}

/**
 * Validates one configuration (`main.tf.json` text or `main.tf` HCL text) in `dir`, which must
 * have been initialized (`tofu.init(dir, { backend: false })`) for the same providers.
 */
export function validate(tofu: OfflineTofu, dir: string, config: { json?: string; hcl?: string }): ValidateResult {
  for (const f of fs.readdirSync(dir)) if (f.endsWith(".tf") || f.endsWith(".tf.json")) fs.rmSync(path.join(dir, f));
  if (config.json !== undefined) fs.writeFileSync(path.join(dir, "main.tf.json"), config.json);
  if (config.hcl !== undefined) fs.writeFileSync(path.join(dir, "main.tf"), config.hcl);
  const r = tofu.run(dir, ["validate", "-no-color", "-json"]);
  if (!r.stdout.trim().startsWith("{")) throw new Error(`tofu validate gave no JSON (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ValidateResult;
}

/** Diagnostics as lines, e.g. `error: Unsupported block type (main.tf:245): …`. */
export function formatDiagnostics(r: ValidateResult): string {
  return r.diagnostics
    .map((d) => `${d.severity}: ${d.summary}${d.range ? ` (${d.range.filename}:${d.range.start.line})` : ""}${d.detail ? `: ${d.detail}` : ""}`)
    .join("\n");
}
