import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { HcloudProvider } from "../.gen/providers/hcloud/provider";
import type { LoadedDeployment } from "../constructs/deployment/load";
import { TrackerDeployment } from "../constructs/tracker/tracker-deployment";
import { addBackend } from "./backend";

export interface TrackerStackProps {
  /** A deployment file, loaded and validated (`loadDeploymentFile`). */
  readonly loaded: LoadedDeployment;
}

/**
 * One deployment file = one stack: the state backend the file chooses (default: a local file
 * outside the repository), the two providers (tokens from HCLOUD_TOKEN and CLOUDFLARE_API_TOKEN
 * in the environment, never in the synthesized JSON), the deployment, and its outputs.
 */
export class TrackerStack extends TerraformStack {
  readonly tracker: TrackerDeployment;

  constructor(scope: Construct, id: string, props: TrackerStackProps) {
    super(scope, id);
    new HcloudProvider(this, "hcloud", {});
    new CloudflareProvider(this, "cloudflare", {});
    const { deployment, acmeCaRootPem, source } = props.loaded;
    addBackend(this, deployment);
    this.tracker = new TrackerDeployment(this, "Tracker", { deployment, acmeCaRootPem, source });

    // Every output is the plan's (constructs/plan/): no URL is assembled here.
    const t = this.tracker;
    const outputs = t.plan.outputs;
    const output = (name: string, value: unknown, description: string) =>
      new TerraformOutput(this, name, { value, description, staticId: true });
    output("ipv4_address", t.ipv4Address, "Primary IPv4 (survives server replacement)");
    if (t.ipv6Address) output("ipv6_address", t.ipv6Address, "Server IPv6 (::1 of the primary /64)");
    output("https_urls", outputs.httpsUrls, "Every HTTPS site, by hostname");
    output(
      "announce_urls",
      outputs.announceUrls,
      deployment.tracker.private ? "Tracker announce URLs (private: replace <key> with a key made through the API)" : "Tracker announce URLs",
    );
    if (outputs.grafanaUrl) output("grafana_url", outputs.grafanaUrl, "Grafana");
    output("api_health_url", outputs.apiHealthUrl, "Tracker API health check");
  }
}
