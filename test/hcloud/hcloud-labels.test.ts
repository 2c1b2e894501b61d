import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Aspects } from "cdktf";
import { Construct } from "constructs";
import { Firewall, HcloudLabels, Location, Server, ServerType, SshKey, Volume } from "../../constructs/hcloud";
import { ipv4, ipv6, PUBLIC_KEY, synth } from "./helpers";

function everything(scope: Construct): void {
  const v4 = ipv4(scope);
  v4.addReverseDns("Ptr", { dnsPtr: "tracker.example.com" });
  const server = new Server(scope, "Server", {
    name: "tracker",
    serverType: ServerType.CCX23,
    location: Location.NBG1,
    primaryIpv4: v4,
    primaryIpv6: ipv6(scope),
    sshKeys: [new SshKey(scope, "Key", { name: "k", publicKey: PUBLIC_KEY })],
    firewalls: [new Firewall(scope, "Firewall", { name: "f" })],
    labels: { role: "tracker", app: "own" },
  });
  server.attachVolume(new Volume(scope, "Data", { name: "d", sizeGb: 10, location: Location.NBG1 }));
}

describe("HcloudLabels", () => {
  it("adds labels to every labelled hcloud resource in the scope, own labels winning", () => {
    const json = synth((stack) => {
      everything(stack);
      Aspects.of(stack).add(new HcloudLabels({ app: "torrust", env: "demo" }));
    });
    const labelled = ["hcloud_server", "hcloud_ssh_key", "hcloud_firewall", "hcloud_primary_ip", "hcloud_volume"];
    for (const type of labelled) {
      for (const [address, body] of Object.entries(json.resource[type]!)) {
        const expected = type === "hcloud_server" ? { app: "own", env: "demo", role: "tracker" } : { app: "torrust", env: "demo" };
        assert.deepEqual(body.labels, expected, `${type}.${address}`);
      }
    }
    for (const type of ["hcloud_rdns", "hcloud_volume_attachment"]) {
      for (const body of Object.values(json.resource[type]!)) {
        assert.equal(body.labels, undefined);
      }
    }
  });

  it("only touches its own scope", () => {
    const json = synth((stack) => {
      const inside = new Construct(stack, "Inside");
      new SshKey(inside, "Key", { name: "in", publicKey: PUBLIC_KEY });
      new SshKey(stack, "Outside", { name: "out", publicKey: PUBLIC_KEY });
      Aspects.of(inside).add(new HcloudLabels({ app: "t" }));
    });
    const keys = Object.values(json.resource.hcloud_ssh_key!);
    assert.deepEqual(keys.map((k) => [k.name, k.labels]).sort(), [["in", { app: "t" }], ["out", undefined]]);
  });

  it("fails on bad labels", () => {
    assert.throws(() => new HcloudLabels({ app: "no spaces" }), /^ValidationError: invalid value "no spaces" for label "app"/);
  });
});
