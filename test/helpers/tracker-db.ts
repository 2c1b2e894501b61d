// A real tracker database for the backup tests and bench: the tables of the pinned tracker
// (torrust/torrust-tracker v3.0.0), filled by the real sqlite3 / mariadb clients from Debian.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Deployment } from "../../constructs/deployment/schema";
import { renderBackup, type BackupDatabase } from "../../constructs/tracker/render/backup";

/**
 * The SQLite tables as the tracker creates them: torrust/torrust-tracker v3.0.0,
 * src/core/databases/sqlite.rs, `create_database_tables` (facts: names, columns, constraints).
 */
export const TRACKER_V3_SQLITE_TABLES = `
CREATE TABLE IF NOT EXISTS whitelist (id INTEGER PRIMARY KEY AUTOINCREMENT, info_hash TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS keys (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, valid_until INTEGER);
CREATE TABLE IF NOT EXISTS torrents (id INTEGER PRIMARY KEY AUTOINCREMENT, info_hash TEXT NOT NULL UNIQUE, completed INTEGER DEFAULT 0 NOT NULL);
`;

/**
 * The MySQL tables as the tracker creates them: torrust/torrust-tracker v3.0.0,
 * src/core/databases/mysql.rs, `create_database_tables` (key length: AUTH_KEY_LENGTH = 32 in
 * src/shared/bit_torrent/common.rs).
 */
export const TRACKER_V3_MYSQL_TABLES = `
CREATE TABLE IF NOT EXISTS torrents (id integer PRIMARY KEY AUTO_INCREMENT, info_hash VARCHAR(40) NOT NULL UNIQUE, completed INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE IF NOT EXISTS \`keys\` (\`id\` INT NOT NULL AUTO_INCREMENT, \`key\` VARCHAR(32) NOT NULL, \`valid_until\` INT(10), PRIMARY KEY (\`id\`), UNIQUE (\`key\`));
CREATE TABLE IF NOT EXISTS whitelist (id integer PRIMARY KEY AUTO_INCREMENT, info_hash VARCHAR(40) NOT NULL UNIQUE);
`;

export interface Population {
  readonly torrents: number;
  readonly keys: number;
  readonly whitelist?: number;
}

/**
 * SQL that fills the tables with random rows in the tracker's formats: 40 hex info-hashes,
 * 32-character alphanumeric keys (auth.rs), expiry as Unix seconds or NULL (permanent keys).
 * @param series a table expression yielding the integers 1..n as column `i` (SQLite and MariaDB differ)
 */
function populateSql(p: Population, series: (n: number) => string, keyTable: string): string {
  const parts = [
    `INSERT INTO torrents (info_hash, completed) SELECT lower(hex(randomblob(20))), i % 997 FROM ${series(p.torrents)};`,
    `INSERT INTO ${keyTable} (${keyTable === "keys" ? "key" : "`key`"}, valid_until) SELECT hex(randomblob(16)), CASE WHEN i % 3 = 0 THEN NULL ELSE 1700000000 + i END FROM ${series(p.keys)};`,
  ];
  if (p.whitelist) parts.push(`INSERT INTO whitelist (info_hash) SELECT lower(hex(randomblob(20))) FROM ${series(p.whitelist)};`);
  return parts.join("\n");
}

const sqliteSeries = (n: number) => `(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n}) SELECT i FROM c)`;

/** A SQLite database with the v3.0.0 tables and `p` random rows (the real sqlite3). */
export function createSqliteDb(file: string, p: Population): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync("sqlite3", ["-bail", file], { input: TRACKER_V3_SQLITE_TABLES + populateSql(p, sqliteSeries, "keys") });
}

/** What the tracker loads at start (load_persistent_torrents, load_keys, load_whitelist), sorted. */
export function sqliteContents(file: string): { torrents: string; keys: string; whitelist: string } {
  const q = (sql: string) => execFileSync("sqlite3", ["-bail", file, sql], { encoding: "utf8", maxBuffer: 1 << 28 });
  return {
    torrents: q("SELECT info_hash, completed FROM torrents ORDER BY info_hash;"),
    keys: q("SELECT key, valid_until FROM keys ORDER BY key;"),
    whitelist: q("SELECT info_hash FROM whitelist ORDER BY info_hash;"),
  };
}

/** Random rows for MariaDB (a recursive CTE; MariaDB's RAND-based hex). */
export function mysqlPopulateSql(p: Population): string {
  const series = (n: number) => `(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n}) SELECT i FROM c) AS s`;
  return "SET SESSION max_recursive_iterations = 10000000;\n" + populateSql(p, series, "`keys`")
    .replace(/lower\(hex\(randomblob\(20\)\)\)/g, "sha1(concat(rand(), i))")
    .replace(/hex\(randomblob\(16\)\)/g, "substr(md5(concat(rand(), i)), 1, 32)");
}

/** backup.sh and restore.sh rendered for `d` and written into `dir`; returns their paths. */
export function writeBackupScripts(dir: string, d: Deployment, db: BackupDatabase): { backup: string; restore: string } {
  const files = renderBackup(d, db);
  const write = (suffix: string) => {
    const f = files.find((x) => x.path.endsWith(suffix));
    if (!f) throw new Error(`renderBackup gave no ${suffix}`);
    const p = path.join(dir, path.basename(f.path));
    fs.writeFileSync(p, f.content, { mode: 0o700 });
    return p;
  };
  return { backup: write("/backup.sh"), restore: write("/restore.sh") };
}

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a generated script with bash and the given environment overrides. */
export function runScript(script: string, args: readonly string[], env: Record<string, string>): ScriptRun {
  const started = process.hrtime.bigint();
  const r = spawnSync("bash", [script, ...args], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 600_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms };
}
