// Golden files: compare with test/**/__golden__/<name>. A missing golden fails the test; only
// UPDATE_GOLDEN=1 (re)writes them, for review before committing.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

export function assertGolden(dir: string, name: string, actual: string): void {
  const file = path.join(dir, "__golden__", name);
  if (process.env.UPDATE_GOLDEN === "1") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) assert.fail(`golden file ${file} is missing; run UPDATE_GOLDEN=1 on this test, review the file and commit it`);
  assert.equal(actual, fs.readFileSync(file, "utf8"), `${file} differs (UPDATE_GOLDEN=1 rewrites it after review)`);
}
