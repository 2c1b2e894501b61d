// A typed #cloud-config builder: additive methods, one pure render(). The document is built as
// an object and serialised with the `yaml` package (YAML 1.1 quoting, the dialect cloud-init's
// PyYAML reads), never concatenated. No timestamps or randomness: hcloud user_data is ForceNew.
import { gzipSync, constants as zlibConstants } from "node:zlib";
import { Document } from "yaml";
import type { RenderedFile } from "./rendered-file";

/**
 * Top-level keys this builder emits. cloud-init 22.4 ignores unknown top-level keys silently, so
 * anything else is refused here. All are long-standing keys validated by 22.4 and still read by
 * the 24.x/25.x cloud-init of Ubuntu 24.04.
 */
export const CLOUD_CONFIG_KEYS = [
  "package_update",
  "package_upgrade",
  "packages",
  "users",
  "ssh_pwauth",
  "disable_root",
  "bootcmd",
  "write_files",
  "runcmd",
  "final_message",
] as const;
export type CloudConfigKey = (typeof CLOUD_CONFIG_KEYS)[number];

/** Keys that `set()` accepts: the scalar settings. Lists have their own add methods. */
export type CloudConfigSetting = "package_update" | "package_upgrade" | "ssh_pwauth" | "disable_root" | "final_message";
const SETTING_KEYS: readonly CloudConfigSetting[] = ["package_update", "package_upgrade", "ssh_pwauth", "disable_root", "final_message"];

/** Files at most this many bytes are always written as plain text (easier to read in user_data). */
export const GZIP_THRESHOLD_BYTES = 1024;

/** Who generated the document, named in the provenance comment on line 2. */
export const DEFAULT_GENERATOR = "torrust-tracker-cdktf constructs/cloud-init";

export interface CloudConfigOptions {
  /** Named in the provenance comment. @default DEFAULT_GENERATOR */
  readonly generator?: string;
  /** `package_update`: refresh the package index before installing packages. @default true */
  readonly packageUpdate?: boolean;
  /** `package_upgrade`: upgrade every package at first boot (slow; unattended-upgrades does it later). @default false */
  readonly packageUpgrade?: boolean;
  /** `ssh_pwauth`: allow SSH password logins. @default false */
  readonly sshPasswordAuthentication?: boolean;
  /** `disable_root`: refuse SSH logins as root. @default true */
  readonly disableRoot?: boolean;
}

export interface AdminUserOptions {
  /** Linux user name. */
  readonly name: string;
  /** OpenSSH public key lines. */
  readonly sshAuthorizedKeys: readonly string[];
  /** Supplementary groups. @default ["sudo"] */
  readonly groups?: readonly string[];
}

export interface AddFileOptions {
  /**
   * Write the file in the final stage, after users and packages exist (`defer: true`), so a package
   * installed by cloud-init cannot replace it. Files a package install needs (apt sources, Docker's
   * daemon.json) must not be deferred.
   * @default false
   */
  readonly defer?: boolean;
}

/** How a file is carried in write_files. */
export type FileEncoding = "text" | "b64" | "gz+b64";

interface FileEntry {
  readonly file: RenderedFile;
  readonly defer: boolean;
}

