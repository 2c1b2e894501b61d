// Which locally built binary serves each provider the synthesized stacks require, and the
// address OpenTofu resolves each `required_providers` source to (the mirror's folder names).

/** A provider a stack requires, as `terraform.required_providers` in the synthesized JSON names it. */
export interface RequiredProvider {
  /** Local name, e.g. "hcloud". */
  readonly name: string;
  /** `source` as written, e.g. "cloudflare/cloudflare" or "registry.terraform.io/hetznercloud/hcloud". */
  readonly source: string;
  /** Exact version pinned by the bindings, e.g. "1.68.0". */
  readonly version: string;
}

/** How a required provider is served offline. */
export interface ProviderBuild {
  /** Tool name in scripts/tools.sh. */
  readonly tool: string;
  /** Set when the binary is not the real provider: what it is, for every line that shows its results. */
  readonly standIn?: string;
}

/** By `<namespace>/<type>`; the versions are checked against the tools at run time. */
export const PROVIDER_BUILDS: Readonly<Record<string, ProviderBuild>> = {
  "hetznercloud/hcloud": { tool: "hcloud-provider" },
  "cloudflare/cloudflare": {
    tool: "cloudflare-provider-standin",
    standIn:
      "STAND-IN for cloudflare/cloudflare 5.14.0 (tools/cloudflare-provider-standin: the 5.14.0 schema and its " +
      "plan-time rules; the real provider cannot be built here, the Go module proxy refuses it)",
  },
};

/**
 * OpenTofu's host for a source without one (registry-address: DefaultProviderRegistryHost, the
 * module OpenTofu 1.10.10 uses; Terraform would say registry.terraform.io).
 */
export const DEFAULT_REGISTRY_HOST = "registry.opentofu.org";

/** The fully qualified address OpenTofu resolves `source` to: `host/namespace/type`, lowercase. */
export function providerAddress(source: string): string {
  const parts = source.toLowerCase().split("/");
  if (parts.length === 2) return [DEFAULT_REGISTRY_HOST, ...parts].join("/");
  if (parts.length === 3) return parts.join("/");
  throw new Error(`provider source ${JSON.stringify(source)} is not [host/]namespace/type`);
}

/** `namespace/type` of a source, the key of {@link PROVIDER_BUILDS}. */
export function providerKey(source: string): string {
  return providerAddress(source).split("/").slice(1).join("/");
}

/** The required providers of a synthesized stack (`cdk.tf.json`). */
export function requiredProviders(stack: { terraform?: { required_providers?: Record<string, { source: string; version?: string }> } }): RequiredProvider[] {
  return Object.entries(stack.terraform?.required_providers ?? {}).map(([name, p]) => {
    if (!p.version || !/^\d+\.\d+\.\d+$/.test(p.version)) {
      throw new Error(`provider ${name} (${p.source}) is not pinned to an exact version (got ${JSON.stringify(p.version)})`);
    }
    return { name, source: p.source, version: p.version };
  });
}

/** Go's name for this machine's platform, as the mirror's folder names it (linux_amd64). */
export function platform(): string {
  const arch = ({ x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" } as Record<string, string>)[process.arch] ?? process.arch;
  return `${process.platform}_${arch}`;
}
