import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Location, PrimaryIp } from "../../constructs/hcloud";
import { synthScope } from "../helpers/cdktf";

/** A synthesized stack, parsed. */
export interface Synth {
  readonly resource: { readonly [type: string]: { readonly [address: string]: Record<string, any> } };
  readonly terraform?: Record<string, any>;
  readonly [key: string]: unknown;
}

/** Builds constructs in a fresh stack (aspects run) and returns the parsed JSON. */
export function synth(build: (stack: Construct) => void): Synth {
  return JSON.parse(synthScope(build)) as Synth;
}

/**
 * What a token becomes in the synthesized JSON: `build` returns a value,
 * which is put in an output and read back, e.g. `"${hcloud_server.Server.id}"`.
 */
export function resolved(build: (stack: Construct) => unknown): unknown {
  const json = synth((stack) => {
    new TerraformOutput(stack, "probe", { value: build(stack), staticId: true });
  });
  return (json.output as { probe: { value: unknown } }).probe.value;
}

/** All resources of `type`, by logical id; `{}` when there is none. */
export function resources(json: Synth, type: string): { readonly [address: string]: Record<string, any> } {
  return json.resource?.[type] ?? {};
}

/** The single resource of `type`: its logical id and body. Fails when there is not exactly one. */
export function only(json: Synth, type: string): [string, Record<string, any>] {
  const entries = Object.entries(resources(json, type));
  if (entries.length !== 1) {
    throw new Error(`expected one ${type}, found ${entries.length}: ${entries.map(([id]) => id).join(", ")}`);
  }
  return entries[0]!;
}

/** An IPv4 primary IP with id "Ipv4" in `location` (default nbg1). */
export function ipv4(scope: Construct, location: Location = Location.NBG1): PrimaryIp {
  return PrimaryIp.ipv4(scope, "Ipv4", { name: "tracker-ipv4", location });
}

/** An IPv6 primary IP with id "Ipv6" in `location` (default nbg1). */
export function ipv6(scope: Construct, location: Location = Location.NBG1): PrimaryIp {
  return PrimaryIp.ipv6(scope, "Ipv6", { name: "tracker-ipv6", location });
}

/** A syntactically valid ed25519 public key. */
export const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJz3c3Ydc6dGdxZQ2lLyrUU1nBDhR0tJ4ybQ7qjjNmJn operator@example";
