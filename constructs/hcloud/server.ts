import { type ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { Server as L1Server } from "../../.gen/providers/hcloud/server";
import type { IFirewall } from "./firewall";
import { Labels, validateLabels } from "./labels";
import { Location } from "./location";
import { IpFamily, PrimaryIp } from "./primary-ip";
import { ServerType } from "./server-type";
import type { ISshKey } from "./ssh-key";
import { isLiteral, show, throwIfInvalid } from "./validation";
import type { Volume } from "./volume";
import { VolumeAttachment } from "./volume-attachment";

/** Props of {@link Server}. */
export interface ServerProps {
  /** The server's name: unique in the project, an RFC 1123 host name. Renamed in place. */
  readonly name: string;
  /**
   * The server type. A change does not replace the server: it is powered
   * off and resized in place (the disk keeps its size unless `keepDisk` is false).
   */
  readonly serverType: ServerType;
  /**
   * Keep the disk size when `serverType` changes (`keep_disk`). With false the
   * provider upgrades the disk on every type change, and a grown disk blocks any
   * later downgrade to a type with a smaller disk.
   * @default true - state belongs on volumes; the type stays reversible
   */
  readonly keepDisk?: boolean;
  /**
   * Where the server runs; must sell `serverType` (CX and CAX are EU-only).
   * Changing it replaces the server.
   */
  readonly location: Location;
  /**
   * The image name or ID. Changing it replaces the server.
   * @default "ubuntu-24.04"
   */
  readonly image?: string;
  /**
   * cloud-init user data (at most 32 KiB); may contain tokens. Changing it
   * replaces the server: new disk, and new addresses unless primary IPs are used.
   * @default - no user data
   */
  readonly userData?: string;
  /**
   * SSH keys Hetzner puts in root's `authorized_keys` at creation. Changes
   * are ignored (`lifecycle.ignore_changes = [ssh_keys]`): the keys are
   * injected at creation only and never read back, and a change would
   * replace the server. To rotate keys, change them on the host.
   * @default - no key (Hetzner e-mails a root password)
   */
  readonly sshKeys?: readonly ISshKey[];
  /**
   * The IPv4 primary IP to use; it must be an IPv4 primary IP in the
   * server's location. It outlives the server, so DNS survives a replacement.
   */
  readonly primaryIpv4: PrimaryIp;
  /**
   * The IPv6 primary IP to use; it must be an IPv6 primary IP in the
   * server's location.
   * @default - no IPv6 (`ipv6_enabled = false`)
   */
  readonly primaryIpv6?: PrimaryIp;
  /**
   * Firewalls applied at creation (active before first boot) and reconciled on update.
   * @default - no firewall
   */
  readonly firewalls?: readonly IFirewall[];
  /**
   * Daily Hetzner backups (+20 % of the server price, 7 kept, volumes excluded).
   * @default false
   */
  readonly backups?: boolean;
  /**
   * Whether the API refuses to delete or rebuild the server. Sets both
   * `delete_protection` and `rebuild_protection`, which the API requires to
   * be equal. Set it to false and apply before destroying.
   * @default false
   */
  readonly deleteProtection?: boolean;
  /**
   * Labels of the server.
   * @default - no labels
   */
  readonly labels?: Labels;
  /**
   * Resources to create before the server, e.g. DNS records, so ACME at first boot finds the names.
   * @default - only the implicit dependencies of the references above
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const MAX_USER_DATA_BYTES = 32 * 1024;

/**
 * A Hetzner Cloud server (`hcloud_server`) with its public addresses taken
 * from primary IPs, so replacing the server keeps its addresses.
 *
 * Changes to `image`, `location` or `userData` replace the server.
 */
export class Server extends Construct {
  /** The server's ID (token, a numeric string). */
  public readonly serverId: string;
  /** The public IPv4 address (token). */
  public readonly ipv4Address: string;
  /** The `::1` address of the server's IPv6 /64 (token; null without IPv6). */
  public readonly ipv6Address: string;
  /** Where the server runs. */
  public readonly location: Location;
  /** Escape hatch: the generated `hcloud_server` resource. */
  public readonly resource: L1Server;

  private attachments?: Construct;

  constructor(scope: Construct, id: string, props: ServerProps) {
    super(scope, id);
    throwIfInvalid(this, validateServerProps(props));
    this.location = props.location;
    const deleteProtection = props.deleteProtection ?? false;

    this.resource = new ServerResource(this, "Default", {
      name: props.name,
      serverType: props.serverType.name,
      keepDisk: props.keepDisk ?? true,
      location: props.location.name,
      image: props.image ?? "ubuntu-24.04",
      userData: props.userData,
      sshKeys: props.sshKeys?.map((key) => key.sshKeyId),
      publicNet: [
        {
          ipv4Enabled: true,
          ipv4: props.primaryIpv4.primaryIpId,
          ipv6Enabled: props.primaryIpv6 !== undefined,
          ipv6: props.primaryIpv6?.primaryIpId,
        },
      ],
      firewallIds: props.firewalls?.map((firewall) => Token.asNumber(firewall.firewallId)),
      backups: props.backups ?? false,
      deleteProtection,
      rebuildProtection: deleteProtection,
      labels: props.labels,
      lifecycle: { ignoreChanges: ["ssh_keys"] },
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
    this.serverId = this.resource.id;
    this.ipv4Address = this.resource.ipv4Address;
    this.ipv6Address = this.resource.ipv6Address;
  }

  /**
   * Attaches `volume` to this server (`hcloud_volume_attachment`, automount
   * off). The attachment's construct id is the volume's id, under
   * `VolumeAttachments`.
   */
  public attachVolume(volume: Volume): VolumeAttachment {
    this.attachments ??= new Construct(this, "VolumeAttachments");
    return new VolumeAttachment(this.attachments, volume.node.id, { volume, server: this });
  }
}

/**
 * The `hcloud_server` resource, printing `firewall_ids` as valid HCL in `synth --hcl`. cdktf 0.21
 * prints a number list's tokens bare (`firewall_ids = [ ${hcloud_firewall.x.id} ]`, which
 * OpenTofu cannot parse); the firewall ids are strings, so they are printed as a quoted string
 * list, which Terraform converts to the schema's set of numbers. The JSON output is unchanged.
 */
class ServerResource extends L1Server {
  /**
   * cdktf 0.21 also quotes `depends_on` and `lifecycle.ignore_changes` entries in HCL, which
   * OpenTofu accepts with a "Quoted references are deprecated" warning each: print them bare.
   * (The renderer prints a "numberList" storage class unquoted.)
   */
  public toHclTerraform(): any {
    const hcl = super.toHclTerraform();
    const body = hcl.resource?.[this.terraformResourceType]?.[this.friendlyUniqueId];
    const bare = (value: unknown[]) => ({ value, isBlock: false, type: "list", storageClassType: "numberList" });
    if (Array.isArray(body?.depends_on)) body.depends_on = bare(body.depends_on);
    const ignore = body?.lifecycle?.ignore_changes;
    if (Array.isArray(ignore)) {
      body.lifecycle = { value: { ...body.lifecycle, ignore_changes: bare(ignore) }, isBlock: true, type: "simple", storageClassType: "lifecycle" };
    }
    return hcl;
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = super.synthesizeHclAttributes();
    const ids = this.firewallIdsInput;
    if (Array.isArray(ids)) {
      const value = ids.map((id) => (Token.isUnresolved(id) ? Token.asString(id) : String(id)));
      attrs.firewall_ids = { ...attrs.firewall_ids, value, storageClassType: "stringList" };
    }
    return attrs;
  }
}

function validateServerProps(props: ServerProps): string[] {
  const problems = validateLabels(props.labels);
  if (isLiteral(props.name) && !HOSTNAME.test(props.name)) {
    problems.push(
      `invalid server name ${show(props.name)}: expected an rfc 1123 host name (letters, digits, "-" and "."), e.g. "tracker-1"`,
    );
  }
  if (!props.serverType.isAvailableIn(props.location)) {
    problems.push(
      `server type ${show(props.serverType.name)} is not sold in ${show(props.location.name)}: ` +
        `${props.serverType.family} servers are available in ${props.serverType.locations.join(", ")}`,
    );
  }
  const ips: [string, PrimaryIp | undefined, IpFamily][] = [
    ["primaryIpv4", props.primaryIpv4, IpFamily.IPV4],
    ["primaryIpv6", props.primaryIpv6, IpFamily.IPV6],
  ];
  for (const [prop, ip, family] of ips) {
    if (ip === undefined) {
      continue;
    }
    if (ip.type !== family) {
      problems.push(`${prop} must be an ${family} primary ip, got ${show(ip.node.path)} of type ${ip.type}`);
    }
    if (!ip.location.isSameAs(props.location)) {
      problems.push(
        `${prop} ${show(ip.node.path)} is in ${show(ip.location.name)} but the server is in ` +
          `${show(props.location.name)}: a primary ip can only be assigned in its own location`,
      );
    }
  }
  if (isLiteral(props.userData) && Buffer.byteLength(props.userData!, "utf8") > MAX_USER_DATA_BYTES) {
    problems.push(
      `user data is ${Buffer.byteLength(props.userData!, "utf8")} bytes: hetzner accepts at most ${MAX_USER_DATA_BYTES} (32 kib)`,
    );
  }
  return problems;
}
