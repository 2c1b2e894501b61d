// The one validation path: schema → plan → rules (the deployment's, then the chosen proxy's).
// The app (via the loader), TrackerDeployment used from any stack, `npm run proxies` and the
// rehearsal all call validateDeployment(), so each refuses exactly what the others refuse.
import { checkDeploymentRules } from "../deployment/rules";
import { DeploymentError, type DeploymentIssue } from "../deployment/errors";
import { schemaIssues } from "../deployment/schema-issues";
import { DeploymentSchema, type Deployment } from "../deployment/schema";
import { checkEdge } from "../edge/rules";
import type { ProxyPlugin } from "../edge/types";
import { PROXIES } from "../proxies";
import { planDeployment } from "./plan";
import type { DeploymentPlan } from "./types";

export interface ValidateOptions {
  /** Names the deployment in errors: the file's path, or the construct's path. */
  readonly source: string;
  /** PEM read from acme.caRootFile. */
  readonly acmeCaRootPem?: string;
  /** The proxy plug-in; @default PROXIES[deployment.proxy.kind] */
  readonly proxy?: ProxyPlugin;
}

export interface ValidatedDeployment {
  readonly deployment: Deployment;
  readonly plan: DeploymentPlan;
  readonly proxy: ProxyPlugin;
  /** Advice for the user (plan and proxy warnings). */
  readonly warnings: readonly string[];
}

/**
 * Validates file-shaped input (or an already parsed deployment: parsing is idempotent) and
 * returns it with its plan. Throws one DeploymentError listing every problem of the first stage
 * that has any (the schema's, else the plan's and the rules' together).
 */
export function validateDeployment(input: unknown, options: ValidateOptions): ValidatedDeployment {
  const parsed = DeploymentSchema.safeParse(input);
  if (!parsed.success) throw new DeploymentError(options.source, schemaIssues(parsed.error, input));
  const d = parsed.data;
  const proxy = options.proxy ?? PROXIES[d.proxy.kind];
  const plan = planDeployment(d, { proxy, acmeCaRootPem: options.acmeCaRootPem });
  const edge = checkEdge(d, plan.edge, proxy, Object.values(PROXIES));
  const issues: DeploymentIssue[] = [...plan.problems, ...checkDeploymentRules(d, plan), ...edge.errors];
  if (issues.length > 0) throw new DeploymentError(options.source, issues);
  return { deployment: d, plan, proxy, warnings: [...plan.warnings, ...edge.warnings] };
}
