// The full rehearsal of the Caddy deployment: production's Caddy 2.10.2 (built by scripts/tools.sh)
// against Pebble 2.10.1 in network namespaces, and the TLS facts it measured in `npm run proxies`.
import * as assert from "node:assert/strict";
import { it } from "node:test";
import { assertRehearsalPasses, tableRow } from "./run-rehearsal";

it("rehearses the caddy deployment with Caddy 2.10.2: every check and fault row passes; X25519MLKEM768 measured", { timeout: 240_000 }, () => {
  const r = assertRehearsalPasses("caddy");
  // The renewal is triggered by a restart with certificates Caddy considers due, and awaited by serial.
  assert.ok(r.rows.some((l) => /^PASS  caddy fault: renewal near expiry .*1800 s certificates.*restarted.*4 hostnames renewed/.test(l)), r.rows.join("\n"));
  const [m] = r.measurements;
  assert.equal(m.program, "caddy 2.10.2 (built from its Go module by scripts/tools.sh)");
  // The generated Caddyfile names no curves: Caddy 2.10.2's defaults (modules/caddytls/values.go).
  assert.deepEqual(m.tls13Groups, ["X25519MLKEM768", "X25519", "P-256"]);
  assert.equal(m.chosenFromDefaults, "X25519MLKEM768");
  assert.deepEqual(m.tlsVersions, ["1.2", "1.3"]);
  const [caddy, nginx, pingoo] = tableRow(r.proxiesTable, "postQuantumKeyExchange");
  assert.match(caddy, /^yes, X25519MLKEM768 \(measured: caddy 2\.10\.2 /);
  assert.match(nginx, /\(declared, not measured\)/);
  assert.match(pingoo, /\(declared, not measured\)/);
  assert.match(tableRow(r.proxiesTable, "key exchange groups")[0], /TLS 1\.3 groups: X25519MLKEM768, X25519, P-256/);
});
