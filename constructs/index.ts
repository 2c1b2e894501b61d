// Public API of the construct library. Each folder is one concern; its index re-exports it.
export * from "./validation-error";
export * from "./deployment";
export * from "./edge";
export * from "./plan";
export * from "./cloudflare";
export * from "./hcloud";
export * from "./proxies";
export * from "./tracker";
export * from "./versions";
// The providers, so an app needs no deep imports.
export { HcloudProvider, type HcloudProviderConfig } from "../.gen/providers/hcloud/provider";
export { CloudflareProvider, type CloudflareProviderConfig } from "@cdktf/provider-cloudflare/lib/provider";
