// Debian's MariaDB server on a private socket in a temp dir (no TCP), for the database tests and
// the backup bench. Stopped by its PID.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface MariaDb {
  readonly dir: string;
  readonly socket: string;
  /** Client environment: ~/.my.cnf (read last, so it wins over /etc/mysql) points at the socket. */
  readonly clientEnv: Record<string, string>;
  /** Runs SQL with the `mariadb` client (root over the socket unless a user is given). */
  sql(statements: string, options?: { user?: string; password?: string; database?: string }): SpawnSyncReturns<string>;
  stop(): Promise<void>;
}

export const haveMariadb = (): boolean => !spawnSync("mariadbd", ["--version"]).error && !spawnSync("mariadb-install-db", ["--help"]).error;

/** Initialises a data dir in `dir` and starts mariadbd on `dir`/mysqld.sock; waits until it answers. */
export async function startMariaDb(dir: string): Promise<MariaDb> {
  const socket = path.join(dir, "mysqld.sock");
  fs.writeFileSync(path.join(dir, ".my.cnf"), `[client]\nsocket=${socket}\n`);
  const clientEnv = { HOME: dir };
  const install = spawnSync(
    "mariadb-install-db",
    ["--no-defaults", `--datadir=${dir}/data`, "--user=root", "--auth-root-authentication-method=socket", "--skip-test-db"],
    { encoding: "utf8" },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  const server: ChildProcess = spawn(
    "mariadbd",
    ["--no-defaults", `--datadir=${dir}/data`, `--socket=${socket}`, "--skip-networking", `--pid-file=${dir}/mariadbd.pid`, "--user=root", `--log-error=${dir}/error.log`],
    { stdio: "ignore" },
  );
  const sql: MariaDb["sql"] = (statements, o = {}) =>
    spawnSync(
      "mariadb",
      ["--batch", "--skip-column-names", "-u", o.user ?? "root", ...(o.password === undefined ? [] : [`--password=${o.password}`]), ...(o.database ? [o.database] : [])],
      { input: statements, encoding: "utf8", env: { ...process.env, ...clientEnv }, maxBuffer: 1 << 28 },
    );
  const stop = async () => {
    if (server.pid === undefined || server.exitCode !== null) return;
    const exited = new Promise((r) => server.once("exit", r));
    process.kill(server.pid, "SIGTERM");
    await exited;
  };
  for (let i = 0; i < 150; i++) {
    if (fs.existsSync(socket) && sql("SELECT 1;").status === 0) return { dir, socket, clientEnv, sql, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`mariadbd did not start: ${fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, "utf8") : "no error log"}`);
}
