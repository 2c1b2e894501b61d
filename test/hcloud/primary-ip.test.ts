import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { IpFamily, Location, PrimaryIp } from "../../constructs/hcloud";
import { only, resolved, resources, synth } from "./helpers";

describe("PrimaryIp", () => {
  it("defaults to delete protection on and auto delete off", () => {
    const json = synth((stack) => new PrimaryIp(stack, "Ip", { name: "ip", type: IpFamily.IPV4, location: Location.FSN1 }));
    assert.deepEqual(only(json, "hcloud_primary_ip"), [
      "Ip",
      { name: "ip", type: "ipv4", location: "fsn1", auto_delete: false, delete_protection: true },
    ]);
  });

  it("has ipv4 and ipv6 factories", () => {
    const json = synth((stack) => {
      PrimaryIp.ipv4(stack, "V4", { name: "a", location: Location.NBG1 });
      PrimaryIp.ipv6(stack, "V6", { name: "b", location: Location.NBG1 });
    });
    assert.equal(resources(json, "hcloud_primary_ip").V4!.type, "ipv4");
    assert.equal(resources(json, "hcloud_primary_ip").V6!.type, "ipv6");
  });

  it("sets delete protection off and labels", () => {
    const json = synth((stack) =>
      PrimaryIp.ipv4(stack, "Ip", { name: "ip", location: Location.NBG1, deleteProtection: false, labels: { app: "t" } }),
    );
    const [, body] = only(json, "hcloud_primary_ip");
    assert.equal(body.delete_protection, false);
    assert.deepEqual(body.labels, { app: "t" });
  });

  it("exposes a numeric id token and its addresses", () => {
    synth((stack) => {
      const ip = PrimaryIp.ipv4(stack, "Ip", { name: "ip", location: Location.NBG1 });
      assert.equal(typeof ip.primaryIpId, "number");
      assert.ok(Token.isUnresolved(ip.primaryIpId));
      assert.equal(ip.type, IpFamily.IPV4);
      assert.equal(ip.location, Location.NBG1);
    });
    const ip = (stack: Construct) => PrimaryIp.ipv6(stack, "Ip", { name: "ip", location: Location.NBG1 });
    assert.equal(resolved((stack) => ip(stack).primaryIpId), "${hcloud_primary_ip.Ip.id}");
    assert.equal(resolved((stack) => ip(stack).ipAddress), "${hcloud_primary_ip.Ip.ip_address}");
    assert.equal(resolved((stack) => ip(stack).ipNetwork), "${hcloud_primary_ip.Ip.ip_network}");
  });

  it("fails on bad labels", () => {
    assert.throws(
      () => synth((stack) => PrimaryIp.ipv4(stack, "Ip", { name: "ip", location: Location.NBG1, labels: { x: "a b" } })),
      { message: 'invalid value "a b" for label "x": expected "" or 1-63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending with a letter or digit (in stack/Ip)' },
    );
  });
});

describe("PrimaryIp.addReverseDns", () => {
  it("points the ipv4 address back to the host name", () => {
    const json = synth((stack) => {
      PrimaryIp.ipv4(stack, "Ipv4", { name: "ip", location: Location.NBG1 }).addReverseDns("Ptr", { dnsPtr: "tracker.example.com" });
    });
    const [address, body] = only(json, "hcloud_rdns");
    assert.match(address, /^Ipv4_Ptr_[0-9A-F]{8}$/);
    assert.deepEqual(body, {
      primary_ip_id: "${hcloud_primary_ip.Ipv4.id}",
      ip_address: "${hcloud_primary_ip.Ipv4.ip_address}",
      dns_ptr: "tracker.example.com",
    });
  });

  it("defaults to the ::1 address of the ipv6 network", () => {
    const json = synth((stack) => {
      PrimaryIp.ipv6(stack, "Ipv6", { name: "ip", location: Location.NBG1 }).addReverseDns("Ptr", { dnsPtr: "tracker.example.com" });
    });
    assert.equal(only(json, "hcloud_rdns")[1].ip_address, "${cidrhost(hcloud_primary_ip.Ipv6.ip_network, 1)}");
  });

  it("takes an explicit address", () => {
    const json = synth((stack) => {
      const rdns = PrimaryIp.ipv6(stack, "Ipv6", { name: "ip", location: Location.NBG1 }).addReverseDns("Ptr", {
        dnsPtr: "tracker.example.com",
        ipAddress: "2001:db8::2",
      });
      assert.equal(rdns.ipAddress, "2001:db8::2");
    });
    assert.equal(only(json, "hcloud_rdns")[1].ip_address, "2001:db8::2");
  });

  it("fails on an address of the other family", () => {
    assert.throws(
      () =>
        synth((stack) => {
          PrimaryIp.ipv4(stack, "Ipv4", { name: "ip", location: Location.NBG1 }).addReverseDns("Ptr", {
            dnsPtr: "tracker.example.com",
            ipAddress: "2001:db8::1",
          });
        }),
      { message: 'invalid ip address "2001:db8::1" for an ipv4 primary ip: expected an ipv4 address (in stack/Ipv4/Ptr)' },
    );
  });

  it("fails on a ptr that is not a host name", () => {
    assert.throws(
      () =>
        synth((stack) => {
          PrimaryIp.ipv4(stack, "Ipv4", { name: "ip", location: Location.NBG1 }).addReverseDns("Ptr", { dnsPtr: "not a host" });
        }),
      { message: 'invalid dns ptr "not a host": expected a host name such as "tracker.example.com" (in stack/Ipv4/Ptr)' },
    );
  });
});
