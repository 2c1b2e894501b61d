import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Token } from "cdktf";
import { Location, Peer, Port, ServerType, validateLabels } from "../../constructs/hcloud";

describe("Location", () => {
  it("has constants for the six locations and looks names up", () => {
    assert.deepEqual(Location.ALL.map(String), ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"]);
    assert.equal(Location.of("nbg1"), Location.NBG1);
    assert.equal(Location.NBG1.networkZone, "eu-central");
    assert.equal(Location.SIN.networkZone, "ap-southeast");
  });

  it("fails on an unknown name, listing the known ones", () => {
    assert.throws(() => Location.of("nbg2"), {
      message: 'unknown location "nbg2": expected one of fsn1, nbg1, hel1, ash, hil, sin',
    });
  });

  it("accepts a token unchecked", () => {
    const token = Token.asString({ Ref: "location" });
    const location = Location.of(token);
    assert.equal(location.name, token);
    assert.equal(location.isSameAs(Location.ASH), true);
  });
});

describe("ServerType", () => {
  it("parses the family", () => {
    assert.equal(ServerType.of("ccx23").family, "ccx");
    assert.equal(ServerType.CAX11.family, "cax");
    assert.equal(ServerType.CX23.name, "cx23");
    assert.equal(String(ServerType.CCX33), "ccx33");
  });

  it("sells cx and cax only in the EU, ccx and cpx everywhere", () => {
    for (const type of [ServerType.CX23, ServerType.CAX11]) {
      assert.deepEqual(type.locations.map(String), ["fsn1", "nbg1", "hel1"]);
      assert.equal(type.isAvailableIn(Location.HEL1), true);
      assert.equal(type.isAvailableIn(Location.ASH), false);
      assert.equal(type.isAvailableIn(Location.SIN), false);
    }
    for (const type of [ServerType.of("cpx22"), ServerType.CCX23]) {
      for (const location of Location.ALL) {
        assert.equal(type.isAvailableIn(location), true, `${type} in ${location}`);
      }
    }
  });

  it("fails on an unknown family or malformed name", () => {
    for (const name of ["xl23", "ccx", "CCX23", "ccx2300"]) {
      assert.throws(() => ServerType.of(name), {
        message: `unknown server type "${name}": expected a family (cx, cax, cpx, ccx) followed by two digits, e.g. "ccx23"`,
      });
    }
  });

  it("accepts a token unchecked, available anywhere", () => {
    const type = ServerType.of(Token.asString({ Ref: "type" }));
    assert.equal(type.family, undefined);
    assert.equal(type.isAvailableIn(Location.SIN), true);
  });
});

describe("Port", () => {
  it("renders protocol and port", () => {
    assert.deepEqual([Port.tcp(22).protocol, Port.tcp(22).port], ["tcp", "22"]);
    assert.deepEqual([Port.udp(6969).protocol, Port.udp(6969).port], ["udp", "6969"]);
    assert.equal(Port.tcpRange(6881, 6889).port, "6881-6889");
    assert.equal(String(Port.udpRange(1000, 2000)), "udp/1000-2000");
    assert.equal(Port.allTcp().port, "any");
    assert.equal(Port.icmp().port, undefined);
    assert.equal(String(Port.icmp()), "icmp");
  });

  it("fails on a port outside 1-65535 or not whole", () => {
    for (const port of [0, 65536, 22.5, -1]) {
      assert.throws(() => Port.tcp(port), { message: `invalid port ${port}: expected an integer from 1 to 65535` });
    }
  });

  it("fails on an empty or reversed range", () => {
    assert.throws(() => Port.tcpRange(90, 80), {
      message: "invalid port range 90-80: the first port must be lower than the last",
    });
    assert.throws(() => Port.udpRange(80, 80), /invalid port range 80-80/);
    assert.throws(() => Port.tcpRange(1, 70000), /invalid port 70000/);
  });
});

describe("Peer", () => {
  it("covers any address of either family", () => {
    assert.equal(Peer.anyIpv4().cidr, "0.0.0.0/0");
    assert.equal(Peer.anyIpv6().cidr, "::/0");
  });

  it("accepts ipv4 and ipv6 networks and makes bare addresses host routes", () => {
    assert.equal(Peer.cidr("203.0.113.0/24").cidr, "203.0.113.0/24");
    assert.equal(Peer.cidr("2001:db8::/32").cidr, "2001:db8::/32");
    assert.equal(Peer.cidr("198.51.100.7").cidr, "198.51.100.7/32");
    assert.equal(Peer.cidr("2001:db8::7").cidr, "2001:db8::7/128");
    assert.equal(Peer.cidr("::ffff:192.0.2.0/120").cidr, "::ffff:192.0.2.0/120");
  });

  it("fails when host bits are set, suggesting the network", () => {
    assert.throws(() => Peer.cidr("10.0.0.1/24"), {
      message: 'invalid cidr "10.0.0.1/24": host bits must be zero, did you mean "10.0.0.0/24"?',
    });
    assert.throws(() => Peer.cidr("2001:db8:1:2::5/64"), {
      message: 'invalid cidr "2001:db8:1:2::5/64": host bits must be zero, did you mean "2001:db8:1:2::/64"?',
    });
  });

  it("fails on something that is not a cidr", () => {
    for (const cidr of ["example.com", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/8/1", "10.0.0.0/x", "300.0.0.0/8"]) {
      assert.throws(
        () => Peer.cidr(cidr),
        { message: `invalid cidr "${cidr}": expected an ipv4 or ipv6 address with an optional prefix length, e.g. "203.0.113.0/24" or "2001:db8::/32"` },
      );
    }
  });
});

describe("validateLabels", () => {
  it("accepts names, prefixed keys and empty values", () => {
    assert.deepEqual(
      validateLabels({ app: "torrust-tracker", "example.com/role": "edge", "a.b_c-d": "", env: "v1.2_3" }),
      [],
    );
    assert.deepEqual(validateLabels({ ["k".repeat(63)]: "v".repeat(63) }), []);
  });

  it("reports each bad key and value", () => {
    assert.deepEqual(validateLabels({ "bad key": "ok", ok: "-bad", ["k".repeat(64)]: "x", "Bad_Prefix/x": "y" }), [
      'invalid label key "bad key": expected an optional dns prefix and "/", then 1-63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending with a letter or digit',
      'invalid value "-bad" for label "ok": expected "" or 1-63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending with a letter or digit',
      `invalid label key "${"k".repeat(64)}": expected an optional dns prefix and "/", then 1-63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending with a letter or digit`,
      'invalid label key "Bad_Prefix/x": expected an optional dns prefix and "/", then 1-63 characters of a-z, A-Z, 0-9, "-", "_", "." starting and ending with a letter or digit',
    ]);
  });

  it("skips tokens", () => {
    assert.deepEqual(validateLabels({ app: Token.asString({ Ref: "x" }) }), []);
  });
});
