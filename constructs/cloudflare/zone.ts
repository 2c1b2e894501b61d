import { Construct } from "constructs";
import { Token } from "cdktf";
import { DnsRecord, type DnsRecordOptions } from "./dns-record";
import { invalidLiteral } from "../validation-error";

/** A Cloudflare zone the records go into. */
export interface IZone {
  /** The zone id (32 hex characters). */
  readonly zoneId: string;
  /** The zone's apex domain, e.g. "example.com". */
  readonly zoneName: string;
  /** Adds a record named `<subdomain>.<zoneName>` (or the apex with "@"). */
  addRecord(scope: Construct, id: string, options: DnsRecordOptions): DnsRecord;
}

/**
 * A zone managed elsewhere (in the Cloudflare dashboard or another stack), referenced by id.
 * Creates no resource.
 */
export class Zone implements IZone {
  /** Imports an existing zone. Throws if the id is not 32 lowercase hex characters. */
  static fromZoneId(zoneId: string, zoneName: string): IZone {
    if (!Token.isUnresolved(zoneId) && !/^[0-9a-f]{32}$/.test(zoneId)) {
      throw invalidLiteral("Zone.fromZoneId", `cloudflare zone id must be 32 lowercase hex characters, got "${zoneId}"`);
    }
    return new Zone(zoneId, zoneName);
  }

  private constructor(
    readonly zoneId: string,
    readonly zoneName: string,
  ) {}

  addRecord(scope: Construct, id: string, options: DnsRecordOptions): DnsRecord {
    return new DnsRecord(scope, id, { ...options, zone: this });
  }
}

