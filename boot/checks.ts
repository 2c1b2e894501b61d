// The rows of one boot: what the guest says (sections of boot/guest-facts.ts) compared with what
// the synthesized user_data asks for.
import YAML from "yaml";
import { CONNTRACK_SYSCTLS } from "../constructs/tracker/render/host-files";
import { COMPOSE_FILE, SECRETS, STORAGE } from "../constructs/tracker/layout";
import { SECRET_FILES } from "../constructs/tracker/render/paths";
import type { Row } from "../rehearsal/rows";
import { fail, pass, skip } from "../rehearsal/rows";
import type { DecodedFile } from "../rehearsal/write-files";
import {
  parseAnalyzeDump,
  parseCloudInitStatus,
  parseSha256,
  parseStat,
  parseSystemctlShow,
  unixTimestamp,
  type Section,
} from "./guest-facts";

/** Modules the generated cloud-config drives: each gets its own row. */
export const DRIVEN_MODULES = [
  "init-network/config-bootcmd",
  "init-network/config-write-files",
  "init-network/config-users-groups",
  "init-network/config-ssh",
  "modules-config/config-set-passwords",
  "modules-config/config-runcmd",
  "modules-final/config-package-update-upgrade-install",
  "modules-final/config-write-files-deferred",
  "modules-final/config-scripts-user",
  "modules-final/config-final-message",
];

const SECRET_VALUE_FILES = [SECRET_FILES.trackerAdminToken, SECRET_FILES.grafanaAdminPassword];

/** The guest commands one phase reads (root shell). */
export function factSections(files: readonly DecodedFile[], volumeDevice: string, units: readonly string[]): Array<[string, string]> {
  const paths = files.map((f) => `'${f.path}'`).join(" ");
  const unitList = units.join(" ");
  return [
    ["boot_id", "cat /proc/sys/kernel/random/boot_id"],
    ["instance_id", "cat /var/lib/cloud/data/instance-id"],
    ["status", "cloud-init status --long --format json"],
    ["analyze", "cloud-init analyze dump"],
    ["schema", "cloud-init schema --system --annotate"],
    ["cloud_init_version", "cloud-init --version"],
    ["stat", `stat -c '%n|%U|%G|%a|%s' ${paths}`],
    ["sha256", `sha256sum ${paths}`],
    ["sshd", "sshd -T | grep -Ei '^(permitrootlogin|passwordauthentication|kbdinteractiveauthentication|pubkeyauthentication|permitemptypasswords) '"],
    ["byid", `readlink -f '${volumeDevice}'`],
    ["findmnt", `findmnt -n -o SOURCE,FSTYPE,OPTIONS ${STORAGE}`],
    ["fstab", `grep -F ' ${STORAGE} ' /etc/fstab`],
    ["fs", `tune2fs -l '${volumeDevice}' | grep -E '^(Filesystem UUID|Filesystem created|Filesystem volume name):'`],
    ["bootstrap_log", "grep -h 'torrust-bootstrap' /var/log/cloud-init-output.log"],
    ["format_count", "grep -c 'has no filesystem: formatting it' /var/log/cloud-init-output.log"],
    ["secrets_stat", `find ${SECRETS} -printf '%p|%u|%g|%m|%s|%y\\n' | sort`],
    ["secrets_sha", `find ${SECRETS} -type f -exec sha256sum {} + | sort -k2`],
    [
      "secret_leaks",
      // Counts only: the values never leave the guest.
      `pat=$(mktemp); cat ${SECRET_VALUE_FILES.join(" ")} > "$pat"; ` +
        `echo "cloud-init-output.log $(grep -cF -f "$pat" /var/log/cloud-init-output.log)"; ` +
        `echo "cloud-init.log $(grep -cF -f "$pat" /var/log/cloud-init.log)"; ` +
        `echo "journal $(journalctl --no-pager -o cat | grep -cF -f "$pat")"; rm -f "$pat"`,
    ],
    ["sysctl", Object.keys(CONNTRACK_SYSCTLS).map((k) => `echo "${k}=$(sysctl -n ${k})"`).join("; ")],
    ["mount_unit", "systemctl show --timestamp=unix -p ActiveState -p ActiveEnterTimestamp -p What opt-torrust-storage.mount"],
    ["docker_unit", "systemctl show --timestamp=unix -p ActiveState -p ActiveEnterTimestamp -p ExecMainStartTimestamp -p After -p Requires -p RequiresMountsFor -p DropInPaths docker.service"],
    ["containers", "docker ps -a --format '{{.Names}}' | xargs -r docker inspect -f '{{.Name}}|{{.Config.Image}}|{{.State.Status}}|{{.State.StartedAt}}|{{range .Mounts}}{{.Source}}>{{.Destination}},{{end}}|{{json .HostConfig.PortBindings}}'"],
    ["standin_images", "docker images --format '{{.Repository}}:{{.Tag}}' | xargs -r docker image inspect -f '{{index .RepoTags 0}}|{{.Comment}}'"],
    ["compose_ps", `docker compose -f ${COMPOSE_FILE} ps -a --format '{{.Service}}|{{.State}}'`],
    ["listening", "ss -Hltnu | awk '{print $1\" \"$5}'"],
    ["units", units.length ? `for u in ${unitList}; do echo "$u $(systemctl show -p ActiveState --value $u) $(systemctl show -p SubState --value $u) $(systemctl is-enabled $u 2>&1)"; done` : "true"],
    // Every installed package: the wanted list comes from the user_data (and grows with it).
    ["packages", "dpkg-query -W -f '${Package} ${Version}\\n' 2>/dev/null; docker compose version"],
    ["no_route_out", "timeout 5 bash -c 'exec 3<>/dev/tcp/1.1.1.1/443' && echo REACHABLE || echo unreachable"],
    ["markers", `cat ${STORAGE}/tracker/lib/database/boot-harness-marker ${STORAGE}/proxy/boot-harness-marker 2>/dev/null`],
  ];
}

