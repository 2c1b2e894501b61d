// Golden files: compare with test/**/__golden__/<name>; UPDATE_GOLDEN=1 rewrites them.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

export function assertGolden(dir: string, name: string, actual: string): void {
  const file = path.join(dir, "__golden__", name);
  if (process.env.UPDATE_GOLDEN === "1" || !fs.existsSync(file)) {
    if (process.env.CI && !fs.existsSync(file)) assert.fail(`golden file ${file} is missing; run UPDATE_GOLDEN=1 npm test and commit it`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, "utf8"), `${file} differs (UPDATE_GOLDEN=1 rewrites it after review)`);
}
