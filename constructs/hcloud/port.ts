import { show } from "./validation";
import { invalidLiteral } from "../validation-error";

/** A protocol of an hcloud firewall rule. */
export type FirewallProtocol = "tcp" | "udp" | "icmp";

/**
 * A protocol and port (range) for a firewall rule: `Port.tcp(22)`,
 * `Port.udp(6969)`, `Port.tcpRange(6881, 6889)`, `Port.icmp()`.
 */
export class Port {
  /** One TCP port. */
  public static tcp(port: number): Port {
    return new Port("tcp", checkPort(port));
  }

  /** One UDP port. */
  public static udp(port: number): Port {
    return new Port("udp", checkPort(port));
  }

  /** The TCP ports `from` to `to`, both included (`from` < `to`). */
  public static tcpRange(from: number, to: number): Port {
    return new Port("tcp", checkRange(from, to));
  }

  /** The UDP ports `from` to `to`, both included (`from` < `to`). */
  public static udpRange(from: number, to: number): Port {
    return new Port("udp", checkRange(from, to));
  }

  /** Every TCP port. */
  public static allTcp(): Port {
    return new Port("tcp", "any");
  }

  /** Every UDP port. */
  public static allUdp(): Port {
    return new Port("udp", "any");
  }

  /** ICMP (ping); it has no port. */
  public static icmp(): Port {
    return new Port("icmp", undefined);
  }

  private constructor(
    /** The rule's `protocol`. */
    public readonly protocol: FirewallProtocol,
    /** The rule's `port`: `"22"`, `"6881-6889"` or `"any"`; undefined for ICMP. */
    public readonly port: string | undefined,
  ) {}

  /** E.g. `tcp/22`, `udp/6881-6889`, `icmp`. */
  public toString(): string {
    return this.port === undefined ? this.protocol : `${this.protocol}/${this.port}`;
  }
}

function checkPort(port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidLiteral("Port", `invalid port ${show(port)}: expected an integer from 1 to 65535`);
  }
  return String(port);
}

function checkRange(from: number, to: number): string {
  const first = checkPort(from);
  const last = checkPort(to);
  if (from >= to) {
    throw invalidLiteral("Port", `invalid port range ${from}-${to}: the first port must be lower than the last`);
  }
  return `${first}-${last}`;
}