const PERMISSIONS = /^0[0-7]{3}$/;
// cloud-init's write_files resolves owners by name (chownbyname): numeric ids are not accepted.
const OWNER = /^[a-z_][a-z0-9_-]*:[a-z_][a-z0-9_-]*$/;
/** Terraform interpolates `${…}` and `%{…}` in every string of the configuration, user_data included. */
const TERRAFORM_TEMPLATE = /[$%]\{/;

/**
 * A cloud-init `#cloud-config` document.
 *
 * @example
 * const text = new CloudConfig()
 *   .addPackages("docker.io")
 *   .addAdminUser({ name: "torrust", sshAuthorizedKeys: ["ssh-ed25519 AAAA… me"] })
 *   .addFile({ path: "/opt/app/hello.txt", content: "hi\n" })
 *   .addRunCommand(["systemctl", "restart", "docker"])
 *   .render();
 */
export class CloudConfig {
  private readonly generator: string;
  private readonly settings = new Map<CloudConfigSetting, boolean | string>();
  private readonly packages: string[] = [];
  private readonly users: { name: string; keys: string[]; groups: string[] }[] = [];
  private readonly entries: FileEntry[] = [];
  private readonly runcmd: (string | readonly string[])[] = [];
  private readonly bootcmd: (string | readonly string[])[] = [];

  constructor(options: CloudConfigOptions = {}) {
    this.generator = options.generator ?? DEFAULT_GENERATOR;
    if (/[\r\n]/.test(this.generator)) throw new Error("cloud-config generator name must be one line");
    this.set("package_update", options.packageUpdate ?? true);
    this.set("package_upgrade", options.packageUpgrade ?? false);
    this.set("ssh_pwauth", options.sshPasswordAuthentication ?? false);
    this.set("disable_root", options.disableRoot ?? true);
  }

  /** Sets a scalar top-level setting. Throws for any key outside the allow-list or with its own add method. */
  set(key: CloudConfigSetting, value: boolean | string): this {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      const owned = (CLOUD_CONFIG_KEYS as readonly string[]).includes(key);
      throw new Error(
        owned
          ? `cloud-config key "${key}" is a list: use its add method (addPackages, addAdminUser, addFile, addRunCommand, addBootCommand)`
          : `cloud-config key "${key}" is not allowed: cloud-init 22.4 ignores unknown top-level keys silently; allowed settings: ${SETTING_KEYS.join(", ")}`,
      );
    }
    const expected = key === "final_message" ? "string" : "boolean";
    if (typeof value !== expected) throw new Error(`cloud-config key "${key}" must be a ${expected}, got ${JSON.stringify(value)}`);
    this.settings.set(key, value);
    return this;
  }

  /** Distribution packages to install; duplicates are dropped, first occurrence wins the order. */
  addPackages(...names: readonly string[]): this {
    for (const name of names) {
      if (!/^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+:~-]+)?$/.test(name)) {
        throw new Error(`package name ${JSON.stringify(name)} is not a Debian package name (optionally with =version)`);
      }
      if (!this.packages.includes(name)) this.packages.push(name);
    }
    return this;
  }

  /** A login user with passwordless sudo, bash, a locked password and the given SSH keys. */
  addAdminUser(options: AdminUserOptions): this {
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(options.name)) throw new Error(`admin user name ${JSON.stringify(options.name)} is not a Linux user name`);
    if (this.users.some((u) => u.name === options.name)) throw new Error(`admin user "${options.name}" is added twice`);
    const keys = options.sshAuthorizedKeys.map((k) => k.trim());
    if (keys.length === 0) throw new Error(`admin user "${options.name}" needs at least one SSH public key`);
    for (const key of keys) {
      if (/[\r\n]/.test(key)) throw new Error(`an SSH public key of "${options.name}" spans several lines; give one key per entry`);
    }
    this.users.push({ name: options.name, keys, groups: [...(options.groups ?? ["sudo"])] });
    return this;
  }

  /** A file for write_files. Paths are unique; permissions are a quoted octal string ("0644"). */
  addFile(file: RenderedFile, options: AddFileOptions = {}): this {
    if (!file.path.startsWith("/") || /\s/.test(file.path)) throw new Error(`file path ${JSON.stringify(file.path)} must be absolute, without spaces`);
    if (this.entries.some((e) => e.file.path === file.path)) throw new Error(`file ${file.path} is added twice to the cloud-config`);
    if (file.permissions !== undefined && !PERMISSIONS.test(file.permissions)) {
      throw new Error(`file ${file.path}: permissions ${JSON.stringify(file.permissions)} must be a 4-digit octal string such as "0644"`);
    }
    if (file.owner !== undefined && !OWNER.test(file.owner)) {
      throw new Error(
        `file ${file.path}: owner ${JSON.stringify(file.owner)} must be "user:group" names that exist when the file is written ` +
          "(cloud-init resolves names, not numeric ids); chown numeric owners in a script instead",
      );
    }
    this.entries.push({ file, defer: options.defer ?? false });
    return this;
  }

  /** Several files with the same options. */
  addFiles(files: readonly RenderedFile[], options: AddFileOptions = {}): this {
    for (const file of files) this.addFile(file, options);
    return this;
  }

  /** A command run once, late at first boot (runcmd). An argv array is quoted by cloud-init; a string runs in sh. */
  addRunCommand(command: string | readonly string[]): this {
    this.runcmd.push(checkCommand(command));
    return this;
  }

  /** A command run early at every boot (bootcmd), before write_files: it must not rely on generated files existing. */
  addBootCommand(command: string | readonly string[]): this {
    this.bootcmd.push(checkCommand(command));
    return this;
  }

  /** The files added so far, in order. */
  get files(): readonly RenderedFile[] {
    return this.entries.map((e) => e.file);
  }

  /** The document: `#cloud-config` on line 1, a provenance comment, then YAML. Pure and deterministic. */
  render(): string {
    const doc: Record<string, unknown> = {};
    const put = (key: CloudConfigKey, value: unknown) => {
      if (!(CLOUD_CONFIG_KEYS as readonly string[]).includes(key)) throw new Error(`cloud-config key "${key}" is not in the allow-list`);
      doc[key] = value;
    };
    for (const key of SETTING_KEYS) {
      if (this.settings.has(key)) put(key, this.settings.get(key));
    }
    if (this.packages.length) put("packages", [...this.packages]);
    if (this.users.length) {
      put(
        "users",
        this.users.map((u) => ({
          name: u.name,
          groups: u.groups,
          shell: "/bin/bash",
          sudo: "ALL=(ALL) NOPASSWD:ALL",
          lock_passwd: true,
          ssh_authorized_keys: u.keys,
        })),
      );
    }
    if (this.bootcmd.length) put("bootcmd", this.bootcmd.map((c) => (typeof c === "string" ? c : [...c])));
    if (this.entries.length) put("write_files", this.entries.map(writeFileEntry));
    if (this.runcmd.length) put("runcmd", this.runcmd.map((c) => (typeof c === "string" ? c : [...c])));
    const yaml = new Document(doc, { version: "1.1", aliasDuplicateObjects: false }).toString({ lineWidth: 0, minContentWidth: 0 });
    return `#cloud-config\n# Generated by ${this.generator}. Do not edit: regenerate instead.\n${yaml}`;
  }
}

