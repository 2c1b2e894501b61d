// The state backend a deployment file chooses, through cdktf's own backend constructs. State never
// lands in the repository: the default is a local file under $XDG_STATE_HOME. Credentials are
// never written: the S3 backend reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment.
import * as os from "node:os";
import * as path from "node:path";
import { LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import type { Deployment } from "../constructs/deployment/schema";

/** Where a deployment's state goes when its file names no backend. */
export function defaultStatePath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env.XDG_STATE_HOME || path.join(os.homedir(), ".local", "state");
  return path.join(stateHome, "torrust-tracker-cdktf", `${name}.tfstate`);
}

/** The state file of a deployment with a local backend (undefined for a remote one). */
export function localStatePath(deployment: Pick<Deployment, "name" | "backend">): string | undefined {
  const b = deployment.backend ?? { kind: "local" as const };
  if (b.kind !== "local") return undefined;
  return b.path?.startsWith("~/") ? path.join(os.homedir(), b.path.slice(2)) : (b.path ?? defaultStatePath(deployment.name));
}

/** Adds the backend of `deployment` to `stack`. */
export function addBackend(stack: TerraformStack, deployment: Deployment): void {
  const b = deployment.backend ?? { kind: "local" as const };
  const local = localStatePath(deployment);
  if (b.kind === "local" && local !== undefined) {
    new LocalBackend(stack, { path: local });
    return;
  }
  if (b.kind !== "s3") throw new Error(`unknown backend kind ${JSON.stringify(b.kind)}`);
  const s3 = {
    bucket: b.bucket,
    key: b.key ?? `torrust-tracker-cdktf/${deployment.name}.tfstate`,
    region: b.region,
    encrypt: b.endpoint === undefined ? true : undefined,
  };
  // An S3-compatible API (Hetzner Object Storage) has no STS, IAM, EC2 metadata or AWS regions, and
  // some reject the SDK's upload checksums: the OpenTofu 1.10.10 S3 backend's switches for that
  // (internal/backend/remote-state/s3/backend.go: skip_*, use_path_style, skip_s3_checksum).
  const compatible = b.endpoint
    ? {
        endpoints: { s3: b.endpoint },
        skipCredentialsValidation: true,
        skipRegionValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipS3Checksum: true,
        usePathStyle: true,
      }
    : {};
  new S3Backend(stack, { ...s3, ...compatible });
  // Lock files in the bucket (OpenTofu >= 1.10, Terraform >= 1.10: `use_lockfile`); cdktf 0.21's
  // S3Backend predates the setting.
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
}
