// The full rehearsal of the nginx + certbot deployment: Debian's nginx and certbot against Pebble.
import { it } from "node:test";
import { assertRehearsalPasses } from "./run-rehearsal";

it("rehearses the nginx-certbot deployment: every check and fault row passes", { timeout: 240_000 }, () => {
  assertRehearsalPasses("nginx-certbot");
});
