// Runs `npm run rehearse -- --proxy KIND` as a child process and checks that every row passed.
// Needs root and the Debian packages: a missing one fails the test with its name, never skips.
// The TLS facts the rehearsal measures go to a temporary file, which `npm run proxies` then reads.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { HARD_LIMIT_SECONDS, missingPackages } from "../../rehearsal/rehearse";
import { builtTool } from "../../rehearsal/programs";
import { loadMeasurements, type TlsMeasurement } from "../../rehearsal/tls-facts";
import { tempDir } from "../helpers/tmp";

const REPO = path.resolve(__dirname, "..", "..");

export interface RehearsalResult {
  readonly rows: string[];
  readonly stdout: string;
  readonly measurements: TlsMeasurement[];
  /** `npm run proxies` with the measurements of this run. */
  readonly proxiesTable: string;
}

export function assertRehearsalPasses(kind: "caddy" | "nginx-certbot"): RehearsalResult {
  assert.equal(process.getuid?.(), 0, "the rehearsal needs root (network and mount namespaces): run the tests as root");
  const missing = missingPackages();
  assert.deepEqual(missing, [], `Debian packages missing: ${missing.join(", ")} (apt-get install ${missing.join(" ")}, or bash scripts/install-test-deps.sh)`);
  for (const tool of ["caddy", "pebble", "tls-probe"]) {
    assert.ok(builtTool(tool), `${tool} is not built: bash scripts/tools.sh ${tool} (the test command builds it)`);
  }
  const measured = path.join(tempDir("rehearsal-tls-"), "tls.json");
  const env = { ...process.env, TORRUST_TLS_MEASUREMENTS: measured, REHEARSAL_CADDY: "built", REHEARSAL_PEBBLE: "built" };
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", "rehearsal/rehearse.ts", "--proxy", kind], {
    cwd: REPO,
    encoding: "utf8",
    timeout: (HARD_LIMIT_SECONDS + 30) * 1000,
    env,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  const rows = r.stdout.split("\n").filter((l) => /^(PASS|FAIL|SKIP)  /.test(l));
  const failed = rows.filter((l) => !l.startsWith("PASS") && !/^SKIP  pingoo /.test(l));
  assert.deepEqual(failed, [], `rows that did not pass:\n${failed.join("\n")}\n\nfull output:\n${out.slice(-6000)}`);
  assert.equal(r.status, 0, `rehearse exited ${r.status}:\n${out.slice(-4000)}`);
  for (const name of ["certificate", "redirect", "upstream", "announce", "x-forwarded-for", "websocket", "tls versions", "hsts", "tls key exchange (measured)",
    "fault: restart reuses stored certificates", "fault: ACME server down at first start", "fault: upstream down", "fault: renewal near expiry"]) {
    assert.ok(rows.some((l) => l.startsWith("PASS") && l.includes(`${kind} ${name}`)), `no passing "${name}" row:\n${rows.join("\n")}`);
  }
  // It says which programs ran: the built Pebble, and for Caddy production's version.
  const duration = rows.find((l) => l.includes(`${kind} duration`)) ?? "";
  assert.match(duration, /pebble 2\.10\.1 \(built from its Go module/);
  if (kind === "caddy") assert.match(duration, /caddy 2\.10\.2 \(built from its Go module/);
  assert.match(r.stdout, /^SKIP  pingoo .*not counted as passed/m);
  assert.match(r.stdout, /^\d+ passed, 0 failed, 1 skipped$/m);
  assert.ok((Date.now() - started) / 1000 <= HARD_LIMIT_SECONDS + 15, `took ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const measurements = loadMeasurements(measured);
  assert.equal(measurements.length, 1, `one TLS measurement kept in ${measured}`);
  const table = spawnSync(process.execPath, ["--import", "tsx", "scripts/proxies.ts"], { cwd: REPO, encoding: "utf8", env });
  assert.equal(table.status, 0, table.stderr);
  return { rows, stdout: r.stdout, measurements, proxiesTable: table.stdout };
}

/** The cells of one row of `npm run proxies`' table. */
export function tableRow(table: string, name: string): string[] {
  const line = table.split("\n").find((l) => l.startsWith(`| ${name} |`));
  assert.ok(line, `no row ${name} in:\n${table}`);
  return line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()).slice(1);
}
