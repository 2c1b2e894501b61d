// The generated backup and restore scripts, run for real: Debian's sqlite3 on a database with the
// tracker v3.0.0 tables, restic 0.14 against a local repository (the S3 transport is the only part
// not exercised), shellcheck on the scripts and systemd-analyze verify on the units.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  BACKUP_SERVICE_FILE,
  BACKUP_TIMER_FILE,
  S3_CREDENTIALS_FILE,
  backupPackages,
  renderBackup,
} from "../../constructs/tracker/render/backup";
import { tempDir } from "../helpers/tmp";
import { createSqliteDb, runScript, sqliteContents, writeBackupScripts } from "../helpers/tracker-db";
import { deployment } from "./fixtures";

const S3 = { repository: "s3:https://fsn1.your-objectstorage.com/torrust-backups/example" };

/** A sandbox: a database, a backup dir, a local restic repository and stop/start stand-ins that log. */
function sandbox(options: { s3?: boolean; credentials?: boolean } = {}) {
  const dir = tempDir("torrust-backup-");
  const db = path.join(dir, "volume/tracker/lib/database/sqlite3.db");
  createSqliteDb(db, { torrents: 2000, keys: 50, whitelist: 10 });
  const events = path.join(dir, "events.log");
  const stop = path.join(dir, "stop.sh");
  const start = path.join(dir, "start.sh");
  // Stand-ins for `docker compose stop/start tracker` (no Docker here): they record the order.
  fs.writeFileSync(stop, `#!/bin/sh\necho stop >> ${events}\n`, { mode: 0o755 });
  fs.writeFileSync(start, `#!/bin/sh\necho start >> ${events}\n`, { mode: 0o755 });
  const credentials = path.join(dir, "secrets/backup-s3.env");
  if (options.credentials) {
    fs.mkdirSync(path.dirname(credentials));
    fs.writeFileSync(credentials, "RESTIC_PASSWORD=correct-horse-battery-staple\n", { mode: 0o600 });
  }
  const env: Record<string, string> = {
    TORRUST_SQLITE_DB: db,
    TORRUST_BACKUP_DIR: path.join(dir, "backups"),
    TORRUST_BACKUP_S3_REPOSITORY: options.s3 ? path.join(dir, "restic-repo") : "",
    TORRUST_BACKUP_S3_ENV: credentials,
    TORRUST_BACKUP_LOCK: path.join(dir, "lock"),
    TORRUST_DB_OWNER: `${process.getuid!()}:${process.getgid!()}`,
    TORRUST_TRACKER_STOP: stop,
    TORRUST_TRACKER_START: start,
    TMPDIR: dir,
    RESTIC_CACHE_DIR: path.join(dir, "restic-cache"),
  };
  const d = deployment({ backup: options.s3 ? { s3: S3 } : {} } as never);
  const scripts = writeBackupScripts(dir, d, { driver: "sqlite3" });
  return { dir, db, env, events, scripts, backups: env.TORRUST_BACKUP_DIR };
}

const ok = (r: { status: number | null; stdout: string; stderr: string }) =>
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
const listBackups = (dir: string) => fs.readdirSync(dir).filter((f) => /^tracker-.*\.sqlite3\.gz$/.test(f)).sort();

