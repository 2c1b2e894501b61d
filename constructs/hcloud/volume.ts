import { Construct } from "constructs";
import { Volume as L1Volume } from "../../.gen/providers/hcloud/volume";
import { Labels, validateLabels } from "./labels";
import { Location } from "./location";
import { isLiteral, show, throwIfInvalid } from "./validation";

/** The file system a new volume is formatted with. */
export class VolumeFormat {
  /** ext4. */
  public static readonly EXT4 = new VolumeFormat("ext4");
  /** XFS. */
  public static readonly XFS = new VolumeFormat("xfs");

  private constructor(
    /** The API value of `hcloud_volume.format`. */
    public readonly value: "ext4" | "xfs",
  ) {}

  /** The API value. */
  public toString(): string {
    return this.value;
  }
}

/** Props of {@link Volume}. */
export interface VolumeProps {
  /** The volume's name, unique in the Hetzner project. */
  readonly name: string;
  /** Size in GB, 10 to 10240. Grown in place; it can never shrink. */
  readonly sizeGb: number;
  /**
   * Where the volume lives; it can only be attached to servers there.
   * Changing it replaces the volume, and its data is lost.
   */
  readonly location: Location;
  /**
   * The file system the volume is formatted with at creation. A later
   * change does nothing to the volume.
   * @default VolumeFormat.EXT4
   */
  readonly format?: VolumeFormat;
  /**
   * Whether the API refuses to delete the volume. Set it to false and apply
   * before destroying.
   * @default true
   */
  readonly deleteProtection?: boolean;
  /**
   * Labels of the volume.
   * @default - no labels
   */
  readonly labels?: Labels;
}

/**
 * A block storage volume (`hcloud_volume`) created in a location and
 * attached with `server.attachVolume(volume)` (`hcloud_volume_attachment`),
 * so replacing the server keeps the volume and its data. Server backups
 * do not include volumes.
 */
export class Volume extends Construct {
  /** The volume's ID (token). */
  public readonly volumeId: string;
  /** The device on the server, `/dev/disk/by-id/scsi-0HC_Volume_<id>` (token). */
  public readonly linuxDevice: string;
  /** Where the volume lives. */
  public readonly location: Location;
  /** Escape hatch: the generated `hcloud_volume` resource. */
  public readonly resource: L1Volume;

  constructor(scope: Construct, id: string, props: VolumeProps) {
    super(scope, id);
    const problems = validateLabels(props.labels);
    if (isLiteral(props.sizeGb) && !(Number.isInteger(props.sizeGb) && props.sizeGb >= 10 && props.sizeGb <= 10240)) {
      problems.push(`invalid volume size ${show(props.sizeGb)}: expected a whole number of gb from 10 to 10240`);
    }
    throwIfInvalid(this, problems);
    this.location = props.location;

    this.resource = new L1Volume(this, "Default", {
      name: props.name,
      size: props.sizeGb,
      location: props.location.name,
      format: (props.format ?? VolumeFormat.EXT4).value,
      deleteProtection: props.deleteProtection ?? true,
      labels: props.labels,
    });
    this.volumeId = this.resource.id;
    this.linuxDevice = this.resource.linuxDevice;
  }
}
