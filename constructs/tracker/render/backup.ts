// Backups of the tracker database: backup.sh (a consistent copy onto the server disk, then
// optionally restic to S3), restore.sh, and a systemd service + timer. Hetzner's backups cover the
// server disk but not volumes, so the copy goes to the server disk (docs/decisions/0014).
import type { RenderedFile } from "../../cloud-init/rendered-file";
import type { Deployment } from "../../deployment/schema";
import { BIN, COMPOSE_FILE, SECRETS, STORAGE } from "../layout";
import { q } from "./bootstrap";
import { CONTAINER_UIDS, GENERATOR, TRACKER_STATE } from "./paths";
import { TRACKER_SERVICE } from "./prometheus";

/** Backups on the server disk (not the volume): covered by Hetzner's server backups when they are on. */
export const BACKUP_DIR = "/var/backups/torrust";
export const BACKUP_SCRIPT = `${BIN}/backup.sh`;
export const RESTORE_SCRIPT = `${BIN}/restore.sh`;
/** The tracker's SQLite database as the host sees it (the container's /var/lib/torrust/tracker/database/sqlite3.db). */
export const SQLITE_DB = `${TRACKER_STATE}/lib/database/sqlite3.db`;
/**
 * restic credentials, written by the operator after boot (never in user_data or state). On the
 * volume, in the root-only secrets dir, so they survive a server replacement.
 */
export const S3_CREDENTIALS_FILE = `${SECRETS}/backup-s3.env`;
export const BACKUP_UNIT = "torrust-backup";
export const BACKUP_SERVICE_FILE = `/etc/systemd/system/${BACKUP_UNIT}.service`;
export const BACKUP_TIMER_FILE = `/etc/systemd/system/${BACKUP_UNIT}.timer`;
/** Random delay added to the schedule, so many servers do not hit one object storage at once. */
export const BACKUP_RANDOM_DELAY = "10min";
/** Variables S3_CREDENTIALS_FILE must set (restic reads them from the environment). */
export const S3_CREDENTIAL_VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "RESTIC_PASSWORD"] as const;

/** Database drivers of the pinned tracker (v3.0.0 src/core/databases/driver.rs). */
export type DatabaseDriver = "sqlite3" | "mysql";

/** How the scripts reach the database. */
export interface BackupDatabase {
  readonly driver: DatabaseDriver;
  /**
   * MySQL only: the command prefix that runs a command inside the database container, whose
   * environment holds MARIADB_USER, MARIADB_PASSWORD and MARIADB_DATABASE.
   */
  readonly exec?: string;
}

/** The Debian/Ubuntu packages the scripts need. */
export function backupPackages(d: Deployment, db: BackupDatabase): string[] {
  if (!d.backup.enabled) return [];
  return [...(db.driver === "sqlite3" ? ["sqlite3"] : []), ...(d.backup.s3 ? ["restic"] : [])];
}

/** The settings both scripts share; each can be overridden by the environment (tests, one-off runs). */
function settings(d: Deployment, db: BackupDatabase): string[] {
  const t = CONTAINER_UIDS.tracker;
  return [
    `driver=\${TORRUST_DB_DRIVER:-${db.driver}}`,
    `db=\${TORRUST_SQLITE_DB:-${q(SQLITE_DB)}}`,
    `db_owner=\${TORRUST_DB_OWNER:-${t}:${t}}`,
    `db_exec=\${TORRUST_DB_EXEC-${db.exec ?? ""}}`,
    `dir=\${TORRUST_BACKUP_DIR:-${q(BACKUP_DIR)}}`,
    `keep_days=\${TORRUST_BACKUP_KEEP_DAYS:-${d.backup.keepDays}}`,
    `s3_repository=\${TORRUST_BACKUP_S3_REPOSITORY-${d.backup.s3?.repository ?? ""}}`,
    `s3_env=\${TORRUST_BACKUP_S3_ENV:-${q(S3_CREDENTIALS_FILE)}}`,
    `restic_host=\${TORRUST_BACKUP_HOST:-${d.name}}`,
    `tracker_stop=\${TORRUST_TRACKER_STOP:-docker compose -f ${COMPOSE_FILE} stop ${TRACKER_SERVICE}}`,
    // restart, not start: services sharing the tracker's network namespace must re-join it.
    `tracker_start=\${TORRUST_TRACKER_START:-docker compose -f ${COMPOSE_FILE} restart}`,
    'lock=${TORRUST_BACKUP_LOCK:-/run/torrust-backup.lock}',
  ];
}

