import { Annotations, Aspects, Fn } from "cdktf";
import { Construct } from "constructs";
import { RecordTarget, Zone, type DnsRecord, type IZone } from "../cloudflare";
import { DeploymentError } from "../deployment/errors";
import type { Deployment, DeploymentInput } from "../deployment/schema";
import type { EdgeContext, ProxyPlugin, ProxyRendering } from "../edge/types";
import {
  Firewall,
  HcloudLabels,
  Location,
  Peer,
  Port,
  PrimaryIp,
  Server,
  ServerType,
  SshKey,
  Volume,
  VolumeFormat,
} from "../hcloud";
import type { DeploymentPlan } from "../plan/types";
import { validateDeployment } from "../plan/validate";
import { renderUserData, USER_DATA_LIMIT_BYTES, type UserData } from "./user-data";

/** The data volume's device path, before the volume's id (hcloud's by-id naming). */
const VOLUME_DEVICE_PREFIX = "/dev/disk/by-id/scsi-0HC_Volume_";
/** Hetzner ids are well under 12 digits; the size check assumes the longest. */
const LONGEST_VOLUME_ID = "999999999999";

export interface TrackerDeploymentProps {
  /**
   * The deployment: file-shaped input or a parsed `Deployment`. Validated here by the same path
   * as the app's (schema → plan → rules), so a construct refuses exactly what the app refuses.
   */
  readonly deployment: Deployment | DeploymentInput;
  /**
   * PEM of the CA that signed the ACME server's HTTPS certificate (the contents of `acme.caRootFile`).
   * @default - none: Let's Encrypt needs none
   */
  readonly acmeCaRootPem?: string;
  /**
   * Names the deployment in error messages (the deployment file's path).
   * @default - this construct's path
   */
  readonly source?: string;
  /**
   * The Cloudflare zone of `deployment.domain`.
   * @default - `Zone.fromZoneId(deployment.cloudflare.zoneId, deployment.domain)`
   */
  readonly zone?: IZone;
}

/**
 * A whole Torrust Tracker deployment from one deployment file: SSH keys, stable primary IPs with
 * reverse DNS, a firewall, a protected data volume, the server with its cloud-init, and a
 * Cloudflare record set (A/AAAA per name, BEP 34 TXT on tracker names, CAA per name). Every
 * resource is derived from the deployment plan (`this.plan`, constructs/plan/). Creation order:
 * primary IPs → DNS records → server, so ACME never sees NXDOMAIN.
 *
 * Construct ids are Terraform addresses: renaming one replaces the resource. The ids are pinned
 * by test/tracker/tracker-deployment.test.ts and the golden stacks.
 */
export class TrackerDeployment extends Construct {
  /** Creates a deployment from file-shaped input (defaults filled in, validated like a file). */
  static create(scope: Construct, id: string, input: DeploymentInput, options: Omit<TrackerDeploymentProps, "deployment"> = {}): TrackerDeployment {
    return new TrackerDeployment(scope, id, { ...options, deployment: input });
  }

  /** @deprecated Use `TrackerDeployment.create` (it creates resources; `from*` names existing ones in CDK). */
  static fromInput(scope: Construct, id: string, input: DeploymentInput): TrackerDeployment {
    return TrackerDeployment.create(scope, id, input);
  }

  readonly deployment: Deployment;
  /** Everything derived from the deployment, computed once. */
  readonly plan: DeploymentPlan;
  /** The chosen proxy and what it renders. */
  readonly proxy: ProxyPlugin;
  /** The proxy's view of the plan. */
  readonly edge: EdgeContext;
  readonly proxyRendering: ProxyRendering;
  readonly server: Server;
  readonly primaryIpv4: PrimaryIp;
  /** Undefined when `hetzner.ipv6` is false. */
  readonly primaryIpv6?: PrimaryIp;
  readonly volume: Volume;
  readonly firewall: Firewall;
  /** Every DNS record, by construct path. */
  readonly records: readonly DnsRecord[];
  /** Size of the rendered user_data in bytes (with the longest possible volume id). */
  readonly userDataBytes: number;

