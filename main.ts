// The cdktf app: one stack per deployment file in deployments/ (or TRACKER_DEPLOYMENTS, a file
// or a folder). Every file is validated before anything is written; on any problem the app
// prints them all (file, field, value, what is allowed; never a stack trace) and exits 1. The
// stacks are synthesized into a fresh folder that replaces cdktf.out only on success, so a
// failed run leaves an existing cdktf.out exactly as it was.
import * as fs from "node:fs";
import * as path from "node:path";
import type * as cdktf from "cdktf";
import { DeploymentError } from "./constructs/deployment/errors";
import { ValidationError } from "./constructs/validation-error";
import { DeploymentErrors, loadDeployments, type LoadedDeployment } from "./constructs/deployment/load";
import type * as stacks from "./stacks/tracker-stack";

/** Any error as the user's problem in `source` (no stack trace). */
function asDeploymentError(e: unknown, source: string): DeploymentError {
  if (e instanceof DeploymentError) return e;
  if (e instanceof ValidationError) {
    return new DeploymentError(source, e.issues.map((i) => ({ ...i, message: `${e.source}: ${i.message}` })));
  }
  return new DeploymentError(source, [{ path: [], message: `cannot be synthesized: ${e instanceof Error ? e.message : String(e)}` }]);
}

function main(): number {
  const target = process.env.TRACKER_DEPLOYMENTS ?? "deployments";
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const messages: string[] = [];
  let staging: string | undefined;
  try {
    let loaded: LoadedDeployment[] = [];
    try {
      loaded = loadDeployments(target);
    } catch (e) {
      if (e instanceof DeploymentErrors) messages.push(...e.errors.map((x) => x.message));
      else messages.push(asDeploymentError(e, target).message);
    }
    if (messages.length === 0) {
      // cdktf and the provider bindings load only once every file is valid: a refused file is quick.
      const { App } = require("cdktf") as typeof cdktf;
      const { TrackerStack } = require("./stacks/tracker-stack") as typeof stacks;
      fs.mkdirSync(path.dirname(outdir), { recursive: true });
      staging = fs.mkdtempSync(`${outdir}.synth-`);
      const app = new App({ outdir: staging });
      for (const l of loaded) {
        try {
          new TrackerStack(app, l.deployment.name, { loaded: l });
        } catch (e) {
          messages.push(asDeploymentError(e, l.source).message);
        }
      }
      if (messages.length === 0) {
        try {
          app.synth();
        } catch (e) {
          messages.push(asDeploymentError(e, target).message);
        }
      }
      if (messages.length === 0) {
        fs.rmSync(outdir, { recursive: true, force: true });
        fs.renameSync(staging, outdir);
        staging = undefined;
        return 0;
      }
    }
  } finally {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
  }
  process.stderr.write(`${messages.join("\n")}\nNothing was synthesized.\n`);
  return 1;
}

try {
  process.exitCode = main();
} catch (e) {
  // Only a fault of this program can reach here; still no stack trace for the user.
  process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\nNothing was synthesized.\n`);
  process.exitCode = 1;
}
