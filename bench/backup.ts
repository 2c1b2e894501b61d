// Times the generated backup and restore scripts on a tracker database of realistic size
// (default 100,000 torrents, 1,000 keys; the tracker v3.0.0 tables) with Debian's sqlite3 and
// restic against a local repository, then with Debian's MariaDB (mariadb-dump). Prints numbers;
// asserts only that each restore is exact.
//   npm run bench:backup [-- --torrents 100000 --keys 1000 --runs 3]
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DeploymentSchema } from "../constructs/deployment/schema";
import { haveMariadb, startMariaDb } from "../test/helpers/mariadb";
import { TRACKER_V3_MYSQL_TABLES, createSqliteDb, mysqlPopulateSql, runScript, sqliteContents, writeBackupScripts, type ScriptRun } from "../test/helpers/tracker-db";

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

// MariaDB: the same rows, dumped with mariadb-dump --single-transaction and restored.
async function mysqlBench(): Promise<void> {
  if (!haveMariadb()) {
    console.log("MariaDB: not measured (mariadb-server is not installed: scripts/install-test-deps.sh)");
    return;
  }
  const mdir = path.join(dir, "mariadb");
  fs.mkdirSync(mdir);
  const m = await startMariaDb(mdir);
  try {
    const db = "torrust_tracker";
    const ok = (r: { status: number | null; stderr: string }, what: string) => {
      if (r.status !== 0) throw new Error(`${what}: ${r.stderr}`);
    };
    ok(m.sql(`CREATE DATABASE ${db}; CREATE USER 'torrust'@'localhost' IDENTIFIED BY 'bench'; GRANT ALL ON ${db}.* TO 'torrust'@'localhost';`), "setup");
    ok(m.sql(TRACKER_V3_MYSQL_TABLES + mysqlPopulateSql({ torrents, keys }), { database: db }), "populate");
    const contents = () => m.sql("SELECT info_hash, completed FROM torrents ORDER BY info_hash; SELECT `key`, valid_until FROM `keys` ORDER BY `key`;", { database: db }).stdout;
    const before = contents();
    const mscripts = writeBackupScripts(path.join(mdir), d, { driver: "mysql", exec: "" });
    const menv = { ...env(false), ...m.clientEnv, TORRUST_DB_EXEC: "", MARIADB_USER: "torrust", MARIADB_PASSWORD: "bench", MARIADB_DATABASE: db, TORRUST_BACKUP_DIR: path.join(mdir, "backups") };
    console.log(`MariaDB ${m.sql("SELECT version();").stdout.trim()}: ${torrents} torrents, ${keys} keys`);
    row("backup (mariadb-dump --single-transaction)", timed("mysql backup", mscripts.backup, [], menv));
    row("restore latest (dump into MariaDB)", timed("mysql restore", mscripts.restore, ["latest"], menv));
    if (contents() !== before) throw new Error("the restored MariaDB database differs from the original");
    console.log("restored MariaDB database: same torrents and keys as the original");
  } finally {
    await m.stop();
  }
}
void mysqlBench().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
