// The database choice: SQLite by default, MariaDB in the compose project with the mysql driver.
// Real programs: database-setup.sh with bash and python3, Debian's MariaDB 10.11 server (on a
// private socket in a temp dir, stopped by PID) for the DSN's password and for the dump/restore.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import {
  DATABASE_PATH_OVERRIDE,
  DATABASE_SECRET_FILES,
  MYSQL_DATA,
  MYSQL_DATABASE,
  MYSQL_SERVICE,
  MYSQL_USER,
  databaseSetupScript,
} from "../../constructs/tracker/render/database";
import { composeProject } from "../../constructs/tracker/render/compose";
import { renderTrackerToml } from "../../constructs/tracker/render/tracker-toml";
import { TRACKER_SERVICE } from "../../constructs/tracker/render/prometheus";
import { renderUserData } from "../../constructs/tracker/user-data";
import { haveMariadb, startMariaDb, type MariaDb } from "../helpers/mariadb";
import { tempDir } from "../helpers/tmp";
import { TRACKER_V3_MYSQL_TABLES, mysqlPopulateSql, runScript, writeBackupScripts } from "../helpers/tracker-db";
import { deployment, edge, fixtureProxy, VOLUME_TOKEN } from "./fixtures";

const mysqlDeployment = () => deployment({ database: { driver: "mysql" } } as never);
/** Characters that broke the deployer's DSN (deployer #410), and more. */
const NASTY_PASSWORD = "p@ss/w:rd#%?&=+ [x]ü!";

describe("database choice in the generated files", () => {
  it("keeps SQLite by default: no mysql service, the driver override sqlite3", () => {
    const d = deployment();
    const project = composeProject(d, edge(d), fixtureProxy(edge(d)));
    assert.equal(project.services[MYSQL_SERVICE], undefined);
    assert.equal(project.services[TRACKER_SERVICE].environment?.TORRUST_TRACKER_CONFIG_OVERRIDE_CORE__DATABASE__DRIVER, "sqlite3");
    assert.match(renderTrackerToml(d).content, /\[core\.database\]\ndriver = "sqlite3"\npath = "\/var\/lib\/torrust\/tracker\/database\/sqlite3\.db"/);
  });

  it("adds MariaDB: pinned, never published, data on the volume, password from the server, tracker waits for it", () => {
    const d = mysqlDeployment();
    const project = composeProject(d, edge(d), fixtureProxy(edge(d)));
    const mysql = project.services[MYSQL_SERVICE];
    assert.equal(mysql.image, "mariadb:10.11.18");
    assert.equal(mysql.ports, undefined, "never published");
    assert.equal(mysql.network_mode, undefined, "on the compose network only");
    assert.deepEqual(mysql.volumes, [`${MYSQL_DATA}:/var/lib/mysql`]);
    assert.deepEqual(mysql.env_file, [DATABASE_SECRET_FILES.mysqlEnv]);
    assert.doesNotMatch(JSON.stringify(mysql.environment), /PASSWORD/);
    const tracker = project.services[TRACKER_SERVICE];
    assert.equal(tracker.environment?.TORRUST_TRACKER_CONFIG_OVERRIDE_CORE__DATABASE__DRIVER, "mysql");
    assert.ok(tracker.env_file?.includes(DATABASE_SECRET_FILES.trackerEnv));
    assert.deepEqual(tracker.depends_on?.[MYSQL_SERVICE], { condition: "service_healthy" });
    // tracker.toml names the driver; the password only ever comes from the environment.
    const toml = renderTrackerToml(d).content;
    assert.match(toml, /\[core\.database\]\ndriver = "mysql"\npath = "mysql:\/\/torrust@mysql:3306\/torrust_tracker"/);
  });

  it("puts the setup script and the dump-based backup in user_data, and no password", () => {
    const d = mysqlDeployment();
    const ctx = edge(d);
    const ud = renderUserData({ deployment: d, edge: ctx, proxy: fixtureProxy(ctx), volumeDevice: VOLUME_TOKEN });
    const paths = ud.files.map((f) => f.path);
    assert.ok(paths.includes("/opt/torrust/bin/database-setup.sh"));
    const backup = ud.files.find((f) => f.path.endsWith("/backup.sh"))!.content;
    assert.match(backup, /driver=\$\{TORRUST_DB_DRIVER:-mysql\}/);
    assert.match(backup, /db_exec=\$\{TORRUST_DB_EXEC-docker exec -i mysql\}/);
    const doc = parse(ud.text, { version: "1.1" }) as { packages: string[] };
    assert.ok(!doc.packages.includes("sqlite3"), "no sqlite3 client needed for MySQL backups");
    assert.doesNotMatch(ud.text, /MARIADB_PASSWORD=|MARIADB_ROOT_PASSWORD=[^']/);
  });
});

/** Runs database-setup.sh against temp dirs; returns the env files it wrote. */
function runSetup(secrets: string, data: string) {
  const dir = tempDir("torrust-dbsetup-");
  const script = path.join(dir, "database-setup.sh");
  fs.writeFileSync(script, databaseSetupScript().content, { mode: 0o755 });
  const r = runScript(script, [], { TORRUST_SECRETS: secrets, TORRUST_MYSQL_DATA: data });
  return r;
}

/** KEY='value' lines of an env file written by the setup script. */
function envFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, "utf8").trimEnd().split("\n")) {
    const m = /^([A-Z_]+)='([^'\n]*)'$/.exec(line);
    assert.ok(m, `${file}: ${line} is KEY='value'`);
    out[m[1]] = m[2];
  }
  return out;
}

