// Value formats shared by the deployment schema. Pure functions: no zod. Network and key checks
// are the hcloud constructs' own, so the file and the constructs accept exactly the same values.
import { Peer } from "../hcloud/peer";
import { sshPublicKeyProblem } from "../hcloud/ssh-public-key";

/** One DNS label: lowercase letters, digits and inner hyphens, 1–63 characters. */
export const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A CAA issuer domain (RFC 8659 issuer-domain-name): lowercase labels separated by dots. */
export const CAA_DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Why a value is not a domain name (the limits named), or undefined when it is one. */
export function domainProblem(value: string): string | undefined {
  if (value.length > 253) return `is ${value.length} characters; a domain name is at most 253 characters, each label at most 63`;
  const long = value.split(".").find((l) => l.length > 63);
  if (long) return `has a label of ${long.length} characters; each label is at most 63 (the whole name at most 253)`;
  if (!isDomainName(value)) return "must be a lowercase domain name with at least two labels, e.g. tracker.example.com";
  return undefined;
}

/** A registrable domain or subdomain: two or more labels, lowercase, ≤ 253 characters. */
export function isDomainName(value: string): boolean {
  if (value.length > 253 || value !== value.toLowerCase()) return false;
  const labels = value.split(".");
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1];
  return labels.every((l) => DNS_LABEL.test(l)) && /^[a-z][a-z0-9-]*$/.test(tld);
}

/**
 * Checks an IPv4 or IPv6 network the way the Hetzner firewall takes it (via `Peer.cidr`): a bare
 * address means one host; host bits must be zero. Returns undefined when valid, else the reason.
 */
export function cidrProblem(value: string): string | undefined {
  try {
    Peer.cidr(value);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^invalid cidr "[^"]*": /, "");
  }
}

/** Checks an OpenSSH public key line; see `sshPublicKeyProblem` in constructs/hcloud/ssh-key.ts. */
export { sshPublicKeyProblem };

/** Docker image references must be pinned: an explicit tag other than latest/develop, or a digest. */
export function imageProblem(value: string): string | undefined {
  if (value.length > 512) return "is longer than 512 characters";
  // distribution/reference grammar: [registry[:port]/]path[:tag][@sha256:digest]
  const name = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*";
  if (new RegExp(`^${name}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$`).test(value)) return undefined;
  if (/@/.test(value)) return "a digest must be @sha256: followed by 64 lowercase hex digits, after a valid image name";
  const m = new RegExp(`^(${name}):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$`).exec(value);
  if (!m) return "needs the form name:tag (e.g. torrust/tracker:v3.0.0) or name@sha256:<digest>";
  if (["latest", "develop", "main", "master", "nightly", "edge"].includes(m[2])) {
    return `tag "${m[2]}" moves; pin a release tag or a digest`;
  }
  return undefined;
}

/**
 * An ACME directory URL as the proxies take it: https, a host, an optional port and a plain path.
 * No query, fragment, quotes, spaces, `$`, `{` or `}`, so it cannot become a Caddyfile placeholder
 * ({$VAR}, {env.X}), an nginx variable or a second shell word in the generated files.
 */
export function acmeDirectoryProblem(value: string): string | undefined {
  if (value.length > 2048) return "is longer than 2048 characters";
  if (!/^https:\/\/[a-z0-9.-]+(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~%:@+=,\/-]*)?$/.test(value)) {
    return "must be an https:// URL of an ACME directory: a host, an optional port and a path of letters, digits and ._~%:@+=,/- (no query, spaces, quotes, $ or braces)";
  }
  try {
    new URL(value);
  } catch {
    return "is not a valid URL";
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