/** Shell functions both scripts share. */
const COMMON = [
  "# Backups in name (= time) order, oldest first.",
  'backups() { local f; for f in "$dir"/tracker-*."$1".gz; do [ -e "$f" ] && echo "$f"; done; return 0; }',
  "# One backup or restore at a time.",
  'exec 9>"$lock"',
  'flock -n 9 || die "another backup or restore is running (lock $lock)"',
  "# MySQL: the client runs where the credentials are (inside the database container).",
  "in_db() { # shellcheck disable=SC2086 # db_exec is a command prefix, split on purpose",
  '  $db_exec sh -c "MYSQL_PWD=\\"\\$MARIADB_PASSWORD\\" exec $1 -u \\"\\$MARIADB_USER\\" \\"\\$MARIADB_DATABASE\\""',
  "}",
  "# restic, with the operator's credentials from the secrets dir (S3 only).",
  "load_s3_credentials() {",
  '  [ -n "$s3_repository" ] || die "no S3 repository is configured (backup.s3.repository in the deployment file)"',
  '  if [ ! -r "$s3_env" ]; then',
  '    die "S3 credentials missing: $s3_env does not exist. Create it (root, mode 0600) with ' +
    S3_CREDENTIAL_VARIABLES.map((v) => `${v}=...`).join(", ") +
    ' (see README, Backups): sudo install -m 0600 /dev/stdin $s3_env"',
  "  fi",
  "  set -a",
  '  # shellcheck disable=SC1090 # written by the operator',
  '  . "$s3_env"',
  "  set +a",
  '  case "$s3_repository" in',
  `    s3:*) need="${S3_CREDENTIAL_VARIABLES.join(" ")}" ;;`,
  "    *) need=RESTIC_PASSWORD ;;",
  "  esac",
  "  for v in $need; do",
  '    [ -n "${!v:-}" ] || die "$v is not set in $s3_env (needed: $need)"',
  "  done",
  '  export RESTIC_REPOSITORY="$s3_repository"',
  "}",
];

const USAGE = "latest | FILE | s3:latest | s3:SNAPSHOT_ID | --list";

/**
 * backup.sh: `backup` (the default: consistent copy, integrity check, gzip onto the server disk,
 * retention, then restic) and `restore`. One file, so the shared part is compressed once.
 */
