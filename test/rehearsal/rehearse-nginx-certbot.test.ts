// The full rehearsal of the nginx + certbot deployment: Debian's nginx and certbot against Pebble
// 2.10.1, and the TLS facts it measured in `npm run proxies`.
import * as assert from "node:assert/strict";
import { it } from "node:test";
import { assertRehearsalPasses, tableRow } from "./run-rehearsal";

it("rehearses the nginx-certbot deployment: every check and fault row passes; no post-quantum group measured", { timeout: 240_000 }, () => {
  const r = assertRehearsalPasses("nginx-certbot");
  const [m] = r.measurements;
  assert.match(m.program, /^nginx 1\.22\.\d+ with OpenSSL 3\.0\.\d+ \(Debian package\)$/);
  // OpenSSL 3.0's default groups (the generated server blocks set no ssl_ecdh_curve); X448 is not probed.
  assert.deepEqual(m.tls13Groups, ["X25519", "P-256", "P-384", "P-521"]);
  assert.equal(m.postQuantum, false);
  assert.deepEqual(m.tlsVersions, ["1.2", "1.3"]);
  const nginx = tableRow(r.proxiesTable, "postQuantumKeyExchange")[1];
  assert.match(nginx, /^no \(measured: nginx 1\.22\.\d+ with OpenSSL 3\.0\.\d+ \(Debian package\), standing in for Ubuntu 24\.04 packages/);
});