export type Facts = Map<string, Section>;
const out = (f: Facts, name: string) => f.get(name)?.out ?? "";
const rc = (f: Facts, name: string) => f.get(name)?.rc ?? -1;

/** cloud-init's overall result and each module the cloud-config drives. */
export function cloudInitRows(f: Facts, label: string): Row[] {
  const rows: Row[] = [];
  const st = parseCloudInitStatus(out(f, "status"));
  const detail = `${st.extendedStatus}, datasource ${st.datasource}, ${out(f, "cloud_init_version")}`;
  if (st.status === "done" && st.errors.length === 0 && st.recoverable.length === 0) rows.push(pass(`${label}cloud-init status`, detail));
  else if (st.status === "done" && st.errors.length === 0)
    rows.push(fail(`${label}cloud-init status`, `${detail}; degraded by: ${st.recoverable.map((r) => `${r.level}: ${r.message}`).join(" | ").slice(0, 600)}`));
  else rows.push(fail(`${label}cloud-init status`, `${detail}; errors: ${st.errors.join(" | ").slice(0, 600)}`));
  const boots = parseAnalyzeDump(out(f, "analyze"));
  const last = boots[boots.length - 1] ?? [];
  const byName = new Map(last.map((m) => [m.name, m]));
  for (const name of DRIVEN_MODULES) {
    const m = byName.get(name);
    const short = name.split("/")[1].replace(/^config-/, "");
    if (!m) rows.push(fail(`${label}module ${short}`, "no event in `cloud-init analyze dump` for this boot"));
    else rows.push((m.result === "SUCCESS" ? pass : fail)(`${label}module ${short}`, `${m.result}: ${m.description}`));
  }
  const others = last.filter((m) => !DRIVEN_MODULES.includes(m.name));
  const failed = others.filter((m) => m.result !== "SUCCESS");
  rows.push(
    failed.length
      ? fail(`${label}every other module`, failed.map((m) => `${m.name} ${m.result}`).join(", "))
      : pass(`${label}every other module`, `${others.length} more without error (${others.filter((m) => /ran successfully/.test(m.description)).length} ran, ${others.filter((m) => /previously ran/.test(m.description)).length} previously ran)`),
  );
  return rows;
}