export function backupScript(d: Deployment, db: BackupDatabase): RenderedFile {
  const lines = [
    "#!/usr/bin/env bash",
    `# Generated by ${GENERATOR}/backup.ts. Do not edit: regenerate instead.`,
    `# Consistent backup of the tracker database into ${BACKUP_DIR}, then (optional) restic to S3.`,
    `# Run by ${BACKUP_UNIT}.timer; by hand: sudo ${BACKUP_SCRIPT}. Restore: sudo ${RESTORE_SCRIPT} ${USAGE}`,
    "set -euo pipefail",
    "umask 077",
    ...settings(d, db),
    'mode=${1:-backup}',
    'me=torrust-$mode',
    'log() { echo "$me: $*"; }',
    'die() { echo "$me: ERROR: $*" >&2; exit 1; }',
    ...COMMON,
    "do_backup() {",
    '  install -d -m 0700 "$dir"',
    '  work=$(mktemp -d "$dir/.work.XXXXXX")',
    "  trap 'rm -rf \"$work\"' EXIT",
    "  stamp=$(date -u +%Y%m%dT%H%M%SZ)",
    "  start=$(date +%s)",
    '  case "$driver" in',
    "    sqlite3)",
    '      [ -s "$db" ] || die "no database at $db (is the volume mounted and the tracker started once?)"',
    "      # VACUUM INTO copies inside one read transaction: consistent while the tracker writes (never cp a live database).",
    '      sqlite3 -bail "$db" ".timeout 60000" "VACUUM INTO \'$work/tracker.sqlite3\';"',
    '      check=$(sqlite3 "$work/tracker.sqlite3" "PRAGMA integrity_check;")',
    '      [ "$check" = ok ] || die "the copy failed its integrity check: $check"',
    '      summary="$(sqlite3 "$work/tracker.sqlite3" "SELECT count(*) FROM torrents;") torrents, $(sqlite3 "$work/tracker.sqlite3" "SELECT count(*) FROM keys;") keys"',
    '      snapshot=$work/tracker.sqlite3',
    "      ;;",
    "    mysql)",
    "      # One consistent InnoDB snapshot without locking the tracker out.",
    '      in_db "mariadb-dump --single-transaction --quick --skip-dump-date" > "$work/tracker.sql"',
    '      tail -n 1 "$work/tracker.sql" | grep -q "^-- Dump completed" || die "mariadb-dump did not complete"',
    '      summary="$(grep -c "^INSERT INTO" "$work/tracker.sql" || true) INSERT statements"',
    '      snapshot=$work/tracker.sql',
    "      ;;",
    '    *) die "unknown database driver $driver (allowed: sqlite3, mysql)" ;;',
    "  esac",
    '  name=tracker-$stamp.${snapshot##*.}.gz',
    '  gzip -c "$snapshot" > "$work/$name"',
    '  mv "$work/$name" "$dir/$name"',
    '  log "wrote $dir/$name ($(stat -c %s "$dir/$name") bytes; $summary) in $(( $(date +%s) - start )) s"',
    "  # Retention on the server disk: keep_days, and never the newest.",
    '  find "$dir" -maxdepth 1 -type f -name "tracker-*.gz" ! -name "$name" -mmin "+$(( keep_days * 1440 ))" -print -delete | sed "s/^/$me: removed old /"',
    '  [ -n "$s3_repository" ] || return 0',
    "  load_s3_credentials",
    '  if ! restic cat config >/dev/null 2>&1; then log "initialising the restic repository $s3_repository"; restic init; fi',
    '  restic backup --quiet --host "$restic_host" --tag torrust-tracker --stdin --stdin-filename "tracker.${snapshot##*.}" < "$snapshot"',
    '  restic forget --quiet --host "$restic_host" --tag torrust-tracker --keep-within "${keep_days}d" --prune',
    '  log "copied to $s3_repository (kept ${keep_days} days)"',
    "}",
    "",
    "# Verify the backup, stop the tracker, swap the database in, start the tracker.",
    "do_restore() {",
    `  [ $# -eq 1 ] || die "usage: restore.sh ${USAGE}"`,
    '  case "$driver" in sqlite3) ext=sqlite3 ;; mysql) ext=sql ;; *) die "unknown database driver $driver" ;; esac',
    '  if [ "$1" = --list ]; then',
    '    log "on the server disk ($dir):"',
    '    backups "$ext" | grep . || echo "  (none)"',
    '    if [ -n "$s3_repository" ]; then load_s3_credentials; restic snapshots --host "$restic_host" --tag torrust-tracker; fi',
    "    return 0",
    "  fi",
    '  work=$(mktemp -d "${TMPDIR:-/tmp}/torrust-restore.XXXXXX")',
    "  trap 'rm -rf \"$work\"' EXIT",
    '  candidate=$work/tracker.$ext',
    '  case "$1" in',
    "    s3:*)",
    "      load_s3_credentials",
    '      restic dump --host "$restic_host" --tag torrust-tracker "${1#s3:}" "/tracker.$ext" > "$candidate"',
    '      log "fetched snapshot ${1#s3:} from $s3_repository"',
    "      ;;",
    "    latest)",
    '      file=$(backups "$ext" | tail -n 1)',
    '      [ -n "$file" ] || die "no tracker-*.$ext.gz in $dir"',
    '      gunzip -c "$file" > "$candidate"',
    '      log "using $file"',
    "      ;;",
    "    *)",
    '      [ -r "$1" ] || die "$1: no such backup file (try: restore.sh --list)"',
    '      case "$1" in *.gz) gunzip -c "$1" > "$candidate" ;; *) cp "$1" "$candidate" ;; esac',
    "      ;;",
    "  esac",
    '  if [ "$driver" = sqlite3 ]; then',
    '    check=$(sqlite3 "$candidate" "PRAGMA integrity_check;" 2>&1) || true',
    '    [ "$check" = ok ] || die "the backup is not a sound SQLite database: $check"',
    '    tables=$(sqlite3 "$candidate" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = \'table\' AND name IN (\'torrents\', \'keys\', \'whitelist\') ORDER BY name);")',
    '    [ "$tables" = keys,torrents,whitelist ] || die "the backup lacks the tracker tables (has: ${tables:-none})"',
    "  else",
    '    tail -n 1 "$candidate" | grep -q "^-- Dump completed" || die "the dump is incomplete (no \\"-- Dump completed\\" line)"',
    "  fi",
    '  log "stopping the tracker"',
    "  $tracker_stop",
    "  trap 'rm -rf \"$work\"; log \"starting the tracker (compose restart)\"; $tracker_start' EXIT",
    '  if [ "$driver" = sqlite3 ]; then',
    '    before=$db.before-restore-$(date -u +%Y%m%dT%H%M%SZ)',
    '    install -m 0640 -o "${db_owner%%:*}" -g "${db_owner##*:}" "$candidate" "$db.restoring"',
    "    # A leftover rollback journal belongs to the old file: it must never be replayed into the restored one.",
    '    if [ -e "$db" ]; then mv "$db" "$before"; log "kept the previous database as $before"; fi',
    '    if [ -e "$db-journal" ]; then mv "$db-journal" "$before-journal"; fi',
    '    mv "$db.restoring" "$db"',
    "  else",
    '    install -d -m 0700 "$dir" && in_db "mariadb-dump --single-transaction --quick" | gzip > "$dir/before-restore-$(date -u +%Y%m%dT%H%M%SZ).sql.gz"',
    '    log "kept the previous database as a dump in $dir/before-restore-*.sql.gz"',
    '    in_db mariadb < "$candidate"',
    "  fi",
    '  log "restored the tracker database"',
    "}",
    "",
    'case "$mode" in',
    "  backup) do_backup ;;",
    '  restore) shift; do_restore "$@" ;;',
    `  *) die "usage: $0 [backup] | restore ${USAGE}" ;;`,
    "esac",
  ];
  return { path: BACKUP_SCRIPT, content: lines.join("\n") + "\n", permissions: "0700" };
}

