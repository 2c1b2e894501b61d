// The OpenSSH public key line check, shared by the SshKey construct and the deployment schema.
// No cdktf or provider imports: validating a file needs none.

/** Key types Hetzner and OpenSSH accept. */
export const KEY_TYPES: readonly string[] = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
];

/**
 * Checks an OpenSSH public key line ("type base64 [comment]"): a known type, valid base64 and a
 * key blob that names the same type and is not truncated. Returns undefined when valid, else the reason.
 */
export function sshPublicKeyProblem(value: string): string | undefined {
  if (/PRIVATE KEY/.test(value)) return "this is a private key: paste the public key (the .pub file) instead";
  if (/[\r\n]/.test(value.trim())) return "spans several lines: give one key per entry, on one line";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) return "holds control characters";
  // Terraform would read "${" / "%{" in the comment as an expression (hcloud_ssh_key.public_key is not escaped).
  if (/[$%]\{/.test(value)) return 'the comment holds "${" or "%{", which Terraform would evaluate: remove it';
  const parts = value.trim().split(/\s+/);
  if (parts.length < 2) return `needs "<type> <base64 key> [comment]"`;
  const [type = "", blob = ""] = parts;
  if (!KEY_TYPES.includes(type)) {
    return parts.slice(1).some((p) => KEY_TYPES.includes(p))
      ? "starts with authorized_keys options: give the key alone (\"<type> <base64> [comment]\"), options are not supported"
      : `key type "${type}" is not one of ${KEY_TYPES.join(", ")}`;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length % 4 !== 0) return "the key data is not valid base64";
  const raw = Buffer.from(blob, "base64");
  if (raw.length < 4) return "the key data is too short";
  const len = raw.readUInt32BE(0);
  const inner = raw.subarray(4, 4 + len).toString("latin1");
  if (inner !== type) return `the key data says "${inner}" but the line says "${type}" (truncated or mixed-up key?)`;
  // ed25519: the type string, then a 32-byte key; others: at least one more length-prefixed field.
  const expected = type === "ssh-ed25519" ? 4 + len + 4 + 32 : undefined;
  if ((expected !== undefined && raw.length !== expected) || raw.length <= 4 + len + 4) {
    return "the key data is truncated (copy the whole line of the .pub file)";
  }
  return undefined;
}
