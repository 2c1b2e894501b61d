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

const label = z
  .string()
  .regex(DNS_LABEL, { error: "must be one DNS label: lowercase letters, digits and inner hyphens, 1–63 characters" });

const port = z
  .number({ error: "must be a port number (integer 1–65535)" })
  .int({ error: "must be a whole number" })
  .min(1, { error: "must be 1–65535" })
  .max(65535, { error: "must be 1–65535" });

const pinnedImage = z.string().superRefine((v, ctx) => {
  const p = imageProblem(v);
  if (p) ctx.addIssue({ code: "custom", message: p });
});

const cidr = z.string().superRefine((v, ctx) => {
  const p = cidrProblem(v);
  if (p) ctx.addIssue({ code: "custom", message: p });
});

const sshPublicKey = z.string().superRefine((v, ctx) => {
  const p = sshPublicKeyProblem(v);
  if (p) ctx.addIssue({ code: "custom", message: p });
});

const domain = z.string().superRefine((v, ctx) => {
  const p = domainProblem(v);
  if (p) ctx.addIssue({ code: "custom", message: p });
});

/** Labels TrackerDeployment sets itself on every resource; a file may not override them. */
export const RESERVED_LABEL_KEYS = ["managed-by", "deployment"] as const;
// The label rules are the hcloud module's (constructs/hcloud/labels.ts), as the constructs check them.
const hetznerLabelValue = z.string().regex(LABEL_VALUE, { error: `label values are ${LABEL_VALUE_RULE}` });
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
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, {
        error: "must be 2–40 characters: lowercase letters, digits and hyphens, starting with a letter",
      })
      .describe("Deployment name: the cdktf stack name and the prefix of every Hetzner resource name"),
    domain: domain.describe("Domain the subdomains live under; must be in the Cloudflare zone"),
    cloudflare: z
      .strictObject({
        zoneId: z
          .string()
          .regex(/^[0-9a-f]{32}$/, { error: "must be the 32-character hex zone id from the Cloudflare dashboard" })
          .describe("Cloudflare zone id of the domain"),
        ttlSeconds: z
          .union([z.literal(1), z.number().int().min(60).max(86400)], {
            error: "must be 1 (automatic) or a whole number of seconds from 60 to 86400",
          })
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
        volumeSizeGb: z
          .number()
          .int()
          .min(10, { error: "must be at least 10 (Hetzner's smallest volume)" })
          .max(10240, { error: "must be at most 10240" })
          .default(50)
          .describe("Size of the data volume mounted at /opt/torrust/storage"),
        labels: z.record(hetznerLabelKey, hetznerLabelValue).default({}).describe("Extra labels on every Hetzner resource"),
      })
      .prefault({})
      .describe("Hetzner Cloud server settings"),
    admin: z
      .strictObject({
        username: z
          .string()
          .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "must be a Linux user name: lowercase, starting with a letter or _" })
          .refine((u) => !["root", "ubuntu", "daemon", "bin", "sys", "nobody", "www-data"].includes(u), {
            error: "is a reserved system account; pick another name",
          })
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
        email: z.email({ error: "must be an email address" }).optional().describe("ACME account contact (not supported by Pingoo)"),
        staging: z.boolean().default(false).describe("Use Let's Encrypt staging (untrusted certificates, high limits)"),
        directoryUrl: z
          .string()
          .superRefine((v, ctx) => {
            const p = acmeDirectoryProblem(v);
            if (p) ctx.addIssue({ code: "custom", message: p });
          })
          .optional()
          .describe("Other ACME directory (a test CA such as Pebble); overrides staging"),
        caRootFile: z
          .string()
          .min(1)
          .max(4096)
          .optional()
          .describe("PEM file (relative to this file) of the CA that signed the ACME server's HTTPS certificate"),
        caaIdentity: z
          .string()
          .regex(CAA_DOMAIN, { error: "must be the CA's CAA issuer domain, e.g. letsencrypt.org" })
          .optional()
          .describe("CAA issuer domain of the CA behind acme.directoryUrl (needed with cloudflare.caa when the CA is not Let's Encrypt)"),
        caaIodef: z
          .string()
          .regex(/^(mailto:[^\s@{}$"'`\\]+@[a-z0-9.-]+|https:\/\/[a-z0-9.-]+(?:\/[A-Za-z0-9._~\/-]*)?)$/, {
            error: "must be a mailto: address or an https:// URL (RFC 8659 iodef)",
          })
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
        scrapeIntervalSeconds: z.number().int().min(5).max(300).default(15),
        retentionDays: z.number().int().min(1).max(3650).default(30),
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
        schedule: z
          .string()
          .regex(/^[0-9A-Za-z*:,./~ -]{1,80}$/, {
            error: "must be a systemd OnCalendar expression such as \"*-*-* 02:15:00\" or \"hourly\" (letters, digits, space and * : , . / ~ -)",
          })
          .default("*-*-* 02:15:00")
          .describe("systemd OnCalendar expression (server clock, UTC); a random delay of up to 10 minutes is added"),
        keepDays: z.number().int().min(1).max(3650).default(7).describe("Days backups are kept, on the server disk and in S3"),
        s3: z
          .strictObject({
            repository: z
              .string()
              .regex(/^s3:https:\/\/[A-Za-z0-9.-]+(?::[0-9]+)?\/[A-Za-z0-9._~\/-]+$/, {
                error: "must be a restic S3 repository such as s3:https://fsn1.your-objectstorage.com/my-bucket/torrust",
              })
              .describe("restic repository URL (no credentials: they go on the server, see README Backups)"),
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
        message: z.string().min(1).max(200).default("Hello, world! This is a Torrust Tracker deployment."),
      })
      .optional()
      .describe("Optional static hello-world site (the evaluation's first check)"),
    backend: z
      .discriminatedUnion(
        "kind",
        [
          z.strictObject({
            kind: z.literal("local"),
            path: z
              .string()
              .regex(/^(~\/|\/)./, { error: "must be an absolute path or start with ~/ (state never belongs in the repository)" })
              .optional()
              .describe("State file; default $XDG_STATE_HOME (~/.local/state)/torrust-tracker-cdktf/<name>.tfstate"),
          }),
          z.strictObject({
            kind: z.literal("s3"),
            bucket: z
              .string()
              .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name: 3–63 lowercase letters, digits, '.' and '-'" })
              .describe("Bucket holding the state (create it first, versioning on)"),
            key: z.string().min(1).optional().describe("Object key; default torrust-tracker-cdktf/<name>.tfstate"),
            region: z.string().min(1).describe("Region, e.g. fsn1 for Hetzner Object Storage in Falkenstein, eu-central-1 on AWS"),
            endpoint: z
              .string()
              .regex(/^https:\/\/[^/\s]+\/?$/, { error: "must be an https:// URL of the S3 API, e.g. https://fsn1.your-objectstorage.com" })
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