describe("backup and restore scripts (real sqlite3 and restic)", () => {
  it("backs up to the server disk and restores the same torrents and keys, the tracker stopped meanwhile", () => {
    const s = sandbox();
    const original = sqliteContents(s.db);
    ok(runScript(s.scripts.backup, [], s.env));
    assert.equal(listBackups(s.backups).length, 1);

    // Damage the live database after the backup, then restore the newest backup.
    spawnSync("sqlite3", [s.db, "DELETE FROM torrents WHERE id % 2 = 0; DELETE FROM keys;"]);
    assert.notDeepEqual(sqliteContents(s.db), original);
    const r = runScript(s.scripts.restore, ["latest"], s.env);
    ok(r);
    assert.deepEqual(sqliteContents(s.db), original);
    assert.equal(sqliteContents(s.db).torrents.trim().split("\n").length, 2000);
    assert.equal(fs.readFileSync(s.events, "utf8"), "stop\nstart\n");
    // The previous database is kept next to it.
    const kept = fs.readdirSync(path.dirname(s.db)).filter((f) => f.startsWith("sqlite3.db.before-restore-"));
    assert.equal(kept.length, 1);
  });

  it("copies to a restic repository and restores from it (s3:latest)", () => {
    const s = sandbox({ s3: true, credentials: true });
    const original = sqliteContents(s.db);
    const b = runScript(s.scripts.backup, [], s.env);
    ok(b);
    assert.match(b.stdout, /initialising the restic repository/);
    assert.match(b.stdout, /copied to /);
    // The local copy is gone: only the restic repository can bring the data back.
    fs.rmSync(s.backups, { recursive: true });
    spawnSync("sqlite3", [s.db, "DELETE FROM torrents; DELETE FROM keys;"]);
    const list = runScript(s.scripts.restore, ["--list"], s.env);
    ok(list);
    assert.match(list.stdout, /torrust-tracker/);
    ok(runScript(s.scripts.restore, ["s3:latest"], s.env));
    assert.deepEqual(sqliteContents(s.db), original);
  });

  it("says which file and which variables are missing when S3 is configured without credentials, and keeps the local backup", () => {
    const s = sandbox({ s3: true, credentials: false });
    const r = runScript(s.scripts.backup, [], s.env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /S3 credentials missing: .*backup-s3\.env does not exist/);
    assert.match(r.stderr, /AWS_ACCESS_KEY_ID=\.\.\., AWS_SECRET_ACCESS_KEY=\.\.\., RESTIC_PASSWORD=\.\.\./);
    assert.equal(listBackups(s.backups).length, 1);
  });

  it("names a missing variable in the credentials file", () => {
    const s = sandbox({ s3: true, credentials: true });
    fs.writeFileSync(s.env.TORRUST_BACKUP_S3_ENV, "RESTIC_PASSWORD=\n");
    const r = runScript(s.scripts.backup, [], s.env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /RESTIC_PASSWORD is not set in .*backup-s3\.env/);
  });

  it("removes backups older than keepDays and keeps newer ones", () => {
    const s = sandbox();
    fs.mkdirSync(s.backups);
    const old = path.join(s.backups, "tracker-20200101T000000Z.sqlite3.gz");
    const recent = path.join(s.backups, "tracker-20200102T000000Z.sqlite3.gz");
    fs.writeFileSync(old, "");
    fs.writeFileSync(recent, "");
    const now = Date.now() / 1000;
    fs.utimesSync(old, now - 8 * 86400, now - 8 * 86400);
    fs.utimesSync(recent, now - 6 * 86400, now - 6 * 86400);
    const r = runScript(s.scripts.backup, [], { ...s.env, TORRUST_BACKUP_KEEP_DAYS: "7" });
    ok(r);
    assert.match(r.stdout, /removed old .*tracker-20200101T000000Z/);
    assert.equal(fs.existsSync(old), false);
    assert.equal(fs.existsSync(recent), true);
  });

  it("makes a sound copy while another process keeps writing to the database", async () => {
    const s = sandbox();
    // A writer like the tracker's (completed counters), as a separate sqlite3 process.
    const writer = spawn(
      "bash",
      ["-c", `while :; do sqlite3 "$0" ".timeout 5000" "UPDATE torrents SET completed = completed + 1 WHERE id = abs(random()) % 2000 + 1;" || exit 1; done`, s.db],
      { stdio: "ignore" },
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 3; i++) ok(runScript(s.scripts.backup, [], s.env));
      assert.equal(writer.exitCode, null, "the writer kept running (never locked out)");
    } finally {
      writer.kill("SIGTERM");
    }
    const restored = tempDir("torrust-backup-check-");
    const newest = listBackups(s.backups).at(-1)!;
    const copy = path.join(restored, "copy.db");
    fs.writeFileSync(copy, spawnSync("gunzip", ["-c", path.join(s.backups, newest)]).stdout);
    assert.equal(spawnSync("sqlite3", [copy, "PRAGMA integrity_check;"], { encoding: "utf8" }).stdout.trim(), "ok");
  });

  it("refuses to restore a file that is not a tracker database, leaving the tracker running", () => {
    const s = sandbox();
    const bogus = path.join(s.dir, "bogus.sqlite3.gz");
    fs.writeFileSync(bogus, spawnSync("gzip", ["-c"], { input: "not a database" }).stdout);
    const r = runScript(s.scripts.restore, [bogus], s.env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not a sound SQLite database/);
    assert.equal(fs.existsSync(s.events), false, "the tracker was never stopped");
  });
});

