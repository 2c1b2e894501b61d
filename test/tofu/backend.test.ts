// Where the state goes: never into the repository by default; a deployment file can choose an S3
// bucket (Hetzner Object Storage) that OpenTofu accepts as written; the offline plan never uses it.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { OfflineTofu } from "../../tofu/offline";
import { requiredProviders } from "../../tofu/providers";
import { synthStacks } from "../../tofu/stack";
import { tempDir } from "../helpers/tmp";
import { planCli } from "./helpers";

const ROOT = path.join(__dirname, "../..");
const EXAMPLE = fs.readFileSync(path.join(ROOT, "deployments/example.yaml"), "utf8").replace("$schema: ../schema", `$schema: ${ROOT}/schema`);

function deployment(backend: string): string {
  const file = path.join(tempDir("backend-"), "example.yaml");
  fs.writeFileSync(file, EXAMPLE.replace(/^name: example$/m, `name: example\nbackend: ${backend}`));
  return file;
}

const S3 = '{kind: s3, bucket: tf-state, region: fsn1, endpoint: "https://fsn1.your-objectstorage.com"}';

describe("state backend", () => {
  it("defaults to a local file under $XDG_STATE_HOME, outside the repository", () => {
    const stateHome = tempDir("state-home-");
    const saved = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = stateHome;
    try {
      const [stack] = synthStacks(path.join(ROOT, "deployments/example.yaml"));
      assert.deepEqual(stack!.json.terraform!.backend, { local: { path: path.join(stateHome, "torrust-tracker-cdktf", "example.tfstate") } });
    } finally {
      if (saved === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = saved;
    }
  });

  it("takes a local path from the file (~/ expanded)", () => {
    const [stack] = synthStacks(deployment("{kind: local, path: ~/tracker-state/example.tfstate}"));
    assert.deepEqual(stack!.json.terraform!.backend, { local: { path: path.join(os.homedir(), "tracker-state/example.tfstate") } });
  });

  it("writes an S3 backend OpenTofu accepts: it reaches for the bucket (here a closed port), no credentials in the JSON", () => {
    const [stack] = synthStacks(deployment(S3));
    const s3 = stack!.json.terraform!.backend!.s3 as Record<string, unknown>;
    assert.equal(s3.bucket, "tf-state");
    assert.equal(s3.key, "torrust-tracker-cdktf/example.tfstate");
    assert.equal(s3.use_lockfile, true);
    assert.deepEqual(s3.endpoints, { s3: "https://fsn1.your-objectstorage.com" });
    assert.ok(!Object.keys(s3).some((k) => /access_key|secret|token/.test(k)), "no credentials");

    const tofu = OfflineTofu.prepare(requiredProviders(stack!.json));
    const dir = tempDir("backend-init-");
    const json = structuredClone(stack!.json);
    (json.terraform!.backend!.s3 as { endpoints: { s3: string } }).endpoints.s3 = "http://127.0.0.1:1";
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(json));
    const r = tofu.run(dir, ["init", "-no-color", "-input=false", "-backend-config=max_retries=1"], { AWS_ACCESS_KEY_ID: "dummy", AWS_SECRET_ACCESS_KEY: "dummy" });
    assert.notEqual(r.status, 0);
    assert.doesNotMatch(r.stderr, /Unsupported argument|Invalid backend configuration|Missing required argument/);
    assert.match(r.stderr, /ListObjectsV2.*tf-state.*127\.0\.0\.1:1: connect: connection refused/s);
  });

  it("the offline plan overrides a remote backend with a local file, and says so", () => {
    const r = planCli(deployment(S3));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /example: state backend s3 \(tf-state\/torrust-tracker-cdktf\/example\.tfstate\) → overridden to a local file in .* for this offline plan/);
    assert.match(r.stdout, /Plan: \d+ to add, 0 to change, 0 to destroy/);
  });
});
