// Prints the server's user_data size (what Hetzner counts, limit 32,768 bytes) for the example
// deployment with every proxy, database driver and backup variant.
//   npm run bench:user-data
import { App, TerraformStack } from "cdktf";
import { parse } from "yaml";
import * as fs from "node:fs";
import type { DeploymentInput } from "../constructs/deployment/schema";
import { PROXY_KINDS } from "../constructs/deployment/schema";
import { TrackerDeployment } from "../constructs/tracker/tracker-deployment";
import { USER_DATA_LIMIT_BYTES } from "../constructs/tracker/user-data";

const example = parse(fs.readFileSync("deployments/example.yaml", "utf8")) as DeploymentInput;
const S3 = { repository: "s3:https://fsn1.your-objectstorage.com/torrust-backups/example" };
const variants: Record<string, Partial<DeploymentInput>> = {
  "sqlite3, no backups": { backup: { enabled: false } },
  "sqlite3 + backups (default)": {},
  "sqlite3 + backups + S3": { backup: { s3: S3 } },
  "mysql + backups + S3": { database: { driver: "mysql" }, backup: { s3: S3 } },
};

console.log(`${"proxy".padEnd(14)}${Object.keys(variants).map((v) => v.padStart(30)).join("")}`);
for (const kind of PROXY_KINDS) {
  const sizes = Object.values(variants).map((extra) => {
    const stack = new TerraformStack(new App(), "s"); // never synthesized: nothing is written
    const input: DeploymentInput = {
      ...example,
      ...extra,
      proxy: { ...example.proxy, kind },
      // Pingoo strips the WebSocket upgrade: Grafana Live must be off (ADR 0006).
      grafana: { ...example.grafana, ...(kind === "pingoo" ? { live: false } : {}) },
    };
    return TrackerDeployment.fromInput(stack, "Tracker", input).userDataBytes;
  });
  console.log(`${kind.padEnd(14)}${sizes.map((s) => `${s} (${((100 * s) / USER_DATA_LIMIT_BYTES).toFixed(0)} %)`.padStart(30)).join("")}`);
}
