// The verifier's command-line pieces that need no network: durations and addresses from state.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { addressesFromState, parseDuration } from "../../rehearsal/verify";

describe("verify", () => {
  it("parses --wait durations", () => {
    assert.equal(parseDuration("10m"), 600_000);
    assert.equal(parseDuration("90s"), 90_000);
    assert.equal(parseDuration("45"), 45_000);
    assert.equal(parseDuration("1h"), 3_600_000);
    assert.throws(() => parseDuration("soon"), /--wait takes a duration/);
  });

  it("reads the server's addresses from Terraform state, the server before its primary IPs", () => {
    const state = {
      resources: [
        { type: "hcloud_primary_ip", instances: [{ attributes: { type: "ipv4", ip_address: "203.0.113.9" } }] },
        { type: "hcloud_primary_ip", instances: [{ attributes: { type: "ipv6", ip_address: "2001:db8:1::/64" } }] },
      ],
    };
    assert.deepEqual(addressesFromState(JSON.stringify(state)), { ipv4: "203.0.113.9", ipv6: "2001:db8:1::1" });
    state.resources.push({ type: "hcloud_server", instances: [{ attributes: { ipv4_address: "203.0.113.10", ipv6_address: "2001:db8:2::1" } as never }] });
    assert.deepEqual(addressesFromState(JSON.stringify(state)), { ipv4: "203.0.113.10", ipv6: "2001:db8:2::1" });
  });
});
