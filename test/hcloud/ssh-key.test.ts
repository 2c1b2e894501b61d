import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { ValidationError } from "../../constructs/validation-error";
import { SshKey } from "../../constructs/hcloud";
import { only, PUBLIC_KEY, resolved, resources, synth } from "./helpers";

describe("SshKey", () => {
  it("creates an hcloud_ssh_key with name and public key only by default", () => {
    const json = synth((stack) => new SshKey(stack, "OperatorKey", { name: "operator", publicKey: PUBLIC_KEY }));
    assert.deepEqual(only(json, "hcloud_ssh_key"), ["OperatorKey", { name: "operator", public_key: PUBLIC_KEY }]);
  });

  it("sets labels", () => {
    const json = synth((stack) => new SshKey(stack, "Key", { name: "k", publicKey: PUBLIC_KEY, labels: { app: "tracker" } }));
    assert.deepEqual(only(json, "hcloud_ssh_key")[1].labels, { app: "tracker" });
  });

  it("exposes id and fingerprint as tokens of its resource", () => {
    const key = (stack: Construct) => new SshKey(stack, "Key", { name: "k", publicKey: PUBLIC_KEY });
    assert.equal(resolved((stack) => key(stack).sshKeyId), "${hcloud_ssh_key.Key.id}");
    assert.equal(resolved((stack) => key(stack).fingerprint), "${hcloud_ssh_key.Key.fingerprint}");
  });

  it("is addressed by its parent's path when nested (Default child)", () => {
    const json = synth((stack) => new SshKey(new Construct(stack, "Access"), "Key", { name: "k", publicKey: PUBLIC_KEY }));
    assert.match(only(json, "hcloud_ssh_key")[0], /^Access_Key_[0-9A-F]{8}$/);
  });

  it("fails on a malformed public key, naming the accepted types", () => {
    for (const publicKey of ["not a key", "ssh-dss AAAAB3NzaC1kc3M=", "ssh-ed25519 !!!", "-----BEGIN OPENSSH PRIVATE KEY-----"]) {
      assert.throws(
        () => synth((stack) => new SshKey(stack, "Key", { name: "k", publicKey })),
        (error: Error) =>
          error.message.startsWith(`invalid public key ${JSON.stringify(publicKey.slice(0, 40) + (publicKey.length > 40 ? "…" : ""))}`) &&
          error.message.includes("ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256") &&
          error.message.endsWith("(in stack/Key)"),
      );
    }
  });

  it("fails on bad labels with the library's typed ValidationError (source: the construct path)", () => {
    assert.throws(
      () => synth((stack) => new SshKey(stack, "Key", { name: "k", publicKey: PUBLIC_KEY, labels: { "a b": "c" } })),
      (e: unknown) =>
        e instanceof ValidationError && e.source === "stack/Key" && /^invalid label key "a b"/.test(e.issues[0].message) && /^ValidationError: invalid label key "a b"/.test(String(e)),
    );
  });

  it("accepts a token as public key unchecked", () => {
    const json = synth((stack) => new SshKey(stack, "Key", { name: "k", publicKey: new TerraformVariable(stack, "key", {}).stringValue }));
    assert.equal(resources(json, "hcloud_ssh_key").Key!.public_key, "${var.key}");
  });

  it("imports an existing key by id without creating a resource", () => {
    synth((stack) => {
      const key = SshKey.fromSshKeyId(stack, "Existing", "4711");
      assert.equal(key.sshKeyId, "4711");
    });
  });
});
