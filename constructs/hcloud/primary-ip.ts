import { Construct } from "constructs";
import { PrimaryIp as L1PrimaryIp } from "../../.gen/providers/hcloud/primary-ip";
import { Labels, validateLabels } from "./labels";
import { Location } from "./location";
import { ReverseDns, ReverseDnsOptions } from "./reverse-dns";
import { throwIfInvalid } from "./validation";

/** The address family of a primary IP. */
export class IpFamily {
  /** One IPv4 address. */
  public static readonly IPV4 = new IpFamily("ipv4");
  /** One IPv6 /64 network. */
  public static readonly IPV6 = new IpFamily("ipv6");

  private constructor(
    /** The API value of `hcloud_primary_ip.type`. */
    public readonly value: "ipv4" | "ipv6",
  ) {}

  /** The API value. */
  public toString(): string {
    return this.value;
  }
}

/** Props of {@link PrimaryIp} without the family (for `PrimaryIp.ipv4`/`ipv6`). */
export interface PrimaryIpOptions {
  /** The IP's name in the Hetzner project. */
  readonly name: string;
  /**
   * Where the IP lives; it can only be assigned to servers in this location.
   * Changing it replaces the IP (a new address).
   */
  readonly location: Location;
  /**
   * Whether the API refuses to delete the IP. Keep it on for addresses that
   * DNS points to; set it to false and apply before destroying.
   * @default true
   */
  readonly deleteProtection?: boolean;
  /**
   * Labels of the IP.
   * @default - no labels
   */
  readonly labels?: Labels;
}

/** Props of {@link PrimaryIp}. */
export interface PrimaryIpProps extends PrimaryIpOptions {
  /** IPv4 or IPv6. Changing it replaces the IP. */
  readonly type: IpFamily;
}

/**
 * A primary IP (`hcloud_primary_ip`): an address that outlives the servers
 * it is assigned to, so DNS and reverse DNS survive a server replacement.
 *
 * `auto_delete` is always false: with true, the API deletes the IP together
 * with its server and the Terraform state points at nothing.
 */
export class PrimaryIp extends Construct {
  /** An IPv4 primary IP. */
  public static ipv4(scope: Construct, id: string, options: PrimaryIpOptions): PrimaryIp {
    return new PrimaryIp(scope, id, { ...options, type: IpFamily.IPV4 });
  }

  /** An IPv6 primary IP (a /64 network). */
  public static ipv6(scope: Construct, id: string, options: PrimaryIpOptions): PrimaryIp {
    return new PrimaryIp(scope, id, { ...options, type: IpFamily.IPV6 });
  }

  /** The IP's ID (number token), as `public_net.ipv4`/`ipv6` and `hcloud_rdns` take it. */
  public readonly primaryIpId: number;
  /** The address (token); for IPv6 the network address of the /64. */
  public readonly ipAddress: string;
  /** The network in CIDR notation (token); set for IPv6 only. */
  public readonly ipNetwork: string;
  /** IPv4 or IPv6. */
  public readonly type: IpFamily;
  /** Where the IP lives. */
  public readonly location: Location;
  /** Escape hatch: the generated `hcloud_primary_ip` resource. */
  public readonly resource: L1PrimaryIp;

  constructor(scope: Construct, id: string, props: PrimaryIpProps) {
    super(scope, id);
    throwIfInvalid(this, validateLabels(props.labels));
    this.type = props.type;
    this.location = props.location;

    this.resource = new L1PrimaryIp(this, "Default", {
      name: props.name,
      type: props.type.value,
      location: props.location.name,
      autoDelete: false,
      deleteProtection: props.deleteProtection ?? true,
      labels: props.labels,
    });
    this.primaryIpId = this.resource.id;
    this.ipAddress = this.resource.ipAddress;
    this.ipNetwork = this.resource.ipNetwork;
  }

  /**
   * Adds a reverse DNS (PTR) record for this IP (`hcloud_rdns` with
   * `primary_ip_id`), so it survives server replacement.
   */
  public addReverseDns(id: string, options: ReverseDnsOptions): ReverseDns {
    return new ReverseDns(this, id, { ...options, primaryIp: this });
  }
}