export function schemaRow(f: Facts): Row {
  const text = out(f, "schema");
  return rc(f, "schema") === 0 ? pass("cloud-init schema (guest, --system)", text.replace(/\s*\n\s*/g, "; ")) : fail("cloud-init schema (guest, --system)", text.slice(-600));
}

/** Every write_files entry: present, owner, mode and bytes as the cloud-config says. */
export function fileRows(f: Facts, files: readonly DecodedFile[], sha: (b: Buffer) => string): Row[] {
  const stats = parseStat(out(f, "stat"));
  const sums = parseSha256(out(f, "sha256"));
  return files.map((file) => {
    const s = stats.get(file.path);
    const name = `file ${file.path}`;
    if (!s) return fail(name, "missing");
    const problems: string[] = [];
    if (s.owner !== file.owner || s.group !== file.group) problems.push(`owner ${s.owner}:${s.group}, expected ${file.owner}:${file.group}`);
    if (s.mode !== file.mode) problems.push(`mode ${s.mode.toString(8)}, expected ${file.mode.toString(8)}`);
    if (sums.get(file.path) !== sha(file.content)) problems.push(`content differs from user_data (${s.size} bytes, expected ${file.content.length})`);
    return problems.length ? fail(name, problems.join("; ")) : pass(name, `${s.owner}:${s.group} ${s.mode.toString(8).padStart(4, "0")}, ${s.size} bytes as in user_data${file.defer ? " (deferred)" : ""}`);
  });
}

export function sshdRow(f: Facts): Row {
  const text = out(f, "sshd").toLowerCase();
  const want = ["permitrootlogin no", "passwordauthentication no", "kbdinteractiveauthentication no", "pubkeyauthentication yes"];
  const missing = want.filter((w) => !text.split("\n").includes(w));
  return missing.length ? fail("sshd -T", `expected ${missing.join(", ")}; got ${text.replace(/\n/g, ", ")}`) : pass("sshd -T", want.join(", "));
}

export interface VolumeState {
  readonly uuid: string;
  readonly created: string;
}

export function volumeRows(f: Facts, volumeDevice: string, label: string): { rows: Row[]; state?: VolumeState } {
  const rows: Row[] = [];
  const mnt = out(f, "findmnt").trim().split(/\s+/);
  const dev = out(f, "byid").trim();
  if (rc(f, "findmnt") !== 0) rows.push(fail(`${label}volume mounted`, `${STORAGE} is not a mount point`));
  else if (mnt[0] !== dev) rows.push(fail(`${label}volume mounted`, `${STORAGE} is ${mnt[0]}, but ${volumeDevice} is ${dev}`));
  else rows.push(pass(`${label}volume mounted`, `${volumeDevice} → ${dev}, ${mnt[1]} at ${STORAGE} (${mnt[2]})`));
  const fstab = out(f, "fstab").trim();
  const fields = fstab.split(/\s+/);
  rows.push(
    fields[0] === volumeDevice && fields[1] === STORAGE && fields[3]?.split(",").includes("nofail")
      ? pass(`${label}fstab`, fstab)
      : fail(`${label}fstab`, fstab ? `${fstab} (expected ${volumeDevice} and nofail)` : `no line for ${STORAGE}`),
  );
  const fs = Object.fromEntries(out(f, "fs").split("\n").map((l) => [l.split(":")[0], l.split(":").slice(1).join(":").trim()]));
  const state = fs["Filesystem UUID"] ? { uuid: fs["Filesystem UUID"], created: fs["Filesystem created"] } : undefined;
  return { rows, state };
}