describe("backup files in the cloud-config", () => {
  it("pass shellcheck", { skip: spawnSync("shellcheck", ["--version"]).error ? "shellcheck is not installed (scripts/install-test-deps.sh)" : false }, () => {
    const dir = tempDir("torrust-backup-sc-");
    for (const driver of ["sqlite3", "mysql"] as const) {
      const s = writeBackupScripts(dir, deployment({ backup: { s3: S3 } } as never), { driver, exec: "docker exec -i mysql" });
      const r = spawnSync("shellcheck", [s.backup, s.restore], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stdout);
    }
  });

  it("have units that systemd-analyze verify accepts, and a bad schedule is caught", () => {
    const verify = (schedule: string) => {
      const root = tempDir("torrust-backup-units-");
      // The host's unit directory gives verify the targets the units name (sysinit.target, ...).
      fs.cpSync("/lib/systemd/system", path.join(root, "usr/lib/systemd/system"), { recursive: true, dereference: false });
      for (const f of renderBackup(deployment({ backup: { schedule } } as never), { driver: "sqlite3" })) {
        fs.mkdirSync(path.join(root, path.dirname(f.path)), { recursive: true });
        fs.writeFileSync(path.join(root, f.path), f.content, { mode: Number.parseInt(f.permissions ?? "0644", 8) });
      }
      return spawnSync("systemd-analyze", ["verify", `--root=${root}`, path.basename(BACKUP_SERVICE_FILE), path.basename(BACKUP_TIMER_FILE)], {
        encoding: "utf8",
      });
    };
    const good = verify("*-*-* 02:15:00");
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stderr, "");
    const bad = verify("Mon..Fri 25:00");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /Failed to parse calendar specification/);
  });

  it("install sqlite3 (and restic only with S3), and nothing when backups are off", () => {
    assert.deepEqual(backupPackages(deployment(), { driver: "sqlite3" }), ["sqlite3"]);
    assert.deepEqual(backupPackages(deployment({ backup: { s3: S3 } } as never), { driver: "sqlite3" }), ["sqlite3", "restic"]);
    assert.deepEqual(backupPackages(deployment({ backup: { s3: S3 } } as never), { driver: "mysql" }), ["restic"]);
    assert.deepEqual(backupPackages(deployment({ backup: { enabled: false } } as never), { driver: "sqlite3" }), []);
    assert.deepEqual(renderBackup(deployment({ backup: { enabled: false } } as never), { driver: "sqlite3" }), []);
  });

  it("hold no credentials: only the path where the operator puts them", () => {
    const text = renderBackup(deployment({ backup: { s3: S3 } } as never), { driver: "sqlite3" })
      .map((f) => f.content)
      .join("\n");
    assert.ok(text.includes(S3_CREDENTIALS_FILE));
    assert.ok(text.includes(S3.repository));
    assert.doesNotMatch(text, /AWS_SECRET_ACCESS_KEY=[^.]/);
  });
});
