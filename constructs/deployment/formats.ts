// Value formats shared by the deployment schema. Pure functions: no zod, no cdktf.

/** One DNS label: lowercase letters, digits and inner hyphens, 1–63 characters. */
export const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A registrable domain or subdomain: two or more labels, lowercase, ≤ 253 characters. */
export function isDomainName(value: string): boolean {
  if (value.length > 253 || value !== value.toLowerCase()) return false;
  const labels = value.split(".");
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1];
  return labels.every((l) => DNS_LABEL.test(l)) && /^[a-z][a-z0-9-]*$/.test(tld);
}

function parseIpv4(value: string): number[] | undefined {
  const parts = value.split(".");
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^(0|[1-9][0-9]{0,2})$/.test(p) ? Number(p) : NaN));
  return octets.every((o) => o >= 0 && o <= 255) ? octets : undefined;
}

/** Parses an IPv6 address into 8 groups, or undefined. Accepts "::" compression, no zone ids. */
function parseIpv6(value: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(value)) return undefined;
  const halves = value.split("::");
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else return undefined;
    }
    return out;
  };
  const head = toGroups(halves[0]);
  const tail = halves.length === 2 ? toGroups(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array(missing).fill(0), ...tail] : undefined;
}

/**
 * Checks an IPv4 or IPv6 CIDR the way the Hetzner firewall does: a prefix length is required
 * and host bits must be zero ("10.0.0.1/24" is rejected by the API).
 * Returns undefined when valid, else the reason.
 */
export function cidrProblem(value: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) return "needs the form address/prefix, e.g. 203.0.113.0/24 or 2001:db8::/32";
  const [, addr, prefixText] = m;
  const prefix = Number(prefixText);
  const v4 = parseIpv4(addr);
  const groups = v4 ? undefined : parseIpv6(addr);
  if (!v4 && !groups) return `"${addr}" is not an IPv4 or IPv6 address`;
  const bits = v4 ? v4.flatMap((o) => toBits(o, 8)) : groups!.flatMap((g) => toBits(g, 16));
  if (prefix > bits.length) return `prefix /${prefix} is longer than ${bits.length} bits`;
  if (bits.slice(prefix).some((b) => b === 1)) return "host bits must be zero (Hetzner rejects them)";
  return undefined;
}

function toBits(n: number, width: number): number[] {
  const out: number[] = [];
  for (let i = width - 1; i >= 0; i--) out.push((n >> i) & 1);
  return out;
}

const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const;

/**
 * Checks an OpenSSH public key line ("type base64 [comment]"): known type, valid base64 and a
 * key blob that names the same type. Returns undefined when valid, else the reason.
 */
export function sshPublicKeyProblem(value: string): string | undefined {
  if (/PRIVATE KEY/.test(value)) return "this is a private key: paste the public key (the .pub file) instead";
  const parts = value.trim().split(/\s+/);
  if (parts.length < 2) return `needs "<type> <base64 key> [comment]"`;
  const [type, blob] = parts;
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return `key type "${type}" is not one of ${SSH_KEY_TYPES.join(", ")}`;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length % 4 !== 0) return "the key data is not valid base64";
  const raw = Buffer.from(blob, "base64");
  if (raw.length < 4) return "the key data is too short";
  const len = raw.readUInt32BE(0);
  const inner = raw.subarray(4, 4 + len).toString("latin1");
  if (inner !== type) return `the key data says "${inner}" but the line says "${type}" (truncated or mixed-up key?)`;
  // ed25519: type string, then a 32-byte key; others: at least one more length-prefixed field.
  const expected = type === "ssh-ed25519" ? 4 + len + 4 + 32 : undefined;
  if ((expected !== undefined && raw.length !== expected) || raw.length <= 4 + len + 4) {
    return "the key data is truncated (copy the whole line of the .pub file)";
  }
  return undefined;
}

/** Docker image references must be pinned: an explicit tag other than latest/develop, or a digest. */
export function imageProblem(value: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(value)) return undefined;
  const m = /^([a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(value);
  if (!m) return "needs the form name:tag (e.g. torrust/tracker:v3.0.0) or name@sha256:<digest>";
  if (["latest", "develop", "main", "master", "nightly", "edge"].includes(m[2])) {
    return `tag "${m[2]}" moves; pin a release tag or a digest`;
  }
  return undefined;
}

/** Levenshtein distance, for "did you mean" hints on unknown keys. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}
