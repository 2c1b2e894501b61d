import { Token } from "cdktf";
import { Construct } from "constructs";
import { VolumeAttachment as L1VolumeAttachment } from "../../.gen/providers/hcloud/volume-attachment";
import type { Server } from "./server";
import { show, throwIfInvalid } from "./validation";
import type { Volume } from "./volume";

/** Props of {@link VolumeAttachment}. */
export interface VolumeAttachmentProps {
  /** The volume to attach. Changing it replaces the attachment. */
  readonly volume: Volume;
  /** The server to attach it to. Changing it replaces the attachment. */
  readonly server: Server;
}

/**
 * Attaches a volume to a server (`hcloud_volume_attachment`) with
 * `automount = false`: mounting is left to cloud-init, which has to wait
 * for the device because the attachment may be made after first boot.
 */
export class VolumeAttachment extends Construct {
  /** Escape hatch: the generated `hcloud_volume_attachment` resource. */
  public readonly resource: L1VolumeAttachment;

  constructor(scope: Construct, id: string, props: VolumeAttachmentProps) {
    super(scope, id);
    const { volume, server } = props;
    if (!volume.location.isSameAs(server.location)) {
      throwIfInvalid(this, [
        `volume ${show(volume.node.path)} is in ${show(volume.location.name)} but server ` +
          `${show(server.node.path)} is in ${show(server.location.name)}: a volume can only be attached in its own location`,
      ]);
    }

    this.resource = new L1VolumeAttachment(this, "Default", {
      volumeId: Token.asNumber(volume.volumeId),
      serverId: Token.asNumber(server.serverId),
      automount: false,
    });
  }
}