/** restore.sh: the documented restore command, a two-line wrapper (text in user_data). */
export function restoreScript(): RenderedFile {
  const lines = [
    "#!/bin/sh",
    `# Generated by ${GENERATOR}/backup.ts. Restores the tracker database; the tracker is stopped meanwhile.`,
    `# Usage: sudo ${RESTORE_SCRIPT} ${USAGE}`,
    'exec "$(dirname "$0")/backup.sh" restore "$@"',
  ];
  return { path: RESTORE_SCRIPT, content: lines.join("\n") + "\n", permissions: "0700" };
}

/** The systemd service and timer. */
export function backupUnits(d: Deployment): RenderedFile[] {
  const head = `# Generated by ${GENERATOR}/backup.ts. Do not edit: regenerate instead.`;
  return [
    {
      path: BACKUP_SERVICE_FILE,
      content: [
        head,
        "[Unit]",
        "Description=Backup of the Torrust Tracker database",
        `Documentation=file:${BACKUP_SCRIPT}`,
        `RequiresMountsFor=${STORAGE}`,
        "After=docker.service network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        `ExecStart=${BACKUP_SCRIPT}`,
        "Nice=10",
        "IOSchedulingClass=idle",
        "",
      ].join("\n"),
      permissions: "0644",
    },
    {
      path: BACKUP_TIMER_FILE,
      content: [
        head,
        "[Unit]",
        "Description=Scheduled backup of the Torrust Tracker database",
        "",
        "[Timer]",
        `OnCalendar=${d.backup.schedule}`,
        `RandomizedDelaySec=${BACKUP_RANDOM_DELAY}`,
        "# A run missed while the server was off happens at the next boot.",
        "Persistent=true",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
      ].join("\n"),
      permissions: "0644",
    },
  ];
}

/** Enables the timer once the units are written (runcmd, after bootstrap). */
export const ENABLE_BACKUP_TIMER = `systemctl daemon-reload && systemctl enable --now ${BACKUP_UNIT}.timer`;

/** Every backup file, or none when backups are off. */
export function renderBackup(d: Deployment, db: BackupDatabase): RenderedFile[] {
  if (!d.backup.enabled) return [];
  return [backupScript(d, db), restoreScript(), ...backupUnits(d)];
}