function checkCommand(command: string | readonly string[]): string | readonly string[] {
  const parts = typeof command === "string" ? [command] : command;
  if (parts.length === 0 || parts[0].trim() === "") throw new Error("a cloud-init command must not be empty");
  return typeof command === "string" ? command : [...command];
}

/**
 * How `content` is carried: plain text when small; gz+b64 above GZIP_THRESHOLD_BYTES when that is
 * shorter. Content containing `${` or `%{` is never carried as text, because Terraform would
 * interpolate it in user_data: it goes as b64 (or gz+b64 when shorter).
 */
export function chooseEncoding(content: string): { encoding: FileEncoding; payload: string } {
  const bytes = Buffer.byteLength(content, "utf8");
  const mustEncode = TERRAFORM_TEMPLATE.test(content);
  if (!mustEncode && bytes <= GZIP_THRESHOLD_BYTES) return { encoding: "text", payload: content };
  const gz = deterministicGzip(content).toString("base64");
  if (!mustEncode) return gz.length < bytes ? { encoding: "gz+b64", payload: gz } : { encoding: "text", payload: content };
  const b64 = Buffer.from(content, "utf8").toString("base64");
  return gz.length < b64.length ? { encoding: "gz+b64", payload: gz } : { encoding: "b64", payload: b64 };
}

/**
 * gzip whose bytes depend only on the input. Node's bundled zlib (Chromium's fork) compresses
 * differently from reference zlib with the default strategy, which would tie user_data (and so
 * the server's life) to the Node build; with Z_FILTERED at level 9 its output equals reference
 * zlib's (checked by a test against python3's zlib). The header is fixed: mtime 0, no name, and
 * OS byte 3 (Unix) whatever platform zlib was built for.
 */
export function deterministicGzip(content: string | Buffer): Buffer {
  const out = gzipSync(typeof content === "string" ? Buffer.from(content, "utf8") : content, {
    level: 9,
    memLevel: 8,
    windowBits: 15,
    strategy: zlibConstants.Z_FILTERED,
  });
  out.writeUInt32LE(0, 4); // MTIME
  out[9] = 3; // OS: Unix
  return out;
}

function writeFileEntry(entry: FileEntry): Record<string, unknown> {
  const { file, defer } = entry;
  const { encoding, payload } = chooseEncoding(file.content);
  const out: Record<string, unknown> = {
    path: file.path,
    owner: file.owner ?? "root:root",
    permissions: file.permissions ?? "0644",
  };
  if (encoding !== "text") out.encoding = encoding;
  if (defer) out.defer = true;
  out.content = payload;
  return out;
}