/**
 * Secrets: every file and folder under SECRETS readable by its owner only (files 0600/0400 root or
 * the container user, folders 0700/0500), every secret path the bootstrap names present, and no
 * secret value in any log.
 */
export function secretRows(f: Facts, label: string, consoleLeaks: number, bootstrapText = ""): { rows: Row[]; hashes: string } {
  const rows: Row[] = [];
  const entries = out(f, "secrets_stat")
    .split("\n")
    .map((l) => l.split("|"))
    .filter((p) => p.length === 6)
    .map(([p, owner, group, mode, size, type]) => ({ p, owner, group, mode: parseInt(mode, 8), size: Number(size), type }));
  const bad = entries
    .filter((e) => (e.mode & 0o077) !== 0 || (e.type === "f" && e.size === 0) || (e.type !== "f" && e.type !== "d"))
    .map((e) => `${e.p} ${e.owner} ${e.mode.toString(8)} ${e.type} ${e.size} B`);
  const have = new Set(entries.map((e) => e.p));
  const expected = Object.values(SECRET_FILES).filter((p) => p === SECRET_FILES.trackerAdminToken || bootstrapText.includes(p));
  const missing = [SECRETS, ...expected].filter((p) => !have.has(p));
  const files = entries.filter((e) => e.type === "f");
  rows.push(
    bad.length || missing.length
      ? fail(`${label}secrets owner-only`, [...bad, ...missing.map((p) => `${p} missing`)].join("; "))
      : pass(
          `${label}secrets owner-only`,
          `${files.length} files (${[...new Set(files.map((e) => `${e.owner} ${e.mode.toString(8).padStart(4, "0")}`))].join(", ")}) in ${entries.length - files.length} folders, no group/other access`,
        ),
  );
  const leaks = out(f, "secret_leaks").split("\n").map((l) => l.split(" ")).filter((p) => p.length === 2 && p[1] !== "0");
  rows.push(
    leaks.length || consoleLeaks
      ? fail(`${label}secrets not logged`, `${leaks.map((l) => `${l[1]} lines in ${l[0]}`).join(", ")}${consoleLeaks ? `, ${consoleLeaks} in the serial console` : ""}`)
      : pass(`${label}secrets not logged`, "no secret value in cloud-init-output.log, cloud-init.log, the journal (all boots) or the serial console"),
  );
  return { rows, hashes: out(f, "secrets_sha") };
}

export function sysctlRow(f: Facts, label: string): Row {
  const got = Object.fromEntries(out(f, "sysctl").split("\n").map((l) => l.split("=")));
  const wrong = Object.entries(CONNTRACK_SYSCTLS).filter(([k, v]) => got[k] !== String(v));
  return wrong.length
    ? fail(`${label}sysctls`, wrong.map(([k, v]) => `${k}=${got[k] ?? "?"} (expected ${v})`).join(", "))
    : pass(`${label}sysctls`, Object.entries(CONNTRACK_SYSCTLS).map(([k, v]) => `${k}=${v}`).join(", "));
}

interface ContainerFact {
  name: string;
  image: string;
  status: string;
  started: number;
  mounts: Array<{ source: string; destination: string }>;
  ports: string;
}

