import { Annotations, Aspects, Fn } from "cdktf";
import { Construct } from "constructs";
import { RecordTarget, Zone, type DnsRecord, type IZone } from "../cloudflare";
import { DeploymentError } from "../deployment/errors";
import { hostUses } from "../deployment/rules";
import { DeploymentSchema, type Deployment, type DeploymentInput } from "../deployment/schema";
import { buildEdgeContext, checkEdge, type EdgeContext, type ProxyPlugin, type ProxyRendering } from "../edge";
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
import { PROXIES } from "../proxies";
import { renderUserData, USER_DATA_LIMIT_BYTES } from "./user-data";

export interface TrackerDeploymentProps {
  /** The deployment, as validated from a deployment file (`loadDeploymentFile`) or parsed with `DeploymentSchema`. */
  readonly deployment: Deployment;
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

/** Placeholder for the volume id while the cloud-config is rendered; replaced by a Terraform reference. */
const VOLUME_ID_PLACEHOLDER = "__HCLOUD_VOLUME_ID__";
/** Hetzner ids are well under 12 digits; the size check assumes the longest. */
const LONGEST_VOLUME_ID = "999999999999";

/**
 * A whole Torrust Tracker deployment from one validated deployment file: SSH keys, stable
 * primary IPs with reverse DNS, a firewall, a protected data volume, the server with its
 * cloud-init, and a Cloudflare record set (A/AAAA per subdomain, BEP 34 TXT on tracker names,
 * CAA). Creation order: primary IPs → DNS records → server, so ACME never sees NXDOMAIN.
 *
 * Construct ids are Terraform addresses: renaming one replaces the resource. The ids are pinned
 * by test/tracker/tracker-deployment.test.ts.
 */
export class TrackerDeployment extends Construct {
  /** Build a deployment straight from file-shaped input (validated with the schema; defaults filled in). */
  static fromInput(scope: Construct, id: string, input: DeploymentInput): TrackerDeployment {
    const parsed = DeploymentSchema.safeParse(input);
    if (!parsed.success) {
      throw new DeploymentError(
        `${scope.node.path}/${id}`,
        parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })),
      );
    }
    return new TrackerDeployment(scope, id, { deployment: parsed.data });
  }

  readonly deployment: Deployment;
  /** The chosen proxy and what it renders. */
  readonly proxy: ProxyPlugin;
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
    const d = props.deployment;
    const source = props.source ?? this.node.path;
    this.deployment = d;

    // Validate: the chosen proxy against what the services need.
    this.proxy = PROXIES[d.proxy.kind];
    this.edge = buildEdgeContext(d, {
      acmeCaRootPem: props.acmeCaRootPem,
      capabilities: this.proxy.capabilities,
      kind: this.proxy.kind,
    });
    const check = checkEdge(d, this.edge, this.proxy, Object.values(PROXIES));
    if (check.errors.length > 0) throw new DeploymentError(source, check.errors);
    for (const warning of check.warnings) Annotations.of(this).addWarning(warning);
    this.proxyRendering = this.proxy.render(this.edge);

    // Render the cloud-init once, with a placeholder for the volume id, and check the limit.
    const userData = renderUserData({
      deployment: d,
      edge: this.edge,
      proxy: this.proxyRendering,
      volumeDevice: `/dev/disk/by-id/scsi-0HC_Volume_${VOLUME_ID_PLACEHOLDER}`,
    });
    this.userDataBytes = Buffer.byteLength(userData.text.split(VOLUME_ID_PLACEHOLDER).join(LONGEST_VOLUME_ID), "utf8");
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

    const location = Location.of(d.hetzner.location);
    const labels = { "managed-by": "torrust-tracker-cdktf", deployment: d.name, ...d.hetzner.labels };
    Aspects.of(this).add(new HcloudLabels(labels));

    // SSH keys, one per deployment key (id = key name).
    const keys = new Construct(this, "SshKeys");
    const sshKeys = d.admin.sshKeys.map(
      (k) => new SshKey(keys, k.name, { name: `${d.name}-${k.name}`, publicKey: k.publicKey }),
    );

    // Stable addresses: primary IPs outlive the server (auto_delete off, delete protection on).
    this.primaryIpv4 = PrimaryIp.ipv4(this, "Ipv4", { name: `${d.name}-ipv4`, location });
    this.primaryIpv6 = d.hetzner.ipv6 ? PrimaryIp.ipv6(this, "Ipv6", { name: `${d.name}-ipv6`, location }) : undefined;
    const ptrHost = this.reverseDnsHostname();
    this.primaryIpv4.addReverseDns("ReverseDns", { dnsPtr: ptrHost });
    this.primaryIpv6?.addReverseDns("ReverseDns", { dnsPtr: ptrHost });

    // Data volume: tracker database, Grafana data, proxy certificates. Protected from deletion.
    this.volume = new Volume(this, "Storage", {
      name: `${d.name}-storage`,
      sizeGb: d.hetzner.volumeSizeGb,
      location,
      format: VolumeFormat.EXT4,
    });

    // Firewall: SSH from the admin networks, what the proxy needs, the UDP trackers, ICMP.
    this.firewall = new Firewall(this, "Firewall", { name: `${d.name}-firewall` });
    const everyone = d.hetzner.ipv6 ? [Peer.anyIpv4(), Peer.anyIpv6()] : [Peer.anyIpv4()];
    this.firewall.allowInbound(Port.tcp(22), d.admin.sshAllowedCidrs.map((c) => Peer.cidr(c)), "ssh");
    for (const p of this.proxyRendering.firewall.tcp) this.firewall.allowInbound(Port.tcp(p), everyone, `${this.proxy.kind} tcp`);
    for (const p of this.proxyRendering.firewall.udp) this.firewall.allowInbound(Port.udp(p), everyone, `${this.proxy.kind} udp`);
    for (const t of d.tracker.udpTrackers) this.firewall.allowInbound(Port.udp(t.port), everyone, `udp tracker ${t.subdomain}`);
    for (const t of d.tracker.httpTrackers.filter((h) => !h.viaProxy)) {
      this.firewall.allowInbound(Port.tcp(t.port), everyone, `http tracker ${t.subdomain}`);
    }
    this.firewall.allowInbound(Port.icmp(), everyone, "icmp");

    // DNS before the server, so the first ACME attempt finds the names.
    this.records = this.addRecords(props.zone ?? Zone.fromZoneId(d.cloudflare.zoneId, d.domain));

    const [before, ...rest] = escapeTerraformTemplate(userData.text).split(VOLUME_ID_PLACEHOLDER);
    const userDataWithVolume = rest.reduce((acc, part) => acc + this.volume.volumeId + part, before);
    this.server = new Server(this, "Server", {
      name: d.name,
      serverType: ServerType.of(d.hetzner.serverType),
      location,
      image: d.hetzner.image,
      userData: userDataWithVolume,
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

  /** Every HTTPS URL the proxy serves, by role and hostname. */
  get httpsUrls(): Record<string, string> {
    return Object.fromEntries(this.edge.sites.map((s) => [s.hostname, `https://${s.hostname}/`]));
  }

  /** Announce URLs: https for HTTP trackers (http://host:port without the proxy) and udp. */
  get announceUrls(): string[] {
    const d = this.deployment;
    return [
      ...d.tracker.httpTrackers.map((t) =>
        t.viaProxy ? `https://${t.subdomain}.${d.domain}/announce` : `http://${t.subdomain}.${d.domain}:${t.port}/announce`,
      ),
      ...d.tracker.udpTrackers.map((t) => `udp://${t.subdomain}.${d.domain}:${t.port}/announce`),
    ];
  }

  get grafanaUrl(): string {
    return `https://${this.deployment.grafana.subdomain}.${this.deployment.domain}/`;
  }

  /** PTR name: the first UDP tracker's hostname (trackers are what peers and newTrackon look up), else the API's. */
  private reverseDnsHostname(): string {
    const d = this.deployment;
    const sub = d.tracker.udpTrackers[0]?.subdomain ?? d.tracker.httpTrackers[0]?.subdomain ?? d.tracker.api.subdomain;
    return `${sub}.${d.domain}`;
  }

  private addRecords(zone: IZone): DnsRecord[] {
    const d = this.deployment;
    const dns = new Construct(this, "Dns");
    const ttlSeconds = d.cloudflare.ttlSeconds;
    const proxied = new Set(d.cloudflare.proxiedSubdomains);
    const records: DnsRecord[] = [];
    for (const use of hostUses(d)) {
      const group = new Construct(dns, use.subdomain);
      const isProxied = proxied.has(use.subdomain);
      const options = { subdomain: use.subdomain, ttlSeconds, proxied: isProxied, comment: `${d.name}: ${use.role}` };
      records.push(zone.addRecord(group, "A", { ...options, target: RecordTarget.ipv4(this.primaryIpv4.ipAddress) }));
      // AAAA only where IPv6 works end to end: UDP (Docker ip6tables), direct HTTP trackers, or a proxy with IPv6 listeners.
      const directHttp = use.role === "http-tracker" && !d.tracker.httpTrackers.find((t) => t.subdomain === use.subdomain)?.viaProxy;
      const reachableOverIpv6 = use.role === "udp-tracker" || directHttp || this.proxy.capabilities.ipv6Listeners;
      const ipv6 = this.ipv6Address;
      if (ipv6 && reachableOverIpv6) {
        records.push(zone.addRecord(group, "AAAA", { ...options, target: RecordTarget.ipv6(ipv6) }));
      }
      const bep34 = this.bep34(use);
      if (bep34) {
        records.push(zone.addRecord(group, "TXT", { subdomain: use.subdomain, ttlSeconds, target: RecordTarget.txt(bep34) }));
      }
    }
    if (d.cloudflare.caa) {
      records.push(zone.addRecord(dns, "Caa", { subdomain: "@", ttlSeconds, target: RecordTarget.caaIssue("letsencrypt.org") }));
    }
    return records;
  }

  /** BEP 34 tracker preference record, e.g. "BITTORRENT TCP:443" or "BITTORRENT UDP:6969". */
  private bep34(use: ReturnType<typeof hostUses>[number]): string | undefined {
    const d = this.deployment;
    if (use.role === "udp-tracker") {
      return `BITTORRENT UDP:${d.tracker.udpTrackers.find((t) => t.subdomain === use.subdomain)!.port}`;
    }
    if (use.role === "http-tracker") {
      const t = d.tracker.httpTrackers.find((h) => h.subdomain === use.subdomain)!;
      return `BITTORRENT TCP:${t.viaProxy ? 443 : t.port}`;
    }
    return undefined;
  }
}

/**
 * Terraform reads `${` and `%{` in strings as templates; the rendered files (shell, Caddyfile,
 * nginx) use both literally. Escaped as `$${` and `%%{`, Terraform writes them back unchanged.
 */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
