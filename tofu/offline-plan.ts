// `tofu plan` of a deployment file, offline: synth with the app, a working folder outside the
// repository (backend overridden to a local file there), init from the mirror, plan, show -json.
import * as fs from "node:fs";
import * as path from "node:path";
import { type ResourceVerdict, verdicts } from "./changes";
import { CACHE_ROOT, OfflineTofu } from "./offline";
import { fabricatePriorState, planJson, type ProviderSchemas, type SummarizedPlan, writeState } from "./prior-state";
import { requiredProviders } from "./providers";
import { type StackJson, constructPaths, describeBackend, synthStacks, writeOfflineConfig } from "./stack";

/** Where working folders go unless told otherwise (never inside the repository). */
export const DEFAULT_WORK_ROOT = path.join(CACHE_ROOT, "plan");

export interface StackPlan {
  readonly name: string;
  readonly json: StackJson;
  /** The backend the deployment configures (the plan used a local file instead). */
  readonly configuredBackend: string;
  readonly dir: string;
  readonly plan: SummarizedPlan;
  readonly verdicts: readonly ResourceVerdict[];
  /** Construct path per address (`Tracker/Server`), with --against also those of the older stack. */
  readonly paths: ReadonlyMap<string, string>;
  /** Seconds: init, plan (+ show), and for --against the fabrication of the prior state. */
  readonly seconds: { readonly init: number; readonly plan: number; readonly prior?: number };
  /** For --against: how many plans the fabrication took. */
  readonly priorPlans?: number;
  readonly standIns: readonly string[];
}

export interface PlanOptions {
  /** Parent of the working folders. @default ~/.cache/torrust-tracker-cdktf/plan */
  readonly workRoot?: string;
}

/** Plans every stack of `deployments` (a file or folder) against an empty state. */
export function planDeployments(deployments: string, options: PlanOptions = {}): StackPlan[] {
  return synthStacks(deployments).map(({ name, json }) => planStack(name, json, options));
}

/** Plans one synthesized stack against an empty state. */
export function planStack(name: string, json: StackJson, options: PlanOptions = {}): StackPlan {
  const dir = path.join(options.workRoot ?? DEFAULT_WORK_ROOT, name);
  const tofu = OfflineTofu.prepare(requiredProviders(json));
  const statePath = writeOfflineConfig(dir, json);
  fs.rmSync(statePath, { force: true });
  const init = tofu.init(dir).seconds;
  const t = process.hrtime.bigint();
  const plan = planJson(tofu, dir);
  return {
    name,
    json,
    configuredBackend: describeBackend(json),
    dir,
    plan,
    verdicts: verdicts(plan),
    paths: constructPaths(json),
    seconds: { init, plan: Number(process.hrtime.bigint() - t) / 1e9 },
    standIns: tofu.standIns,
  };
}

/**
 * Plans the stack of `deployment` against a state fabricated from `older` (another deployment
 * file of the same shape): what applying the change would do to each resource.
 */
export function planAgainst(deployment: string, older: string, options: PlanOptions = {}): StackPlan {
  const [next] = synthOne(deployment);
  const [prior] = synthOne(older);
  // The stack name (the file's `name`) is the Terraform state: another name is another state, so
  // `cdktf deploy` would create a second deployment beside the first, not change it.
  if (prior.name !== next.name) {
    throw new Error(
      `--against compares two versions of one deployment, but ${older} is "${prior.name}" and ${deployment} is "${next.name}": ` +
        `a different name is a different stack and state, so cdktf deploy would create all of ${next.name}'s resources beside ${prior.name}'s. ` +
        `Give both files the same name to see what changing one into the other does`,
    );
  }
  const root = options.workRoot ?? DEFAULT_WORK_ROOT;
  const tofu = OfflineTofu.prepare(requiredProviders(next.json));
  const priorDir = path.join(root, `${next.name}.prior`);
  const priorState = writeOfflineConfig(priorDir, prior.json);
  fs.rmSync(priorState, { force: true });
  const t0 = process.hrtime.bigint();
  tofu.init(priorDir);
  const schemas = JSON.parse(tofu.must(priorDir, ["providers", "schema", "-json"]).stdout) as ProviderSchemas;
  const fabricated = fabricatePriorState(tofu, priorDir, priorState, schemas, prior.name);
  const priorSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const dir = path.join(root, next.name);
  const statePath = writeOfflineConfig(dir, next.json);
  const init = tofu.init(dir).seconds;
  writeState(statePath, fabricated.state);
  const t = process.hrtime.bigint();
  const plan = planJson(tofu, dir);
  return {
    name: next.name,
    json: next.json,
    configuredBackend: describeBackend(next.json),
    dir,
    plan,
    verdicts: verdicts(plan),
    paths: new Map([...constructPaths(prior.json), ...constructPaths(next.json)]),
    seconds: { init, plan: Number(process.hrtime.bigint() - t) / 1e9, prior: priorSeconds },
    priorPlans: fabricated.plans,
    standIns: tofu.standIns,
  };
}

function synthOne(file: string): [{ name: string; json: StackJson }] {
  const stacks = synthStacks(file);
  if (stacks.length !== 1) throw new Error(`${file}: --against compares one deployment file with one other, got ${stacks.length} stacks`);
  return [stacks[0]!];
}
