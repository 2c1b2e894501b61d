import { IAspect, Token } from "cdktf";
import { IConstruct } from "constructs";
import { Firewall } from "../../.gen/providers/hcloud/firewall";
import { PrimaryIp } from "../../.gen/providers/hcloud/primary-ip";
import { Server } from "../../.gen/providers/hcloud/server";
import { SshKey } from "../../.gen/providers/hcloud/ssh-key";
import { Volume } from "../../.gen/providers/hcloud/volume";
import { Labels, validateLabels } from "./labels";
import { ValidationError } from "../validation-error";

const LABELLED = [Server, SshKey, Firewall, PrimaryIp, Volume];

/**
 * An aspect that adds labels to every hcloud resource in a scope that
 * has labels (server, SSH key, firewall, primary IP, volume), like AWS
 * `Tags`: `Aspects.of(stack).add(new HcloudLabels({ app: "torrust-tracker" }))`.
 *
 * Labels set on a resource itself win over the aspect's labels for the same key.
 */
export class HcloudLabels implements IAspect {
  /** The labels this aspect adds. */
  public readonly labels: Labels;

  /** @throws if a label breaks the hcloud label rule */
  constructor(labels: Labels) {
    const problems = validateLabels(labels);
    if (problems.length > 0) {
      throw new ValidationError("HcloudLabels", problems.map((message) => ({ path: [], message })), problems.join("; "));
    }
    this.labels = { ...labels };
  }

  /** Merges the labels into `node` if it is a labelled hcloud resource. */
  public visit(node: IConstruct): void {
    for (const type of LABELLED) {
      if (node instanceof type) {
        const own = node.labelsInput;
        // A token map cannot be merged at synth time; leave it alone.
        if (!Token.isUnresolved(own)) {
          node.labels = { ...this.labels, ...own };
        }
        return;
      }
    }
  }
}
