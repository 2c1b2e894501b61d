// Writes schema/deployment.schema.json from the zod schema (npm run gen:schema).
// Editors use it for completion and checks; a test fails when it is stale.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { DeploymentSchema } from "../constructs/deployment/schema";

export const JSON_SCHEMA_PATH = path.join(__dirname, "..", "schema", "deployment.schema.json");

/** The JSON Schema text, deterministic (io "input": defaulted fields are optional). */
export function renderJsonSchema(): string {
  const schema = z.toJSONSchema(DeploymentSchema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "Torrust Tracker deployment" }, null, 2)}\n`;
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(JSON_SCHEMA_PATH), { recursive: true });
  fs.writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
  console.log(`wrote ${path.relative(process.cwd(), JSON_SCHEMA_PATH)}`);
}
