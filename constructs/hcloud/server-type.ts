import { Token } from "./token";
import { Location } from "./location";
import { show } from "./validation";
import { invalidLiteral } from "../validation-error";

const EU = [Location.FSN1, Location.NBG1, Location.HEL1];

/**
 * Server type families this library knows and the locations that sell
 * them. CX and CAX are EU-only; ordering them in `ash`, `hil` or `sin` fails
 * at apply with "unsupported location for server type".
 */
const FAMILIES: { readonly [family: string]: readonly Location[] } = {
  cx: EU,
  cax: EU,
  cpx: Location.ALL,
  ccx: Location.ALL,
};

/**
 * A Hetzner Cloud server type, e.g. `ServerType.of("ccx23")`.
 *
 * Changing the type of an existing server does not replace it: the server
 * is powered off and resized in place.
 */
export class ServerType {
  /** Shared x86, 2 vCPU / 4 GB, EU only. */
  public static readonly CX23 = ServerType.of("cx23");
  /** Shared x86, 4 vCPU / 8 GB, EU only. */
  public static readonly CX33 = ServerType.of("cx33");
  /** Arm, 2 vCPU / 4 GB, EU only. */
  public static readonly CAX11 = ServerType.of("cax11");
  /** Dedicated vCPU, 2 vCPU / 8 GB. */
  public static readonly CCX13 = ServerType.of("ccx13");
  /** Dedicated vCPU, 4 vCPU / 16 GB. */
  public static readonly CCX23 = ServerType.of("ccx23");
  /** Dedicated vCPU, 8 vCPU / 32 GB. */
  public static readonly CCX33 = ServerType.of("ccx33");

  /** The known families (`cx`, `cax`, `cpx`, `ccx`). */
  public static readonly FAMILIES: readonly string[] = Object.keys(FAMILIES);

  /**
   * The server types Hetzner sells (Aug 2026, shared/reference/cloudflare-hetzner.md §6: CX23–CX53
   * replaced CX22–CX52; CPX12–CPX62 beside the older CPX11–CPX51; CCX13–CCX63; CAX11–CAX41).
   * A deployment file may name only these; `ServerType.of` still takes any well-formed name.
   */
  public static readonly KNOWN: readonly string[] = [
    "cx23", "cx33", "cx43", "cx53",
    "cpx11", "cpx21", "cpx31", "cpx41", "cpx51",
    "cpx12", "cpx22", "cpx32", "cpx42", "cpx52", "cpx62",
    "ccx13", "ccx23", "ccx33", "ccx43", "ccx53", "ccx63",
    "cax11", "cax21", "cax31", "cax41",
  ];

  /**
   * The server type with this API name: a known family followed by digits
   * (`cx23`, `cax11`, `cpx22`, `ccx33`). A token is accepted unchecked.
   *
   * @throws if the name does not match a known family
   */
  public static of(name: string): ServerType {
    if (Token.isUnresolved(name)) {
      return new ServerType(name, undefined);
    }
    const match = /^([a-z]+)\d{2}$/.exec(name);
    const family = match?.[1];
    if (family === undefined || !(family in FAMILIES)) {
      throw invalidLiteral("ServerType.of", 
        `unknown server type ${show(name)}: expected a family (${ServerType.FAMILIES.join(", ")}) ` +
          `followed by two digits, e.g. "ccx23"`,
      );
    }
    return new ServerType(name, family);
  }

  private constructor(
    /** The API name, e.g. `ccx23`. */
    public readonly name: string,
    /** The family, e.g. `ccx`; undefined for a token. */
    public readonly family: string | undefined,
  ) {}

  /** The locations that sell this type; all locations for a token. */
  public get locations(): readonly Location[] {
    return this.family === undefined ? Location.ALL : FAMILIES[this.family]!;
  }

  /**
   * Whether this type can be ordered in `location`. True when either side
   * is a token.
   */
  public isAvailableIn(location: Location): boolean {
    if (this.family === undefined || location.networkZone === undefined) {
      return true;
    }
    return this.locations.some((l) => l.name === location.name);
  }

  /** The API name. */
  public toString(): string {
    return this.name;
  }
}
