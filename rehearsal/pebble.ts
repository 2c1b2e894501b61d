// Pebble, the test ACME CA (the pinned 2.10.1 built by scripts/tools.sh, or Debian's 2.4.0; see
// programs.ts): its own HTTPS certificate made per run, a fresh state per start, HTTP-01 and
// TLS-ALPN-01 validation on the real ports 80/443, the issuing root fetched
// from its management API, and ACME orders counted from its log.
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import type { Proc, Processes } from "./proc";
import { runOk, waitFor } from "./proc";
import { versionAtLeast, type Program } from "./programs";

export const PEBBLE_DIRECTORY_URL = "https://127.0.0.1:14000/dir";
const MANAGEMENT = { host: "127.0.0.1", port: 15000 };

/** The CA that signs Pebble's own HTTPS certificate (what ACME clients must trust to talk to it). */
export interface PebbleTls {
  readonly caPem: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** Makes Pebble's HTTPS CA and certificate with openssl (rehearsal.md §2). */
export async function makePebbleTls(dir: string): Promise<PebbleTls> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const p = (f: string) => path.join(dir, f);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await runOk("openssl", ["req", "-x509", ...ec, "-days", "3650", "-subj", "/CN=rehearsal pebble https ca", "-keyout", p("ca.key"), "-out", p("ca.pem")]);
  await runOk("openssl", ["req", ...ec, "-subj", "/CN=localhost", "-keyout", p("key.pem"), "-out", p("req.csr")]);
  fs.writeFileSync(p("ext.cnf"), "subjectAltName=DNS:localhost,DNS:pebble,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  await runOk("openssl", [
    "x509", "-req", "-in", p("req.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
    "-days", "825", "-extfile", p("ext.cnf"), "-out", p("cert.pem"),
  ]);
  return { caPem: fs.readFileSync(p("ca.pem"), "utf8"), caFile: p("ca.pem"), certFile: p("cert.pem"), keyFile: p("key.pem") };
}

export interface PebbleOptions {
  readonly program: Program;
  readonly dir: string;
  readonly tls: PebbleTls;
  /** Certificate lifetime in seconds. @default Pebble's (2.4: 5 years; 2.10: 90 days) */
  readonly validitySeconds?: number;
}

/**
 * The certificate lifetime setting of a Pebble version. Up to 2.6 a top-level
 * certificateValidityPeriod (cmd/pebble/main.go at v2.4.0); from 2.7 on that key is read but unused
 * ("Deprecated: use Profiles.ValidityPeriod instead") and the lifetime is the profile's
 * validityPeriod, the default profile being the one a client that names none gets (cmd/pebble/main.go,
 * ca/ca.go at v2.10.1).
 */
export function validityConfig(version: string, seconds: number): Record<string, unknown> {
  return versionAtLeast(version, "2.7")
    ? { profiles: { default: { description: "rehearsal lifetime", validityPeriod: seconds } } }
    : { certificateValidityPeriod: seconds };
}

/** One Pebble process; every start is a new CA with no accounts and a new issuing root. */
export class Pebble {
  private proc?: Proc;
  private startedAt = 0;
  /** The issuing root of the current start (PEM). */
  root?: string;

  constructor(
    private readonly procs: Processes,
    private readonly options: PebbleOptions,
  ) {}

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === undefined;
  }

  async start(progress?: (m: string) => void): Promise<void> {
    const o = this.options;
    fs.mkdirSync(o.dir, { recursive: true, mode: 0o755 });
    const config = path.join(o.dir, "pebble.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: "127.0.0.1:14000",
          managementListenAddress: `${MANAGEMENT.host}:${MANAGEMENT.port}`,
          certificate: o.tls.certFile,
          privateKey: o.tls.keyFile,
          httpPort: 80,
          tlsPort: 443,
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
          ...(o.validitySeconds ? validityConfig(o.program.version, o.validitySeconds) : {}),
        },
      }),
    );
    this.proc = this.procs.start("pebble", o.program.path, ["-config", config], {
      env: { PATH: "/usr/bin:/bin", PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
    });
    this.startedAt = fs.statSync(this.proc.logFile).size;
    this.root = await waitFor(
      "Pebble's management API",
      async () => {
        if (this.proc?.exitCode !== undefined) throw new Error(`pebble exited (${this.proc?.exitCode}); see ${this.proc?.logFile}`);
        const pem = await this.management("/roots/0").catch(() => undefined);
        return pem && pem.includes("BEGIN CERTIFICATE") ? pem : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, progress },
    );
  }

  async stop(): Promise<void> {
    if (this.proc) await this.procs.stop(this.proc, "SIGTERM", 3000);
    this.proc = undefined;
  }

  private management(pathname: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.get(
        { ...MANAGEMENT, path: pathname, ca: this.options.tls.caPem, servername: "localhost", agent: false, timeout: 2000 },
        (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString("utf8")));
          res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
    });
  }

  /** This start's log (since the last start). */
  log(): string {
    if (!this.proc) return "";
    const text = fs.readFileSync(this.proc.logFile);
    return text.subarray(this.startedAt).toString("utf8");
  }

  /** ACME orders created since this start. */
  orders(): number {
    return (this.log().match(/Added order "/g) ?? []).length;
  }

  /** Serials of the certificates issued since this start, in order. */
  issuedSerials(): string[] {
    return [...this.log().matchAll(/Issued certificate serial ([0-9a-f]+)/g)].map((m) => m[1]);
  }
}
