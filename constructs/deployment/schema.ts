// The deployment file's schema: one YAML file per environment. zod validates it and emits the
// JSON Schema editors use (schema/deployment.schema.json). Cross-field rules live in rules.ts.
import { z } from "zod";
import { isValidLabelKey, LABEL_KEY_RULE, LABEL_VALUE, LABEL_VALUE_RULE } from "../hcloud/labels";
import { Location } from "../hcloud/location";
import { ServerType } from "../hcloud/server-type";
import { MARIADB } from "../versions/mariadb";
import { CAA_DOMAIN, DNS_LABEL, acmeDirectoryProblem, cidrProblem, domainProblem, imageProblem, sshPublicKeyProblem } from "./formats";

/** Proxy kinds the deployment file accepts; each has a plug-in folder under constructs/proxies/. */
export const PROXY_KINDS = ["caddy", "nginx-certbot", "pingoo"] as const;
export type ProxyKind = (typeof PROXY_KINDS)[number];

/** Hetzner locations: the hcloud module's (constructs/hcloud/location.ts). */
export const LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"] as const;
if (Location.ALL.map((l) => l.name).join() !== LOCATIONS.join()) throw new Error("LOCATIONS must list Location.ALL");
/** Images whose cloud-init and packages (docker.io, docker-compose-v2) the generated user_data is written for. */
export const IMAGES = ["ubuntu-24.04", "ubuntu-22.04"] as const;

/** Most trackers of each kind: far more than any deployment runs, well under Hetzner's 50 firewall rules together. */
export const MAX_TRACKERS = 20;

/** Default pinned images (exact tags; see docs/decisions/0004-pinned-images.md). */
export const DEFAULT_IMAGES = {
  tracker: "torrust/tracker:v3.0.0",
  prometheus: "prom/prometheus:v3.5.1",
  grafana: "grafana/grafana:12.4.2",
} as const;

/** MariaDB LTS 10.11 for the mysql driver: the release line Debian 12 ships, which the tests run (docs/decisions/0015). */
export const DEFAULT_MARIADB_IMAGE = MARIADB.artifact;

/** Database drivers of the pinned tracker (v3.0.0 packages/configuration/src/v2_0_0/database.rs). */
export const DATABASE_DRIVERS = ["sqlite3", "mysql"] as const;

/**
 * What a field allows, shown as "allowed: ..." in every message about it (schema-issues.ts finds
 * it by the field's path). Keyed by the schema's def, which .describe() clones keep.
 */
const ALLOWED = new WeakMap<object, string>();

/** Records what `schema` allows; call after its checks (a check makes a new def). */
function allow<T extends z.ZodType>(schema: T, allowed: string): T {
  ALLOWED.set(schema._zod.def, allowed);
  return schema;
}

/** The allowed text recorded for a schema (or the schema a default/optional wraps). */
export function allowedOf(schema: unknown): string | undefined {
  let cur = schema as { _zod?: { def?: { innerType?: unknown } } } | undefined;
  while (cur?._zod?.def) {
    const found = ALLOWED.get(cur._zod.def);
    if (found !== undefined) return found;
    cur = cur._zod.def.innerType as typeof cur;
  }
  return undefined;
}

/**
 * A whole number from `min` to `max`: wrong type, a fraction and each bound get their own message
 * (never zod's "Too small: expected number to be >=..."), all with the allowed range.
 */
function wholeNumber(min: number, max: number, what: string) {
  return allow(
    z
      .number({ error: `must be ${what}, a number without quotes` })
      .int({ error: `must be a whole number` })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
    `a whole number from ${min} to ${max}`,
  );
}

/** Free text of 1 to `max` characters. */
function text(max: number, what: string) {
  return allow(
    z
      .string({ error: `must be ${what} (text)` })
      .min(1, { error: "must not be empty" })
      .max(max, { error: `must be at most ${max} characters` }),
    `${what}, 1–${max} characters`,
  );
}

/** A string checked by a regular expression; `rule` says what it allows. */
function matching(re: RegExp, message: string, rule: string) {
  return allow(z.string().regex(re, { error: message }), rule);
}

/** A string checked by one of formats.ts's problem functions. */
function checkedBy(problem: (v: string) => string | undefined, rule: string) {
  return allow(
    z.string().superRefine((v, ctx) => {
      const p = problem(v);
      if (p) ctx.addIssue({ code: "custom", message: p });
    }),
    rule,
  );
}

const TTL_RULE = "must be 1 (automatic) or a whole number of seconds from 60 to 86400";

const label = matching(DNS_LABEL, "must be one DNS label", "lowercase letters, digits and inner hyphens, 1–63 characters");

