import { Construct, IConstruct } from "constructs";
import { Firewall as L1Firewall, FirewallConfig, FirewallRule } from "../../.gen/providers/hcloud/firewall";
import { Labels, validateLabels } from "./labels";
import { Peer } from "./peer";
import { Port } from "./port";
import { throwIfInvalid } from "./validation";

/** A firewall servers can be placed behind. */
export interface IFirewall extends IConstruct {
  /** The firewall's ID (a numeric string; a token for one created in this app). */
  readonly firewallId: string;
}

/** Props of {@link Firewall}. */
export interface FirewallProps {
  /** The firewall's name in the Hetzner project (required by the provider). */
  readonly name: string;
  /**
   * Labels of the firewall.
   * @default - no labels
   */
  readonly labels?: Labels;
}

/**
 * A Hetzner Cloud Firewall (`hcloud_firewall`). It filters outside the VM,
 * so Docker-published ports cannot bypass it. Only inbound rules are
 * modelled; without `out` rules all outbound traffic is allowed.
 *
 * Rules are rendered at synth time, so `allowInbound` calls made after the
 * firewall was created still reach the output. Rules with the same port and
 * description are merged; the output is sorted by protocol, port and
 * description, so it does not depend on call order.
 *
 * Provider quirk (1.68.0): removing every rule leaves the remote rules in
 * place; keep at least one rule.
 */
export class Firewall extends Construct implements IFirewall {
  /** A firewall that exists already, by its numeric ID; creates no resource. */
  public static fromFirewallId(scope: Construct, id: string, firewallId: string): IFirewall {
    class Import extends Construct implements IFirewall {
      public readonly firewallId = firewallId;
    }
    return new Import(scope, id);
  }

  /** The firewall's ID (token). */
  public readonly firewallId: string;
  /** Escape hatch: the generated `hcloud_firewall` resource. */
  public readonly resource: L1Firewall;

  private readonly rules = new Map<string, { port: Port; description?: string; cidrs: Set<string> }>();

  constructor(scope: Construct, id: string, props: FirewallProps) {
    super(scope, id);
    throwIfInvalid(this, validateLabels(props.labels));

    this.resource = new FirewallResource(this, "Default", { name: props.name, labels: props.labels }, () => this.renderRules());
    this.firewallId = this.resource.id;
  }

  /**
   * Allows inbound traffic to `port` from `peers`, e.g.
   * `firewall.allowInbound(Port.udp(6969), [Peer.anyIpv4(), Peer.anyIpv6()], "tracker")`.
   *
   * @throws if `peers` is empty
   */
  public allowInbound(port: Port, peers: readonly Peer[], description?: string): void {
    if (peers.length === 0) {
      throw new Error(
        `no peers for inbound rule ${port}: pass at least one, e.g. [Peer.anyIpv4(), Peer.anyIpv6()] (in ${this.node.path})`,
      );
    }
    const key = JSON.stringify([port.protocol, port.port ?? "", description ?? ""]);
    const rule = this.rules.get(key) ?? { port, description, cidrs: new Set<string>() };
    peers.forEach((peer) => rule.cidrs.add(peer.cidr));
    this.rules.set(key, rule);
  }

  private renderRules(): FirewallRule[] {
    return [...this.rules.values()]
      .sort((a, b) => compareRules(a.port, a.description, b.port, b.description))
      .map(({ port, description, cidrs }): FirewallRule => ({
        direction: "in",
        protocol: port.protocol,
        port: port.port,
        sourceIps: [...cidrs].sort(compareStrings),
        description,
      }));
  }
}

/**
 * The `hcloud_firewall` resource with its rules put at synth time, so rules added after the
 * firewall was created reach the output. They are put as typed structs (not a pre-rendered
 * token) so that `synth --hcl` prints `port` as the string the schema declares, not a number.
 */
class FirewallResource extends L1Firewall {
  constructor(
    scope: Construct,
    id: string,
    config: FirewallConfig,
    private readonly produceRules: () => FirewallRule[],
  ) {
    super(scope, id, config);
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    this.putCurrentRules();
    return super.synthesizeAttributes();
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    this.putCurrentRules();
    return super.synthesizeHclAttributes();
  }

  private putCurrentRules(): void {
    const rules = this.produceRules();
    if (rules.length > 0) this.putRule(rules);
  }
}

const PROTOCOL_ORDER = ["tcp", "udp", "icmp"];

function compareRules(a: Port, aDescription: string | undefined, b: Port, bDescription: string | undefined): number {
  return (
    PROTOCOL_ORDER.indexOf(a.protocol) - PROTOCOL_ORDER.indexOf(b.protocol) ||
    portStart(a) - portStart(b) ||
    compareStrings(a.port ?? "", b.port ?? "") ||
    compareStrings(aDescription ?? "", bDescription ?? "")
  );
}

/** Code-unit order, independent of the locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First port of a rule for sorting; `any` and ICMP sort first. */
function portStart(port: Port): number {
  const first = Number((port.port ?? "").split("-")[0]);
  return Number.isNaN(first) ? 0 : first;
}
