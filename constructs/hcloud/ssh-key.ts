import { Construct, IConstruct } from "constructs";
import { SshKey as L1SshKey } from "../../.gen/providers/hcloud/ssh-key";
import { Labels, validateLabels } from "./labels";
import { isLiteral, show, throwIfInvalid } from "./validation";
import { KEY_TYPES, sshPublicKeyProblem } from "./ssh-public-key";

/** An SSH key a server can be created with. */
export interface ISshKey extends IConstruct {
  /**
   * The key's ID (a numeric string), as `hcloud_server.ssh_keys` takes it.
   * A token for a key created in this app.
   */
  readonly sshKeyId: string;
}

/** Props of {@link SshKey}. */
export interface SshKeyProps {
  /** The key's name in the Hetzner project; renamed in place. */
  readonly name: string;
  /**
   * The public key in OpenSSH format (`ssh-ed25519 AAAA… comment`).
   * Changing it replaces the key (servers keep the key they were created with).
   */
  readonly publicKey: string;
  /**
   * Labels of the key.
   * @default - no labels
   */
  readonly labels?: Labels;
}


/**
 * An SSH key in the Hetzner project (`hcloud_ssh_key`). Hetzner puts it in
 * root's `authorized_keys` when a server is created with it.
 */
export class SshKey extends Construct implements ISshKey {
  /** A key that exists already, by its numeric ID; creates no resource. */
  public static fromSshKeyId(scope: Construct, id: string, sshKeyId: string): ISshKey {
    class Import extends Construct implements ISshKey {
      public readonly sshKeyId = sshKeyId;
    }
    return new Import(scope, id);
  }

  /** The key's ID (token). */
  public readonly sshKeyId: string;
  /** The key's fingerprint (token). */
  public readonly fingerprint: string;
  /** Escape hatch: the generated `hcloud_ssh_key` resource. */
  public readonly resource: L1SshKey;

  constructor(scope: Construct, id: string, props: SshKeyProps) {
    super(scope, id);
    throwIfInvalid(this, [...validatePublicKey(props.publicKey), ...validateLabels(props.labels)]);

    this.resource = new L1SshKey(this, "Default", {
      name: props.name,
      publicKey: props.publicKey,
      labels: props.labels,
    });
    this.sshKeyId = this.resource.id;
    this.fingerprint = this.resource.fingerprint;
  }
}

function validatePublicKey(publicKey: string): string[] {
  if (!isLiteral(publicKey)) {
    return [];
  }
  const problem = sshPublicKeyProblem(publicKey);
  const shown = publicKey.length > 40 ? `${publicKey.slice(0, 40)}…` : publicKey;
  return problem
    ? [`invalid public key ${show(shown)}: ${problem}; expected "<type> <base64> [comment]" with type one of ${KEY_TYPES.join(", ")}`]
    : [];
}

export { sshPublicKeyProblem } from "./ssh-public-key";