const port = allow(
  z
    .number({ error: "must be a port number (integer 1–65535)" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(65535, { error: "must be at most 65535" }),
  "a whole number from 1 to 65535",
);

const pinnedImage = checkedBy(imageProblem, "an image pinned to a version tag or digest, e.g. torrust/tracker:v3.0.0");
const cidr = checkedBy(cidrProblem, "an IPv4 or IPv6 network, e.g. 203.0.113.0/24 or 2001:db8::/32");
const sshPublicKey = checkedBy(sshPublicKeyProblem, "one OpenSSH public key line, e.g. ssh-ed25519 AAAA... me@laptop");
const domain = checkedBy(domainProblem, "a domain name, e.g. tracker.example.org");

/** Labels TrackerDeployment sets itself on every resource; a file may not override them. */
export const RESERVED_LABEL_KEYS = ["managed-by", "deployment"] as const;
// The label rules are the hcloud module's (constructs/hcloud/labels.ts), as the constructs check them.
const hetznerLabelValue = matching(LABEL_VALUE, "is not a Hetzner label value", LABEL_VALUE_RULE);
const hetznerLabelKey = z.string().superRefine((k, ctx) => {
  if (!isValidLabelKey(k)) ctx.addIssue({ code: "custom", message: `label keys are ${LABEL_KEY_RULE}` });
  else if ((RESERVED_LABEL_KEYS as readonly string[]).includes(k)) {
    ctx.addIssue({ code: "custom", message: `label "${k}" is set by this project on every resource; choose another key` });
  }
});

/** The one convention for optional services: `enabled: false` turns one off (and everything derived from it). */
const enabled = (what: string, byDefault: boolean) =>
  z.boolean().default(byDefault).describe(`Run ${what}; false leaves out its service, DNS records, proxy site, secrets and outputs`);

const trackerHttp = z.strictObject({
  subdomain: label.describe(
    "Hostname label of this HTTP tracker, e.g. http1 → http1.<domain>; may be shared with one UDP tracker (one BEP 34 TXT record names both)",
  ),
  port: port.describe(
    "Port the tracker binds inside its container: published on 127.0.0.1 for the proxy (viaProxy: true), or on every address and opened in the firewall (viaProxy: false)",
  ),
  viaProxy: z
    .boolean()
    .default(true)
    .describe("Serve this tracker through the TLS proxy (https://<host>/announce); false: http://<host>:<port>/announce directly. All HTTP trackers must agree."),
});

const trackerUdp = z.strictObject({
  subdomain: label.describe("Hostname label of this UDP tracker, e.g. udp1 → udp1.<domain>; may be shared with one HTTP tracker"),
  port: port.describe("UDP port, opened in the firewall and published directly (never through the proxy)"),
});

export const DeploymentSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of this JSON Schema, for editors"),
    name: matching(
      /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/,
      "is not a deployment name",
      "2–40 lowercase letters, digits and hyphens, starting with a letter",
    ).describe("Deployment name: the cdktf stack name and the prefix of every Hetzner resource name"),
    domain: domain.describe("Domain the subdomains live under; must be in the Cloudflare zone"),
    cloudflare: z
      .strictObject({
        zoneId: matching(
          /^[0-9a-f]{32}$/,
          "must be the zone id from the Cloudflare dashboard",
          "32 lowercase hex characters",
        ).describe("Cloudflare zone id of the domain"),
        // The union's own error shows only when no member gets past its type check (e.g. "30"): a
        // number such as 30 fails inside z.number(), so each of its checks carries the message too.
        ttlSeconds: allow(
          z.union(
            [
              z.literal(1),
              z.number().int({ error: TTL_RULE }).min(60, { error: TTL_RULE }).max(86400, { error: TTL_RULE }),
            ],
            { error: TTL_RULE },
          ),
          "1 (automatic) or a whole number from 60 to 86400",
        )
          .default(300)
          .describe("TTL of every record; 1 means automatic"),
        caa: z
          .boolean()
          .default(true)
          .describe("CAA records on every name of this deployment (not the zone apex) allowing only the configured ACME CA"),
        proxiedSubdomains: z
          .array(label)
          .default([])
          .describe("Subdomains served through Cloudflare's proxy (orange cloud). Never tracker hostnames."),
      })
      .describe("Cloudflare DNS settings"),
    hetzner: z
      .strictObject({
        serverType: z
          .enum(ServerType.KNOWN as [string, ...string[]], { error: "must be a Hetzner server type that is sold, such as ccx23, cx33 or cpx22" })
          .default("ccx23")
          .describe("Hetzner server type; changed in place (the server is powered off)"),
        location: z.enum(LOCATIONS).default("nbg1").describe("Hetzner location; a change replaces every resource"),
        image: z.enum(IMAGES).default("ubuntu-24.04").describe("OS image; a change replaces the server"),
        ipv6: z.boolean().default(true).describe("Primary IPv6, AAAA records and IPv6 firewall rules"),
        backups: z.boolean().default(false).describe("Hetzner daily server backups (+20 % price; volumes excluded)"),
        serverProtection: z
          .boolean()
          .default(false)
          .describe("Delete and rebuild protection on the server (IPs and volume are always protected)"),
        volumeSizeGb: wholeNumber(10, 10240, "a size in GB")
          .default(50)
          .describe("Size of the data volume mounted at /opt/torrust/storage"),
        labels: z.record(hetznerLabelKey, hetznerLabelValue).default({}).describe("Extra labels on every Hetzner resource"),
      })
      .prefault({})
      .describe("Hetzner Cloud server settings"),
    admin: z
      .strictObject({
        username: allow(
          z
            .string()
            .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "must be a Linux user name" })
            .refine((u) => !["root", "ubuntu", "daemon", "bin", "sys", "nobody", "www-data"].includes(u), {
              error: "is a reserved system account; pick another name",
            }),
          "1–32 lowercase letters, digits, _ and -, starting with a letter or _; not root, ubuntu, daemon, bin, sys, nobody or www-data",
        )
          .default("torrust")
          .describe("Admin user created by cloud-init, with sudo"),
        sshKeys: z
          .array(
            z.strictObject({
              name: label.describe("Name of the key in Hetzner"),
              publicKey: sshPublicKey.describe("OpenSSH public key line (contents of the .pub file)"),
            }),
          )
          .min(1, { error: "needs at least one SSH public key" })
          .describe("Admin SSH public keys"),
        sshAllowedCidrs: z
          .array(cidr)
          .min(1, { error: "needs at least one CIDR" })
          .default(["0.0.0.0/0", "::/0"])
          .describe("Networks allowed to reach 22/tcp"),
      })
      .describe("Administrator access"),
    proxy: z
      .strictObject({
        kind: z.enum(PROXY_KINDS).default("caddy").describe("TLS proxy in front of the HTTP services"),
        hsts: z.boolean().default(true).describe("Send Strict-Transport-Security on every HTTPS site"),
      })
      .prefault({})
      .describe("TLS proxy"),
    acme: z
      .strictObject({
        email: allow(z.email({ error: "must be an email address" }), "an email address, e.g. admin@example.org").optional().describe("ACME account contact (not supported by Pingoo)"),
        staging: z.boolean().default(false).describe("Use Let's Encrypt staging (untrusted certificates, high limits)"),
        directoryUrl: checkedBy(acmeDirectoryProblem, "an https:// ACME directory URL, e.g. https://127.0.0.1:14000/dir")
          .optional()
          .describe("Other ACME directory (a test CA such as Pebble); overrides staging"),
        caRootFile: text(4096, "a file path")
          .optional()
          .describe("PEM file (relative to this file) of the CA that signed the ACME server's HTTPS certificate"),
        caaIdentity: matching(CAA_DOMAIN, "must be the CA's CAA issuer domain", "a domain name, e.g. letsencrypt.org")
          .optional()
          .describe("CAA issuer domain of the CA behind acme.directoryUrl (needed with cloudflare.caa when the CA is not Let's Encrypt)"),
        caaIodef: matching(
          /^(mailto:[^\s@{}$"'`\\]+@[a-z0-9.-]+|https:\/\/[a-z0-9.-]+(?:\/[A-Za-z0-9._~\/-]*)?)$/,
          "must be a mailto: address or an https:// URL (RFC 8659 iodef)",
          "mailto:security@example.org or https://example.org/caa-report",
        )
          .optional()
          .describe("Where CAs report refused certificate requests (CAA iodef); none unless set"),
      })
      .prefault({})
      .describe("Certificates"),
    tracker: z
      .strictObject({
        image: pinnedImage.default(DEFAULT_IMAGES.tracker).describe("Pinned tracker image"),
        private: z.boolean().default(false).describe("Private tracker mode (announce needs a key)"),
        httpTrackers: z
          .array(trackerHttp)
          .max(MAX_TRACKERS, { error: `at most ${MAX_TRACKERS} HTTP trackers (each direct one is a firewall rule; Hetzner allows 50)` })
          .default([{ subdomain: "http1", port: 7070, viaProxy: true }])
          .describe("HTTP trackers"),
        udpTrackers: z
          .array(trackerUdp)
          .max(MAX_TRACKERS, { error: `at most ${MAX_TRACKERS} UDP trackers (each is a firewall rule; Hetzner allows 50)` })
          .default([{ subdomain: "udp1", port: 6969 }]).describe("UDP trackers"),
        api: z
          .strictObject({
            subdomain: label.default("api"),
            port: port.default(1212),
          })
          .prefault({})
          .describe("Tracker REST API, served through the proxy"),
      })
      .prefault({})
      .describe("Torrust Tracker"),
    prometheus: z
      .strictObject({
        enabled: enabled("Prometheus", true),
        image: pinnedImage.default(DEFAULT_IMAGES.prometheus),
        scrapeIntervalSeconds: wholeNumber(5, 300, "a number of seconds").default(15),
        retentionDays: wholeNumber(1, 3650, "a number of days").default(30),
      })
      .prefault({})
      .describe("Prometheus (never exposed; scrapes the tracker API)"),
    grafana: z
      .strictObject({
        enabled: enabled("Grafana (needs Prometheus)", true),
        subdomain: label.default("grafana"),
        image: pinnedImage.default(DEFAULT_IMAGES.grafana),
        live: z.boolean().default(true).describe("Grafana Live (needs WebSocket through the proxy)"),
      })
      .prefault({})
      .describe("Grafana, served through the proxy"),
    database: z
      .strictObject({
        driver: z
          .enum(DATABASE_DRIVERS)
          .default("sqlite3")
          .describe("sqlite3: a file on the volume. mysql: a MariaDB service in the compose project (never published)"),
        image: pinnedImage.default(DEFAULT_MARIADB_IMAGE).describe("Pinned MariaDB image (driver mysql only)"),
      })
      .prefault({})
      .describe("The tracker's database"),
    backup: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Scheduled consistent backup of the tracker database onto the server disk"),
        schedule: matching(
          /^[0-9A-Za-z*:,./~ -]{1,80}$/,
          "must be a systemd OnCalendar expression",
          "e.g. \"*-*-* 02:15:00\" or \"hourly\": 1–80 letters, digits, spaces and * : , . / ~ -",
        )
          .default("*-*-* 02:15:00")
          .describe("systemd OnCalendar expression (server clock, UTC); a random delay of up to 10 minutes is added"),
        keepDays: wholeNumber(1, 3650, "a number of days").default(7).describe("Days backups are kept, on the server disk and in S3"),
        s3: z
          .strictObject({
            repository: matching(
              /^s3:https:\/\/[A-Za-z0-9.-]+(?::[0-9]+)?\/[A-Za-z0-9._~\/-]+$/,
              "must be a restic S3 repository",
              "s3:https://<host>/<bucket>[/<path>], e.g. s3:https://fsn1.your-objectstorage.com/my-bucket/torrust",
            ).describe("restic repository URL (no credentials: they go on the server, see README Backups)"),
          })
          .optional()
          .describe("Also copy each backup to S3-compatible object storage (Hetzner Object Storage) with restic"),
      })
      .prefault({})
      .describe("Backups of the tracker database (Hetzner backups do not cover volumes)"),
    helloWorld: z
      .strictObject({
        enabled: enabled("the hello-world site", true),
        subdomain: label.default("test"),
        message: text(200, "the page's text").default("Hello, world! This is a Torrust Tracker deployment."),
      })
      .optional()
      .describe("Optional static hello-world site (the evaluation's first check)"),
    backend: z
      .discriminatedUnion(
        "kind",
        [
          z.strictObject({
            kind: z.literal("local"),
            path: matching(
              /^(~\/|\/)./,
              "must be an absolute path or start with ~/ (state never belongs in the repository)",
              "/absolute/path or ~/path",
            )
              .optional()
              .describe("State file; default $XDG_STATE_HOME (~/.local/state)/torrust-tracker-cdktf/<name>.tfstate"),
          }),
          z.strictObject({
            kind: z.literal("s3"),
            bucket: matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name", "3–63 lowercase letters, digits, '.' and '-'")
              .describe("Bucket holding the state (create it first, versioning on)"),
            key: text(1024, "an object key").optional().describe("Object key; default torrust-tracker-cdktf/<name>.tfstate"),
            region: text(64, "a region name").describe("Region, e.g. fsn1 for Hetzner Object Storage in Falkenstein, eu-central-1 on AWS"),
            endpoint: matching(
              /^https:\/\/[^/\s]+\/?$/,
              "must be an https:// URL of the S3 API",
              "https://<host>, e.g. https://fsn1.your-objectstorage.com",
            )
              .optional()
              .describe("S3-compatible API (Hetzner Object Storage: https://<location>.your-objectstorage.com); default AWS"),
          }),
        ],
        { error: 'must have kind "local" or kind "s3"' },
      )
      .optional()
      .describe(
        "Where OpenTofu/Terraform keeps the state: a local file outside the repository (default) or an S3 bucket with " +
          "lock files; credentials only from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)",
      ),
  })
  .describe("A Torrust Tracker deployment: one file per environment");

/** The deployment file as written (defaults optional). */
export type DeploymentInput = z.input<typeof DeploymentSchema>;
/** The deployment file after validation, with every default filled in. */
export type Deployment = z.output<typeof DeploymentSchema>;
