import { Fn } from "cdktf";
import { Construct } from "constructs";
import { isIPv4, isIPv6 } from "node:net";
import { Rdns } from "../../.gen/providers/hcloud/rdns";
import type { PrimaryIp } from "./primary-ip";
import { isLiteral, show, throwIfInvalid } from "./validation";

/** Options of {@link PrimaryIp.addReverseDns}. */
export interface ReverseDnsOptions {
  /** The host name the address points back to, e.g. `tracker.example.com`. */
  readonly dnsPtr: string;
  /**
   * The address to set the PTR for; must belong to the primary IP. Changing
   * it replaces the record.
   * @default - the IPv4 address, or for IPv6 the `::1` address of the /64
   * (the address Hetzner configures on the server)
   */
  readonly ipAddress?: string;
}

/** Props of {@link ReverseDns}. */
export interface ReverseDnsProps extends ReverseDnsOptions {
  /** The primary IP the address belongs to. Changing it replaces the record. */
  readonly primaryIp: PrimaryIp;
}

const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** A reverse DNS (PTR) record of a primary IP's address (`hcloud_rdns`). */
export class ReverseDns extends Construct {
  /** The address the PTR is set for (token when defaulted). */
  public readonly ipAddress: string;
  /** Escape hatch: the generated `hcloud_rdns` resource. */
  public readonly resource: Rdns;

  constructor(scope: Construct, id: string, props: ReverseDnsProps) {
    super(scope, id);
    const ipv6 = props.primaryIp.type.value === "ipv6";
    const problems: string[] = [];
    if (isLiteral(props.dnsPtr) && !HOSTNAME.test(props.dnsPtr)) {
      problems.push(`invalid dns ptr ${show(props.dnsPtr)}: expected a host name such as "tracker.example.com"`);
    }
    if (isLiteral(props.ipAddress) && !(ipv6 ? isIPv6 : isIPv4)(props.ipAddress!)) {
      problems.push(
        `invalid ip address ${show(props.ipAddress)} for an ${props.primaryIp.type.value} primary ip: ` +
          `expected an ${ipv6 ? "ipv6 address inside its /64" : "ipv4 address"}`,
      );
    }
    throwIfInvalid(this, problems);

    this.ipAddress =
      props.ipAddress ??
      (ipv6 ? Fn.cidrhost(props.primaryIp.ipNetwork, 1) : props.primaryIp.ipAddress);
    this.resource = new Rdns(this, "Default", {
      primaryIpId: props.primaryIp.primaryIpId,
      ipAddress: this.ipAddress,
      dnsPtr: props.dnsPtr,
    });
  }
}
