// The full rehearsal of the Caddy deployment: Debian's caddy against Pebble in network namespaces.
import { it } from "node:test";
import { assertRehearsalPasses } from "./run-rehearsal";

it("rehearses the caddy deployment: every check and fault row passes", { timeout: 240_000 }, () => {
  assertRehearsalPasses("caddy");
});
