// One full `npm run boot` of the example deployment: first boot, reboot and server replacement
// of the exact user_data in a Debian 13 VM under qemu (TCG). Builds the guest image when it is not
// cached (~/.cache/torrust-tracker-cdktf/boot/). Slow by nature: see boot/README.md (Cost).
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";

const REPO = path.resolve(__dirname, "../..");
/** Image build (~5 min) + three TCG boots; bounded so a hung guest fails the suite instead of blocking it. */
const LIMIT_MS = 75 * 60_000;

test("npm run boot: every row of the example deployment passes in a real VM", { timeout: LIMIT_MS + 60_000 }, async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "boot/boot.ts", "--boot-timeout-minutes", "45"], {
    cwd: REPO,
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => process.stderr.write(d));
  const timer = setTimeout(() => child.kill("SIGTERM"), LIMIT_MS);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  process.stderr.write(stdout);
  const rows = stdout.split("\n").filter((l) => /^(PASS|FAIL|SKIP) /.test(l));
  const failed = rows.filter((l) => l.startsWith("FAIL"));
  assert.equal(failed.length, 0, `failed rows:\n${failed.join("\n")}`);
  assert.equal(code, 0, `npm run boot exited ${code}`);
  // The rows that make the run meaningful are there and passed.
  for (const name of ["cloud-init status", "module package-update-upgrade-install", "module scripts-user", "ssh root refused", "volume mounted", "reboot: no re-format", "replacement: secrets kept", "replacement: new instance"]) {
    assert.ok(rows.some((l) => l.startsWith("PASS") && l.includes(name)), `no PASS row "${name}"`);
  }
  assert.match(stdout, /\d+ passed, 0 failed/);
});