  constructor(scope: Construct, id: string, props: TrackerDeploymentProps) {
    super(scope, id);
    const source = props.source ?? this.node.path;
    // One validation path: schema → plan → rules (the app's loader runs the same function).
    const valid = validateDeployment(props.deployment, { source, acmeCaRootPem: props.acmeCaRootPem });
    const d = valid.deployment;
    this.deployment = d;
    this.plan = valid.plan;
    this.proxy = valid.proxy;
    this.edge = this.plan.edge;
    for (const warning of valid.warnings) Annotations.of(this).addWarning(warning);
    this.proxyRendering = this.proxy.render(this.edge);

    const location = Location.of(d.hetzner.location);
    const labels = { "managed-by": "torrust-tracker-cdktf", deployment: d.name, ...d.hetzner.labels };
    Aspects.of(this).add(new HcloudLabels(labels));

    // Data volume first: the cloud-init names its device by the volume's id (a Terraform reference).
    // Tracker database, Grafana data, proxy certificates. Protected from deletion.
    this.volume = new Volume(this, "Storage", {
      name: `${d.name}-storage`,
      sizeGb: d.hetzner.volumeSizeGb,
      location,
      format: VolumeFormat.EXT4,
    });
    const volumeDevice = `${VOLUME_DEVICE_PREFIX}${this.volume.volumeId}`;
    let userData: UserData;
    try {
      userData = renderUserData({ deployment: d, edge: this.edge, proxy: this.proxyRendering, volumeDevice });
    } catch (e) {
      throw new DeploymentError(source, [{ path: [], message: `the server's cloud-init cannot be rendered: ${(e as Error).message}` }]);
    }
    // The size counts the longest id Hetzner hands out in place of the token.
    this.userDataBytes = Buffer.byteLength(userData.text.split(volumeDevice).join(`${VOLUME_DEVICE_PREFIX}${LONGEST_VOLUME_ID}`), "utf8");
    if (this.userDataBytes > USER_DATA_LIMIT_BYTES) {
      throw new DeploymentError(source, [
        {
          path: [],
          value: `${this.userDataBytes} bytes`,
          allowed: `at most ${USER_DATA_LIMIT_BYTES} bytes (Hetzner's user_data limit)`,
          message:
            "the rendered cloud-init is too large: remove services (helloWorld, extra trackers) or shorten helloWorld.message",
        },
      ]);
    }

    // SSH keys, one per deployment key (id = key name).
    const keys = new Construct(this, "SshKeys");
    const sshKeys = d.admin.sshKeys.map(
      (k) => new SshKey(keys, k.name, { name: `${d.name}-${k.name}`, publicKey: k.publicKey }),
    );

    // Stable addresses: primary IPs outlive the server (auto_delete off, delete protection on).
    this.primaryIpv4 = PrimaryIp.ipv4(this, "Ipv4", { name: `${d.name}-ipv4`, location });
    this.primaryIpv6 = d.hetzner.ipv6 ? PrimaryIp.ipv6(this, "Ipv6", { name: `${d.name}-ipv6`, location }) : undefined;
    this.primaryIpv4.addReverseDns("ReverseDns", { dnsPtr: this.plan.reverseDns });
    this.primaryIpv6?.addReverseDns("ReverseDns", { dnsPtr: this.plan.reverseDns });

    // Firewall: exactly the plan's rules (SSH, the proxy's public ports, trackers, ICMP).
    this.firewall = new Firewall(this, "Firewall", { name: `${d.name}-firewall` });
    const everyone = d.hetzner.ipv6 ? [Peer.anyIpv4(), Peer.anyIpv6()] : [Peer.anyIpv4()];
    for (const rule of this.plan.firewall) {
      const peers = rule.sources === "everyone" ? everyone : rule.sources.map((c) => Peer.cidr(c));
      const port = rule.protocol === "icmp" ? Port.icmp() : rule.protocol === "tcp" ? Port.tcp(rule.port!) : Port.udp(rule.port!);
      this.firewall.allowInbound(port, peers, rule.description);
    }

    // DNS before the server, so the first ACME attempt finds the names.
    this.records = this.addRecords(props.zone ?? Zone.fromZoneId(d.cloudflare.zoneId, d.domain));

    // Only the volume device token may hold "${": everything else is escaped for Terraform.
    const userDataForTerraform = userData.text
      .split(volumeDevice)
      .map(escapeTerraformTemplate)
      .join(volumeDevice);
    this.server = new Server(this, "Server", {
      name: d.name,
      serverType: ServerType.of(d.hetzner.serverType),
      location,
      image: d.hetzner.image,
      userData: userDataForTerraform,
      sshKeys,
      primaryIpv4: this.primaryIpv4,
      primaryIpv6: this.primaryIpv6,
      firewalls: [this.firewall],
      backups: d.hetzner.backups,
      deleteProtection: d.hetzner.serverProtection,
      dependsOn: this.records.map((r) => r.resource),
    });
    this.server.attachVolume(this.volume);
  }

