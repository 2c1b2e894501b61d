import { isIPv4, isIPv6 } from "node:net";
import { Token } from "./token";
import { show } from "./validation";
import { invalidLiteral } from "../validation-error";

/**
 * The source of inbound firewall traffic: `Peer.anyIpv4()`,
 * `Peer.anyIpv6()` or `Peer.cidr("203.0.113.0/24")`.
 */
export class Peer {
  /** Every IPv4 address (`0.0.0.0/0`). */
  public static anyIpv4(): Peer {
    return new Peer("0.0.0.0/0");
  }

  /** Every IPv6 address (`::/0`). */
  public static anyIpv6(): Peer {
    return new Peer("::/0");
  }

  /**
   * An IPv4 or IPv6 network in CIDR notation; a bare address means one host
   * (`/32` or `/128`). The host bits must be zero (`10.0.0.1/24` is
   * rejected by the provider, so it is rejected here).
   *
   * A token is accepted unchecked.
   *
   * @throws if `cidr` is not an IPv4 or IPv6 CIDR with zero host bits
   */
  public static cidr(cidr: string): Peer {
    if (Token.isUnresolved(cidr)) {
      return new Peer(cidr);
    }
    const [address = "", prefix, ...rest] = cidr.split("/");
    const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : undefined;
    const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (bits === undefined || length === undefined || rest.length > 0 || !(length <= bits)) {
      throw invalidLiteral("Peer.cidr", 
        `invalid cidr ${show(cidr)}: expected an ipv4 or ipv6 address with an optional prefix length, ` +
          `e.g. "203.0.113.0/24" or "2001:db8::/32"`,
      );
    }
    const value = bits === 32 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
    const hostMask = (1n << BigInt(bits - length)) - 1n;
    if ((value & hostMask) !== 0n) {
      throw invalidLiteral("Peer.cidr", 
        `invalid cidr ${show(cidr)}: host bits must be zero, did you mean ` +
          `"${(bits === 32 ? bigIntToIpv4 : bigIntToIpv6)(value & ~hostMask)}/${length}"?`,
      );
    }
    return new Peer(`${address}/${length}`);
  }

  private constructor(
    /** The network in CIDR notation, as the rule's `source_ips` gets it. */
    public readonly cidr: string,
  ) {}

  /** The CIDR. */
  public toString(): string {
    return this.cidr;
  }
}

function ipv4ToBigInt(address: string): bigint {
  return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4ToBigInt(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill("0");
  return [...headGroups, ...zeros, ...tailGroups].reduce(
    (acc, group) => (acc << 16n) | BigInt(`0x${group}`),
    0n,
  );
}

function bigIntToIpv6(value: bigint): string {
  const groups = [7n, 6n, 5n, 4n, 3n, 2n, 1n, 0n].map((i) => ((value >> (i * 16n)) & 0xffffn).toString(16));
  const text = groups.join(":");
  // Compress the longest run of zero groups, as RFC 5952 does.
  const runs = text.match(/(?:^|:)0(?::0)+(?::|$)/g) ?? [];
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a), "");
  return longest === "" ? text : text.replace(longest, "::");
}