/**
 * The DSN as the tracker reads it: the `url` crate (WHATWG URL Standard) splits it, the mysql crate
 * percent-decodes user and password. Node's WHATWG URL parser stands in for the url crate (same
 * standard; no Rust toolchain here).
 */
function parseDsnLikeTheTracker(dsn: string) {
  const u = new URL(dsn);
  return {
    scheme: u.protocol,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    host: u.hostname,
    port: u.port,
    database: u.pathname.slice(1),
  };
}

describe("database-setup.sh (bash, python3)", () => {
  it("passes shellcheck", { skip: spawnSync("shellcheck", ["--version"]).error ? "shellcheck is not installed (scripts/install-test-deps.sh)" : false }, () => {
    const file = path.join(tempDir("torrust-dbsetup-sc-"), "database-setup.sh");
    fs.writeFileSync(file, databaseSetupScript().content);
    const r = spawnSync("shellcheck", [file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout);
  });

  it("generates the passwords once (0600, root) and writes the env files; a re-run keeps them", () => {
    const secrets = tempDir("torrust-secrets-");
    const data = path.join(tempDir("torrust-data-"), "mysql");
    const r = runSetup(secrets, data);
    assert.equal(r.status, 0, r.stderr);
    const pw = fs.readFileSync(path.join(secrets, "mysql-password"), "utf8");
    assert.match(pw, /^[0-9a-f]{48}$/);
    for (const f of ["mysql-password", "mysql-root-password", "mysql.env", "tracker-database.env"]) {
      assert.equal(fs.statSync(path.join(secrets, f)).mode & 0o777, 0o600, f);
    }
    assert.equal(fs.statSync(data).uid, 999);
    const env = envFile(path.join(secrets, "mysql.env"));
    assert.equal(env.MARIADB_PASSWORD, pw);
    assert.notEqual(env.MARIADB_ROOT_PASSWORD, pw);
    const again = runSetup(secrets, data);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(fs.readFileSync(path.join(secrets, "mysql-password"), "utf8"), pw, "kept on re-run");
    assert.equal(parseDsnLikeTheTracker(envFile(path.join(secrets, "tracker-database.env"))[DATABASE_PATH_OVERRIDE]).password, pw);
  });

  it("percent-encodes a password with @ / : # % ? so the tracker's parser gets it back whole", () => {
    const secrets = tempDir("torrust-secrets-");
    fs.writeFileSync(path.join(secrets, "mysql-password"), NASTY_PASSWORD);
    const r = runSetup(secrets, path.join(tempDir("torrust-data-"), "mysql"));
    assert.equal(r.status, 0, r.stderr);
    const dsn = envFile(path.join(secrets, "tracker-database.env"))[DATABASE_PATH_OVERRIDE];
    assert.deepEqual(parseDsnLikeTheTracker(dsn), {
      scheme: "mysql:",
      user: MYSQL_USER,
      password: NASTY_PASSWORD,
      host: MYSQL_SERVICE,
      port: "3306",
      database: MYSQL_DATABASE,
    });
    // The deployer's bug, for contrast: the same password unencoded does not survive.
    assert.throws(() => {
      const naive = parseDsnLikeTheTracker(`mysql://${MYSQL_USER}:${NASTY_PASSWORD}@${MYSQL_SERVICE}:3306/${MYSQL_DATABASE}`);
      assert.equal(naive.password, NASTY_PASSWORD);
    });
  });

  it("refuses a password that compose's env file cannot carry", () => {
    const secrets = tempDir("torrust-secrets-");
    for (const bad of ["it's", "ends\\", "two\nlines"]) {
      fs.writeFileSync(path.join(secrets, "mysql-password"), bad);
      const r = runSetup(secrets, path.join(tempDir("torrust-data-"), "mysql"));
      assert.equal(r.status, 1, JSON.stringify(bad));
      assert.match(r.stderr, /contains ', \\ or a newline/);
    }
  });
});

describe("MariaDB (Debian's mariadbd on a private socket)", { skip: haveMariadb() ? false : "mariadb-server is not installed (scripts/install-test-deps.sh)" }, () => {
  let db: MariaDb | undefined;
  let dir = "";
  let clientEnv: Record<string, string> = {};
  const sql = (statements: string, user?: string, password?: string) => db!.sql(statements, { user, password, database: MYSQL_DATABASE });

  before(async () => {
    dir = tempDir("torrust-mariadb-");
    db = await startMariaDb(dir);
    clientEnv = db.clientEnv;
    const setup = db.sql(
      `CREATE DATABASE ${MYSQL_DATABASE}; CREATE USER '${MYSQL_USER}'@'localhost' IDENTIFIED BY '${NASTY_PASSWORD.replace(/'/g, "''")}'; GRANT ALL ON ${MYSQL_DATABASE}.* TO '${MYSQL_USER}'@'localhost';`,
    );
    assert.equal(setup.status, 0, setup.stderr);
  });

  after(async () => {
    await db?.stop();
  });

  it("accepts the password the tracker decodes from the generated DSN", () => {
    const secrets = tempDir("torrust-secrets-");
    fs.writeFileSync(path.join(secrets, "mysql-password"), NASTY_PASSWORD);
    assert.equal(runSetup(secrets, path.join(dir, "unused-data")).status, 0);
    const parsed = parseDsnLikeTheTracker(envFile(path.join(secrets, "tracker-database.env"))[DATABASE_PATH_OVERRIDE]);
    const r = sql("SELECT CURRENT_USER();", parsed.user, parsed.password);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${MYSQL_USER}@localhost`);
    assert.notEqual(sql("SELECT 1;", parsed.user, "wrong").status, 0, "a wrong password is refused");
  });

  it("backs up with mariadb-dump --single-transaction and restores the same torrents and keys", () => {
    const tables = sql(TRACKER_V3_MYSQL_TABLES + mysqlPopulateSql({ torrents: 2000, keys: 50, whitelist: 5 }));
    assert.equal(tables.status, 0, tables.stderr);
    const contents = () => ({
      torrents: sql("SELECT info_hash, completed FROM torrents ORDER BY info_hash;").stdout,
      keys: sql("SELECT `key`, valid_until FROM `keys` ORDER BY `key`;").stdout,
      whitelist: sql("SELECT info_hash FROM whitelist ORDER BY info_hash;").stdout,
    });
    const original = contents();
    assert.equal(original.torrents.trim().split("\n").length, 2000);

    const work = tempDir("torrust-mysql-backup-");
    const scripts = writeBackupScripts(work, mysqlDeployment(), { driver: "mysql", exec: "docker exec -i mysql" });
    const events = path.join(work, "events.log");
    fs.writeFileSync(path.join(work, "stop.sh"), `#!/bin/sh\necho stop >> ${events}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(work, "start.sh"), `#!/bin/sh\necho start >> ${events}\n`, { mode: 0o755 });
    const env = {
      ...clientEnv,
      // Empty prefix: the client runs here instead of in the container, with the container's variables.
      TORRUST_DB_EXEC: "",
      MARIADB_USER: MYSQL_USER,
      MARIADB_PASSWORD: NASTY_PASSWORD,
      MARIADB_DATABASE: MYSQL_DATABASE,
      TORRUST_BACKUP_DIR: path.join(work, "backups"),
      TORRUST_BACKUP_LOCK: path.join(work, "lock"),
      TORRUST_TRACKER_STOP: path.join(work, "stop.sh"),
      TORRUST_TRACKER_START: path.join(work, "start.sh"),
      TMPDIR: work,
    };
    const b = runScript(scripts.backup, [], env);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /wrote .*tracker-\d{8}T\d{6}Z\.sql\.gz/);

    assert.equal(sql("DELETE FROM torrents WHERE id % 2 = 0; DELETE FROM `keys`;").status, 0);
    assert.notDeepEqual(contents(), original);
    const r = runScript(scripts.restore, ["latest"], env);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(contents(), original);
    assert.equal(fs.readFileSync(events, "utf8"), "stop\nstart\n");
    assert.equal(fs.readdirSync(env.TORRUST_BACKUP_DIR).filter((f) => f.startsWith("before-restore-")).length, 1);
  });
});
