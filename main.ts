// The cdktf app: one stack per deployment file in deployments/ (or TRACKER_DEPLOYMENTS, a file
// or a folder). Every file is validated before anything is written; on any problem the app
// prints them all and exits 1, leaving cdktf.out untouched.
import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { DeploymentError } from "./constructs/deployment/errors";
import { DeploymentErrors, loadDeployments } from "./constructs/deployment/load";
import { TrackerStack } from "./stacks/tracker-stack";

function main(): number {
  const target = process.env.TRACKER_DEPLOYMENTS ?? "deployments";
  const messages: string[] = [];
  const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const before = new Set(listTree(outdir));
  try {
    const loaded = loadDeployments(target);
    const app = new App({ outdir }); // creates outdir (empty) if missing; removed again below on failure
    for (const l of loaded) {
      try {
        new TrackerStack(app, l.deployment.name, { loaded: l });
      } catch (e) {
        if (e instanceof DeploymentError) messages.push(e.message);
        else throw e;
      }
    }
    if (messages.length === 0) {
      app.synth();
      return 0;
    }
  } catch (e) {
    if (e instanceof DeploymentErrors) messages.push(...e.errors.map((x) => x.message));
    else if (e instanceof DeploymentError) messages.push(e.message);
    else throw e;
  }
  // Stacks create their (empty) folders when constructed: remove whatever this run created.
  for (const p of listTree(outdir).filter((p) => !before.has(p)).reverse()) fs.rmSync(p, { recursive: true, force: true });
  process.stderr.write(`${messages.join("\n")}\nNothing was synthesized.\n`);
  return 1;
}

/** Every path under dir (dir first), or nothing if it does not exist. */
function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out = [dir];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTree(p));
    else out.push(p);
  }
  return out;
}

process.exitCode = main();
