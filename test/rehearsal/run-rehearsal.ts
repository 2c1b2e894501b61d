// Runs `npm run rehearse -- --proxy KIND` as a child process and checks that every row passed.
// Needs root and the Debian packages: a missing one fails the test with its name, never skips.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { LIMIT_SECONDS, missingPackages } from "../../rehearsal/rehearse";

const REPO = path.resolve(__dirname, "..", "..");

export function assertRehearsalPasses(kind: "caddy" | "nginx-certbot"): void {
  assert.equal(process.getuid?.(), 0, "the rehearsal needs root (network and mount namespaces): run the tests as root");
  const missing = missingPackages();
  assert.deepEqual(missing, [], `Debian packages missing: ${missing.join(", ")} (apt-get install ${missing.join(" ")}, or bash scripts/install-test-deps.sh)`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", "rehearsal/rehearse.ts", "--proxy", kind], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 200_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  const rows = r.stdout.split("\n").filter((l) => /^(PASS|FAIL|SKIP)  /.test(l));
  const failed = rows.filter((l) => !l.startsWith("PASS") && !/^SKIP  pingoo /.test(l));
  assert.deepEqual(failed, [], `rows that did not pass:\n${failed.join("\n")}\n\nfull output:\n${out.slice(-6000)}`);
  assert.equal(r.status, 0, `rehearse exited ${r.status}:\n${out.slice(-4000)}`);
  for (const name of ["certificate", "redirect", "upstream", "announce", "x-forwarded-for", "websocket", "tls versions", "hsts",
    "fault: restart reuses stored certificates", "fault: ACME server down at first start", "fault: upstream down", "fault: renewal near expiry"]) {
    assert.ok(rows.some((l) => l.startsWith("PASS") && l.includes(`${kind} ${name}`)), `no passing "${name}" row:\n${rows.join("\n")}`);
  }
  assert.match(r.stdout, /^SKIP  pingoo .*not counted as passed/m);
  assert.match(r.stdout, /^\d+ passed, 0 failed, 1 skipped$/m);
  assert.ok((Date.now() - started) / 1000 <= LIMIT_SECONDS + 15, `took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