  /** The IPv4 address (token). */
  get ipv4Address(): string {
    return this.primaryIpv4.ipAddress;
  }

  /**
   * The server's IPv6 address, `::1` of the primary /64 (token), or undefined without IPv6.
   * Computed from the primary IP, not read from the server, so DNS can be created first.
   */
  get ipv6Address(): string | undefined {
    return this.primaryIpv6 ? Fn.cidrhost(this.primaryIpv6.ipNetwork, 1) : undefined;
  }

  /** Every HTTPS URL the proxy serves, by hostname (the plan's outputs). */
  get httpsUrls(): Record<string, string> {
    return { ...this.plan.outputs.httpsUrls };
  }

  /** Announce URLs: https (or http://host:port without the proxy; /<key> in private mode), then udp. */
  get announceUrls(): string[] {
    return [...this.plan.outputs.announceUrls];
  }

  /** Grafana's URL, or undefined when Grafana is off. */
  get grafanaUrl(): string | undefined {
    return this.plan.outputs.grafanaUrl;
  }

  private addRecords(zone: IZone): DnsRecord[] {
    const d = this.deployment;
    const dns = new Construct(this, "Dns");
    const ttlSeconds = d.cloudflare.ttlSeconds;
    const records: DnsRecord[] = [];
    for (const name of this.plan.dns) {
      const group = new Construct(dns, name.subdomain);
      const options = { subdomain: name.subdomain, ttlSeconds, proxied: name.proxied, comment: `${d.name}: ${name.roles.join("+")}` };
      records.push(zone.addRecord(group, "A", { ...options, target: RecordTarget.ipv4(this.primaryIpv4.ipAddress) }));
      const ipv6 = this.ipv6Address;
      if (ipv6 && name.aaaa) records.push(zone.addRecord(group, "AAAA", { ...options, target: RecordTarget.ipv6(ipv6) }));
      if (name.bep34) {
        records.push(zone.addRecord(group, "TXT", { subdomain: name.subdomain, ttlSeconds, target: RecordTarget.txt(name.bep34) }));
      }
      if (name.caa) {
        records.push(zone.addRecord(group, "CAA", { subdomain: name.subdomain, ttlSeconds, target: RecordTarget.caaIssue(name.caa.issue) }));
        if (name.caa.iodef) {
          records.push(
            zone.addRecord(group, "CAAIodef", { subdomain: name.subdomain, ttlSeconds, target: RecordTarget.caaIodef(name.caa.iodef) }),
          );
        }
      }
    }
    return records;
  }
}

/**
 * Terraform reads `${` and `%{` in strings as templates; the rendered files (shell, Caddyfile,
 * nginx) use both literally. Escaped as `$${` and `%%{`, Terraform writes them back unchanged.
 */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