export function parseContainers(text: string): ContainerFact[] {
  return text
    .split("\n")
    .filter((l) => l.includes("|"))
    .map((l) => {
      const [name, image, status, started, mounts, ports] = l.split("|");
      return {
        name: name.replace(/^\//, ""),
        image,
        status,
        started: Date.parse(started),
        mounts: mounts.split(",").filter(Boolean).map((m) => ({ source: m.split(">")[0], destination: m.split(">")[1] })),
        ports,
      };
    });
}

/**
 * Order: the volume is mounted before any container starts, and (once the drop-in is loaded)
 * docker.service starts after the mount. At first boot docker.io's postinst starts Docker during
 * the package step, before the bootstrap exists to mount anything: that is reported, not hidden.
 */
export function orderRows(f: Facts, label: string, firstBoot: boolean): Row[] {
  const rows: Row[] = [];
  const mount = parseSystemctlShow(out(f, "mount_unit"));
  const docker = parseSystemctlShow(out(f, "docker_unit"));
  const mountAt = unixTimestamp(mount.ActiveEnterTimestamp);
  // dockerd's own start (ExecMainStart), not "active", which also waits for the harness' ExecStartPost.
  const dockerAt = unixTimestamp(docker.ExecMainStartTimestamp) ?? unixTimestamp(docker.ActiveEnterTimestamp);
  const containers = parseContainers(out(f, "containers"));
  const dep = (docker.After ?? "").split(" ").includes("opt-torrust-storage.mount") && (docker.Requires ?? "").split(" ").includes("opt-torrust-storage.mount");
  rows.push(
    dep
      ? pass(`${label}docker.service needs the mount`, `After= and Requires= opt-torrust-storage.mount (RequiresMountsFor=${docker.RequiresMountsFor})`)
      : fail(`${label}docker.service needs the mount`, `After=/Requires= lack opt-torrust-storage.mount (RequiresMountsFor=${docker.RequiresMountsFor ?? ""}; drop-ins ${docker.DropInPaths ?? ""})`),
  );
  if (mountAt === undefined || dockerAt === undefined) rows.push(fail(`${label}docker started after the mount`, `mount ${mount.ActiveEnterTimestamp}, docker ${docker.ExecMainStartTimestamp}`));
  else if (dockerAt >= mountAt) rows.push(pass(`${label}docker started after the mount`, `dockerd started ${((dockerAt - mountAt) / 1000).toFixed(1)} s after ${STORAGE} was mounted`));
  else if (firstBoot)
    rows.push(
      pass(
        `${label}docker started after the mount`,
        `first boot: docker.io's install started dockerd ${((mountAt - dockerAt) / 1000).toFixed(1)} s before the bootstrap mounted the volume; no container existed until the bootstrap's compose up (next row)`,
      ),
    );
  else rows.push(fail(`${label}docker started after the mount`, `dockerd started ${((mountAt - dockerAt) / 1000).toFixed(1)} s BEFORE ${STORAGE} was mounted`));
  const early = containers.filter((c) => mountAt === undefined || !(c.started >= mountAt));
  rows.push(
    containers.length === 0
      ? fail(`${label}containers started after the mount`, "no containers")
      : early.length
        ? fail(`${label}containers started after the mount`, `before the mount: ${early.map((c) => c.name).join(", ")}`)
        : pass(`${label}containers started after the mount`, `${containers.length} containers, first ${((Math.min(...containers.map((c) => c.started)) - mountAt!) / 1000).toFixed(1)} s after the mount`),
  );
  return rows;
}

/** The compose project: every service running (stand-in images), binds on the volume, ports as planned. */
export function containerRows(f: Facts, composeText: string, label: string): Row[] {
  const rows: Row[] = [];
  const project = YAML.parse(composeText) as { services: Record<string, { container_name?: string; image: string; ports?: string[]; volumes?: string[]; network_mode?: string }> };
  const containers = new Map(parseContainers(out(f, "containers")).map((c) => [c.name, c]));
  const standins = new Map(out(f, "standin_images").split("\n").map((l) => [l.split("|")[0], l.split("|").slice(1).join("|")]));
  for (const [service, svc] of Object.entries(project.services)) {
    const c = containers.get(svc.container_name ?? service) ?? [...containers.values()].find((x) => x.name.includes(service));
    const name = `${label}container ${service}`;
    if (!c) {
      rows.push(fail(name, "not created"));
      continue;
    }
    const problems: string[] = [];
    if (c.status !== "running") problems.push(`state ${c.status}`);
    if (c.image !== svc.image) problems.push(`image ${c.image}, expected ${svc.image}`);
    for (const v of svc.volumes ?? []) {
      const [source, destination] = v.split(":");
      if (!c.mounts.some((m) => m.source === source && m.destination === destination)) problems.push(`bind ${source}:${destination} missing`);
    }
    const bindings = c.ports && c.ports !== "null" ? (JSON.parse(c.ports) as Record<string, Array<{ HostIp: string; HostPort: string }>>) : {};
    for (const p of svc.ports ?? []) {
      const m = /^(?:([\d.]+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(p);
      if (!m) continue;
      const got = bindings[`${m[3]}/${m[4] ?? "tcp"}`] ?? [];
      if (!got.some((b) => b.HostPort === m[2] && (b.HostIp || "") === (m[1] ?? ""))) problems.push(`port ${p} not published as planned (${JSON.stringify(got)})`);
    }
    const standin = (standins.get(svc.image) ?? "").includes("STAND-IN");
    const storageBinds = (svc.volumes ?? []).filter((v) => v.startsWith(`${STORAGE}/`)).length;
    rows.push(
      problems.length
        ? fail(name, problems.join("; "))
        : pass(
            name,
            `running ${svc.image}${standin ? " (STAND-IN image: the real program is not provable here)" : ""}; ${(svc.volumes ?? []).length} binds (${storageBinds} on the volume)` +
              `${svc.ports?.length ? `; ports ${svc.ports.join(" ")}` : svc.network_mode === "host" ? "; host network" : ""}`,
          ),
    );
  }
  return rows;
}

export function unitRows(f: Facts, label: string): Row[] {
  const lines = out(f, "units").split("\n").filter(Boolean).map((l) => l.split(" "));
  const state = new Map(lines.map(([unit, active]) => [unit, active]));
  return lines.map(([unit, active, sub, enabled]) => {
    // A service its own timer starts (the backup job) is idle between runs: what must be active is the timer.
    const timer = unit.endsWith(".service") ? unit.replace(/\.service$/, ".timer") : undefined;
    const byTimer = timer !== undefined && state.get(timer) === "active" && active === "inactive" && sub === "dead";
    const ok = active === "active" || byTimer || (active === "activating" && unit.includes("bootstrap"));
    const detail =
      `${active}/${sub}, ${enabled}` +
      (byTimer ? ` (idle until ${timer} starts it; the timer is active)` : "") +
      (active === "activating" ? " (retrying: the CA is not reachable from this guest; certificate issuance is not provable here)" : "");
    return ok ? pass(`${label}unit ${unit}`, detail) : fail(`${label}unit ${unit}`, detail);
  });
}

export function noRouteRow(f: Facts): Row {
  return out(f, "no_route_out").includes("unreachable") ? pass("guest has no route out", "TCP to 1.1.1.1:443 fails (qemu user network, restrict=on)") : fail("guest has no route out", out(f, "no_route_out"));
}

export function packagesRow(f: Facts, wanted: readonly string[], standins: Readonly<Record<string, string>>): Row {
  const lines = out(f, "packages").split("\n");
  const installed = new Map(lines.filter((l) => /^\S+ \S+$/.test(l)).map((l) => l.split(" ") as [string, string]));
  const missing = wanted.filter((p) => !installed.get(p));
  const compose = lines.find((l) => /Docker Compose version/.test(l)) ?? "no docker compose";
  const named = wanted.map((p) => (standins[p] ? `${p} (STAND-IN → Debian ${standins[p]} ${installed.get(standins[p]) ?? "?"})` : `${p} ${installed.get(p) ?? "missing"}`));
  return missing.length ? fail("packages installed (offline repo)", `missing: ${missing.join(", ")}`) : pass("packages installed (offline repo)", `${named.join(", ")}; ${compose}`);
}

export function skipRow(name: string, why: string): Row {
  return skip(name, why);
}
