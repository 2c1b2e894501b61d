import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROXIES } from "../../constructs/proxies";
import { assertSuccess, run } from "./tools";

const ROOT = path.join(__dirname, "..", "..");
const CAPABILITY_KEYS = Object.keys(PROXIES.caddy.capabilities);

/** The markdown table of `npm run proxies`, as rows of cells. */
function table(stdout: string): string[][] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|(---\|)+$/.test(l))
    .map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

describe("npm run proxies", () => {
  // No TLS measurement (the rehearsal tests check the measured table): every TLS fact is declared.
  const env = { ...process.env, TORRUST_TLS_MEASUREMENTS: path.join(ROOT, "no-such-dir", "tls.json") };
  const result = run(process.execPath, ["--import", "tsx", "scripts/proxies.ts"], "nodejs", { cwd: ROOT, env });

  it("prints a table with a column per proxy and a row per capability", () => {
    assertSuccess(result, "scripts/proxies.ts");
    const rows = table(result.stdout);
    assert.deepEqual(rows[0].slice(1), Object.values(PROXIES).map((p) => `${p.kind} (${p.title})`));
    for (const row of rows) assert.equal(row.length, 1 + Object.keys(PROXIES).length, `row ${row[0]}`);
    const names = rows.map((r) => r[0]);
    for (const key of CAPABILITY_KEYS) assert.equal(names.filter((n) => n === key).length, 1, `capability row ${key}`);
  });

  it("says which sites of the example each proxy serves, with the reason when not", () => {
    const rows = table(result.stdout);
    const grafana = rows.find((r) => r[0] === "serves grafana.example.com (grafana)");
    assert.ok(grafana, "no row for grafana.example.com");
    assert.deepEqual(grafana.slice(1, 3), ["yes", "yes"]);
    assert.match(grafana[3], /^no: Pingoo 0\.14\.7 cannot serve grafana\.example\.com with grafana\.live: true/);
    for (const host of ["test", "api", "http1"]) assert.ok(rows.some((r) => r[0].startsWith(`serves ${host}.example.com`)), host);
    const lines = rows.find((r) => r[0] === "config lines");
    assert.ok(lines);
    for (const c of lines.slice(1)) assert.match(c, /^\d+ \(/);
  });

  it("takes --deployment FILE like npm run rehearse, and a bare FILE", () => {
    const example = path.join(ROOT, "deployments", "example.yaml");
    for (const args of [["--deployment", example], [`--deployment=${example}`], [example]]) {
      const r = run(process.execPath, ["--import", "tsx", "scripts/proxies.ts", ...args], "nodejs", { cwd: ROOT, env });
      assertSuccess(r, `scripts/proxies.ts ${args.join(" ")}`);
      assert.equal(r.stdout, result.stdout.replace(/^# TLS proxies for \S+/, `# TLS proxies for ${example}`));
    }
  });

  it("refuses a bad argument or file with a message and exit 1, no stack trace", () => {
    for (const [args, says] of [
      [["--deployment"], /--deployment needs a FILE/],
      [["--proxy", "caddy"], /unknown option --proxy/],
      [["--deployment", "/nonexistent.yaml"], /\/nonexistent\.yaml: \(file\): cannot read \/nonexistent\.yaml: no such file/],
      [["--deployment", "/dev/zero"], /is a device/],
    ] as const) {
      const r = run(process.execPath, ["--import", "tsx", "scripts/proxies.ts", ...args], "nodejs", { cwd: ROOT, env });
      assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, says);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    }
  });

  it("marks TLS facts no rehearsal measured as declared", () => {
    const rows = table(result.stdout);
    for (const key of ["tlsVersions", "postQuantumKeyExchange"]) {
      const row = rows.find((r) => r[0] === key);
      assert.ok(row, key);
      for (const c of row.slice(1)) assert.match(c, /\(declared, not measured\)/, `${key}: ${c}`);
    }
    const groups = rows.find((r) => r[0] === "key exchange groups");
    assert.ok(groups);
    for (const c of groups.slice(1)) assert.match(c, /^not measured/);
    assert.match(result.stdout, /TLS measurements: none yet/);
  });
});
