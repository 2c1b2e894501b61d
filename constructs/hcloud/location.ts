import { Token } from "./token";
import { show } from "./validation";
import { invalidLiteral } from "../validation-error";

/**
 * A Hetzner Cloud location (`fsn1`, `nbg1`, `hel1`, `ash`, `hil`, `sin`).
 *
 * Changing the location of a server, volume or primary IP replaces it.
 */
export class Location {
  /** Falkenstein, Germany (eu-central). */
  public static readonly FSN1 = new Location("fsn1", "eu-central");
  /** Nuremberg, Germany (eu-central). */
  public static readonly NBG1 = new Location("nbg1", "eu-central");
  /** Helsinki, Finland (eu-central). */
  public static readonly HEL1 = new Location("hel1", "eu-central");
  /** Ashburn, VA, USA (us-east). */
  public static readonly ASH = new Location("ash", "us-east");
  /** Hillsboro, OR, USA (us-west). */
  public static readonly HIL = new Location("hil", "us-west");
  /** Singapore (ap-southeast). */
  public static readonly SIN = new Location("sin", "ap-southeast");

  /** Every location this library knows, in the order above. */
  public static readonly ALL: readonly Location[] = [
    Location.FSN1,
    Location.NBG1,
    Location.HEL1,
    Location.ASH,
    Location.HIL,
    Location.SIN,
  ];

  /**
   * The location with this name, e.g. `Location.of("nbg1")`. A token is
   * accepted unchecked (its network zone is then unknown).
   *
   * @throws if the name is not one of `Location.ALL`
   */
  public static of(name: string): Location {
    if (Token.isUnresolved(name)) {
      return new Location(name, undefined);
    }
    const found = Location.ALL.find((location) => location.name === name);
    if (found === undefined) {
      throw invalidLiteral("Location.of", 
        `unknown location ${show(name)}: expected one of ${Location.ALL.map((l) => l.name).join(", ")}`,
      );
    }
    return found;
  }

  private constructor(
    /** The API name, e.g. `nbg1`. */
    public readonly name: string,
    /** The network zone, e.g. `eu-central`; undefined for a token. */
    public readonly networkZone: string | undefined,
  ) {}

  /**
   * Whether `other` is the same location. True when either name is a token,
   * since that cannot be checked at synth time.
   */
  public isSameAs(other: Location): boolean {
    return this.networkZone === undefined || other.networkZone === undefined || this.name === other.name;
  }

  /** The API name. */
  public toString(): string {
    return this.name;
  }
}
