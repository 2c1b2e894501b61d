import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TerraformStack, Testing } from "cdktf";
import { Firewall, Peer, Port } from "../../constructs/hcloud";
import { only, resolved, synth } from "./helpers";
import { testApp } from "../helpers/cdktf";

const ANY = [Peer.anyIpv4(), Peer.anyIpv6()];

describe("Firewall", () => {
  it("has only a name and no rule block by default", () => {
    const json = synth((stack) => new Firewall(stack, "Firewall", { name: "tracker" }));
    assert.deepEqual(only(json, "hcloud_firewall"), ["Firewall", { name: "tracker" }]);
  });

  it("renders inbound rules with protocol, port, sources and description", () => {
    const json = synth((stack) => {
      const firewall = new Firewall(stack, "Firewall", { name: "tracker", labels: { app: "t" } });
      firewall.allowInbound(Port.udp(6969), ANY, "udp tracker");
      firewall.allowInbound(Port.icmp(), ANY);
      firewall.allowInbound(Port.tcpRange(6881, 6889), [Peer.cidr("203.0.113.0/24")]);
    });
    const [, body] = only(json, "hcloud_firewall");
    assert.deepEqual(body.labels, { app: "t" });
    assert.deepEqual(body.rule, [
      { direction: "in", protocol: "tcp", port: "6881-6889", source_ips: ["203.0.113.0/24"] },
      { direction: "in", protocol: "udp", port: "6969", source_ips: ["0.0.0.0/0", "::/0"], description: "udp tracker" },
      { direction: "in", protocol: "icmp", source_ips: ["0.0.0.0/0", "::/0"] },
    ]);
  });

  it("includes rules added after the firewall is used by another resource", () => {
    let id: unknown;
    const json = synth((stack) => {
      const firewall = new Firewall(stack, "Firewall", { name: "tracker" });
      id = firewall.firewallId;
      firewall.allowInbound(Port.tcp(443), ANY);
    });
    assert.equal(typeof id, "string");
    assert.equal(only(json, "hcloud_firewall")[1].rule.length, 1);
  });

  it("sorts rules the same whatever the call order", () => {
    const calls: [Port, string?][] = [[Port.tcp(443), "https"], [Port.tcp(80)], [Port.udp(443)], [Port.tcp(22)], [Port.udp(6969)], [Port.tcp(443), "b"]];
    const render = (order: typeof calls) =>
      only(
        synth((stack) => {
          const firewall = new Firewall(stack, "Firewall", { name: "f" });
          order.forEach(([port, description]) => firewall.allowInbound(port, ANY, description));
        }),
        "hcloud_firewall",
      )[1].rule;
    const forward = render(calls);
    assert.deepEqual(forward, render([...calls].reverse()));
    assert.deepEqual(
      forward.map((r: { protocol: string; port: string; description?: string }) => `${r.protocol}/${r.port}/${r.description ?? ""}`),
      ["tcp/22/", "tcp/80/", "tcp/443/b", "tcp/443/https", "udp/443/", "udp/6969/"],
    );
  });

  it("merges the peers of rules with the same port and description", () => {
    const json = synth((stack) => {
      const firewall = new Firewall(stack, "Firewall", { name: "f" });
      firewall.allowInbound(Port.tcp(22), [Peer.cidr("198.51.100.0/24")], "ssh");
      firewall.allowInbound(Port.tcp(22), [Peer.cidr("203.0.113.0/24"), Peer.cidr("198.51.100.0/24")], "ssh");
    });
    assert.deepEqual(only(json, "hcloud_firewall")[1].rule, [
      { direction: "in", protocol: "tcp", port: "22", source_ips: ["198.51.100.0/24", "203.0.113.0/24"], description: "ssh" },
    ]);
  });

  it("prints rule ports as strings in synth --hcl, including rules added after construction", () => {
    const stack = new TerraformStack(testApp(), "stack");
    const firewall = new Firewall(stack, "Firewall", { name: "f" });
    firewall.allowInbound(Port.tcp(22), [Peer.anyIpv4()], "ssh");
    firewall.allowInbound(Port.udp(6969), [Peer.anyIpv4()], "tracker");
    const hcl: string = Testing.synthHcl(stack);
    assert.match(hcl, /port = "22"/);
    assert.match(hcl, /port = "6969"/);
    assert.doesNotMatch(hcl, /port = \d/);
  });

  it("fails on a rule without peers", () => {
    assert.throws(
      () => synth((stack) => new Firewall(stack, "Firewall", { name: "f" }).allowInbound(Port.tcp(22), [])),
      { message: "no peers for inbound rule tcp/22: pass at least one, e.g. [Peer.anyIpv4(), Peer.anyIpv6()] (in stack/Firewall)" },
    );
  });

  it("fails on bad labels", () => {
    assert.throws(() => synth((stack) => new Firewall(stack, "Firewall", { name: "f", labels: { "": "x" } })), /invalid label key ""/);
  });

  it("is addressed by its construct id and exposes its id", () => {
    assert.equal(resolved((stack) => new Firewall(stack, "Edge", { name: "f" }).firewallId), "${hcloud_firewall.Edge.id}");
  });

  it("imports an existing firewall by id", () => {
    synth((stack) => assert.equal(Firewall.fromFirewallId(stack, "Existing", "42").firewallId, "42"));
  });
});
