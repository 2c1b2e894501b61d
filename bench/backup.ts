// Times the generated backup and restore scripts on a tracker database of realistic size
// (default 100,000 torrents, 1,000 keys; the tracker v3.0.0 tables) with Debian's sqlite3 and
// restic against a local repository. Prints numbers; asserts only that the restore is exact.
//   npm run bench:backup [-- --torrents 100000 --keys 1000 --runs 3]
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DeploymentSchema } from "../constructs/deployment/schema";
import { createSqliteDb, runScript, sqliteContents, writeBackupScripts, type ScriptRun } from "../test/helpers/tracker-db";

const { values } = parseArgs({
  options: { torrents: { type: "string", default: "100000" }, keys: { type: "string", default: "1000" }, runs: { type: "string", default: "3" } },
});
const torrents = Number(values.torrents);
const keys = Number(values.keys);
const runs = Number(values.runs);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torrust-bench-backup-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

const d = DeploymentSchema.parse({
  name: "bench",
  domain: "example.com",
  cloudflare: { zoneId: "0123456789abcdef0123456789abcdef" },
  admin: { sshKeys: [{ name: "bench", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmVs+9pPbUihLPBUxQxVoWyo0klTsdBl6118CD0DBMu bench" }] },
  backup: { s3: { repository: "s3:https://fsn1.your-objectstorage.com/bench/torrust" } },
});
const scripts = writeBackupScripts(dir, d, { driver: "sqlite3" });
const db = path.join(dir, "sqlite3.db");
const noop = path.join(dir, "noop.sh");
fs.writeFileSync(noop, "#!/bin/sh\n", { mode: 0o755 });
const credentials = path.join(dir, "backup-s3.env");
fs.writeFileSync(credentials, "RESTIC_PASSWORD=bench-only\n", { mode: 0o600 });

const env = (s3: boolean): Record<string, string> => ({
  TORRUST_SQLITE_DB: db,
  TORRUST_BACKUP_DIR: path.join(dir, "backups"),
  TORRUST_BACKUP_S3_REPOSITORY: s3 ? path.join(dir, "restic-repo") : "",
  TORRUST_BACKUP_S3_ENV: credentials,
  TORRUST_BACKUP_LOCK: path.join(dir, "lock"),
  TORRUST_DB_OWNER: `${process.getuid!()}:${process.getgid!()}`,
  TORRUST_TRACKER_STOP: noop,
  TORRUST_TRACKER_START: noop,
  TMPDIR: dir,
  RESTIC_CACHE_DIR: path.join(dir, "restic-cache"),
});

function timed(label: string, script: string, args: string[], e: Record<string, string>): number[] {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r: ScriptRun = runScript(script, args, e);
    if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}): ${r.stderr}`);
    ms.push(r.ms);
  }
  return ms;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (label: string, ms: number[]) => console.log(`${label.padEnd(44)} median ${(median(ms) / 1000).toFixed(2)} s  (runs: ${ms.map((m) => (m / 1000).toFixed(2)).join(", ")})`);

let t = process.hrtime.bigint();
createSqliteDb(db, { torrents, keys, whitelist: 0 });
console.log(`database: ${torrents} torrents, ${keys} keys, ${(fs.statSync(db).size / 1e6).toFixed(1)} MB (made in ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s)`);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, load ${os.loadavg()[0].toFixed(2)}`);
const original = sqliteContents(db);

// The read transaction writers wait behind (the tracker's rusqlite 0.32 connections wait up to 5 s).
const copy = path.join(dir, "vacuum-into.db");
const vacuum: number[] = [];
for (let i = 0; i < runs; i++) {
  fs.rmSync(copy, { force: true });
  const t0 = process.hrtime.bigint();
  execFileSync("sqlite3", [db, `VACUUM INTO '${copy}';`]);
  vacuum.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
fs.rmSync(copy, { force: true });
row("VACUUM INTO alone (writers wait this long)", vacuum);
row("backup, server disk only", timed("backup", scripts.backup, [], env(false)));
const gz = fs.readdirSync(path.join(dir, "backups")).filter((f) => f.endsWith(".gz"));
console.log(`backup file: ${(fs.statSync(path.join(dir, "backups", gz[0])).size / 1e6).toFixed(1)} MB gzip`);
row("backup, server disk + restic (local repo)", timed("backup+restic", scripts.backup, [], env(true)));
row("restore latest (server disk)", timed("restore", scripts.restore, ["latest"], env(false)));
row("restore s3:latest (restic, local repo)", timed("restore s3", scripts.restore, ["s3:latest"], env(true)));
t = process.hrtime.bigint();
const same = JSON.stringify(sqliteContents(db)) === JSON.stringify(original);
if (!same) throw new Error("the restored database differs from the original");
console.log("restored database: same torrents and keys as the original");
