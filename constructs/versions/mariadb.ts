// mariadb: the database of the tracker's mysql driver (Docker library image; ops branch, ADR 0013).
import { fact, type PinnedProgram } from "./types";

/** The Docker library's MariaDB repository has no per-release tags: read at the commit that set 10.11.18. */
const at = (path: string, what: string) => `MariaDB/mariadb-docker:${path} (${what}; read at commit c3bba22, 2026 Q2 release, which set 10.11.18)`;

export const MARIADB = {
  program: "MariaDB",
  version: "10.11.18",
  artifact: "mariadb:10.11.18",
  reviewedVersion: "10.11.18",
  facts: {
    dataDir: fact("/var/lib/mysql", at("10.11/Dockerfile", "VOLUME /var/lib/mysql")),
    uid: fact(999, at("10.11/Dockerfile", "useradd -r mysql on ubuntu:jammy; docker-entrypoint.sh chowns the data dir to it")),
    healthcheck: fact(["healthcheck.sh", "--connect", "--innodb_initialized"], at("10.11/healthcheck.sh", "and docker-entrypoint.sh create_healthcheck_users")),
    envNames: fact(
      ["MARIADB_DATABASE", "MARIADB_USER", "MARIADB_PASSWORD", "MARIADB_ROOT_PASSWORD", "MARIADB_AUTO_UPGRADE"],
      at("10.11/docker-entrypoint.sh", "docker_verify_minimum_env, docker_setup_db"),
    ),
    clientTools: fact(["mariadb", "mariadb-dump"], at("10.11/Dockerfile", "apt-get install mariadb-server, which depends on mariadb-client")),
  },
} as const satisfies PinnedProgram;
