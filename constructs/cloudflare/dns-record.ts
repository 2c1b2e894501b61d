import { Construct } from "constructs";
import { Token } from "cdktf";
import { DnsRecord as CloudflareDnsRecord, type DnsRecordConfig } from "@cdktf/provider-cloudflare/lib/dns-record";
import type { IZone } from "./zone";
import { invalidLiteral } from "../validation-error";

/** What a record holds. Use the factories: `RecordTarget.ipv4(addr)`, `.ipv6(addr)`, `.txt(text)`, `.caaIssue(ca)`. */
export class RecordTarget {
  /** An A record; `address` may be a token (e.g. a primary IP's address). */
  static ipv4(address: string): RecordTarget {
    if (!Token.isUnresolved(address) && !/^(\d{1,3}\.){3}\d{1,3}$/.test(address)) {
      throw invalidLiteral("RecordTarget", `an A record needs an IPv4 address, got "${address}"`);
    }
    return new RecordTarget("A", address, true);
  }
  /** An AAAA record; `address` may be a token. */
  static ipv6(address: string): RecordTarget {
    if (!Token.isUnresolved(address) && !address.includes(":")) {
      throw invalidLiteral("RecordTarget", `an AAAA record needs an IPv6 address, got "${address}"`);
    }
    return new RecordTarget("AAAA", address, true);
  }
  /** A TXT record. The text is quoted for you (Cloudflare flags unquoted TXT content) and kept ≤ 255 bytes. */
  static txt(text: string): RecordTarget {
    if (Buffer.byteLength(text) > 255) {
      throw invalidLiteral("RecordTarget", `TXT text must be at most 255 bytes (longer strings are split and then drift), got ${Buffer.byteLength(text)}`);
    }
    if (text.includes('"')) throw invalidLiteral("RecordTarget", `TXT text must not contain double quotes, got ${JSON.stringify(text)}`);
    return new RecordTarget("TXT", `"${text}"`, false);
  }
  /** A CAA "issue" record allowing one certificate authority, e.g. "letsencrypt.org". */
  static caaIssue(ca: string): RecordTarget {
    if (!/^[a-z0-9.-]+$/.test(ca)) throw invalidLiteral("RecordTarget", `CAA issuer must be a domain such as letsencrypt.org, got "${ca}"`);
    return new RecordTarget("CAA", undefined, false, { flags: 0, tag: "issue", value: ca });
  }
  /** A CAA "iodef" record (RFC 8659 §4.4): where CAs report refused requests, a mailto: or https: URL. */
  static caaIodef(url: string): RecordTarget {
    if (!/^(mailto:[^\s"{}$]+@[a-z0-9.-]+|https:\/\/[a-z0-9.-]+(\/[A-Za-z0-9._~/-]*)?)$/.test(url)) {
      throw invalidLiteral("RecordTarget", `CAA iodef must be a mailto: or https: URL, got ${JSON.stringify(url)}`);
    }
    return new RecordTarget("CAA", undefined, false, { flags: 0, tag: "iodef", value: url });
  }

  private constructor(
    readonly type: "A" | "AAAA" | "TXT" | "CAA",
    readonly content: string | undefined,
    /** Cloudflare can proxy this type. */
    readonly proxiable: boolean,
    readonly data?: { readonly flags: number; readonly tag: string; readonly value: string },
  ) {}
}

export interface DnsRecordOptions {
  /** Label under the zone ("api"), or "@" for the zone apex. */
  readonly subdomain: string;
  readonly target: RecordTarget;
  /**
   * Seconds; 1 means automatic. Proxied records always use 1 (Cloudflare requires it).
   * @default 300
   */
  readonly ttlSeconds?: number;
  /**
   * Serve through Cloudflare's proxy (orange cloud). Only A and AAAA records.
   * @default false - DNS-only: trackers, ACME TLS-ALPN-01 and UDP need the server's own address
   */
  readonly proxied?: boolean;
  /** @default - no comment */
  readonly comment?: string;
}

export interface DnsRecordProps extends DnsRecordOptions {
  readonly zone: IZone;
}

/**
 * One Cloudflare DNS record (`cloudflare_dns_record`), named by its FQDN (short names cause
 * perpetual diffs in provider v5).
 */
export class DnsRecord extends Construct {
  /** The L1 resource, an escape hatch. */
  readonly resource: CloudflareDnsRecord;
  /** The record's fully qualified name. */
  readonly recordName: string;

  constructor(scope: Construct, id: string, props: DnsRecordProps) {
    super(scope, id);
    const { subdomain, target, zone } = props;
    if (subdomain !== "@" && !/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/.test(subdomain)) {
      throw invalidLiteral(this.node.path, `record subdomain must be lowercase DNS labels or "@", got "${subdomain}"`);
    }
    const proxied = props.proxied ?? false;
    if (proxied && !target.proxiable) {
      throw invalidLiteral(this.node.path, `${target.type} records cannot be proxied by Cloudflare (only A and AAAA), got proxied: true for "${subdomain}"`);
    }
    const ttl = proxied ? 1 : (props.ttlSeconds ?? 300);
    if (!(ttl === 1 || (Number.isInteger(ttl) && ttl >= 60 && ttl <= 86400))) {
      throw invalidLiteral(this.node.path, `ttlSeconds must be 1 (automatic) or 60–86400, got ${ttl}`);
    }
    this.recordName = subdomain === "@" ? zone.zoneName : `${subdomain}.${zone.zoneName}`;
    this.resource = new DnsRecordResource(this, "Default", {
      zoneId: zone.zoneId,
      name: this.recordName,
      type: target.type,
      ttl,
      content: target.content,
      data: target.data ? { tag: target.data.tag, value: target.data.value } : undefined,
      proxied: target.proxiable ? proxied : undefined,
      comment: props.comment,
    }, target.data);
    // `flags` is dynamically typed in provider v5 and the binding maps it as an object: set the number directly.
    if (target.data) this.resource.addOverride("data.flags", target.data.flags);
  }
}

/**
 * `cloudflare_dns_record` printing `data` as valid HCL in `synth --hcl`: provider v5 declares
 * `data` a nested attribute (`data = { ... }`), but cdktf 0.21 prints it as a block (`data { ... }`,
 * which OpenTofu rejects) and drops `flags`, which only the JSON override above carries.
 */
class DnsRecordResource extends CloudflareDnsRecord {
  constructor(
    scope: Construct,
    id: string,
    config: DnsRecordConfig,
    private readonly hclData: RecordTarget["data"],
  ) {
    super(scope, id, config);
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = super.synthesizeHclAttributes();
    if (this.hclData) attrs.data = { value: { ...this.hclData }, isBlock: false, type: "map", storageClassType: "anyMap" };
    return attrs;
  }
}
