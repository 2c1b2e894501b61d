// The server's file system inside the rehearsal: runs in a private mount namespace (started by
// `ip netns exec NS unshare --mount`), so nothing here is visible to the host. /etc, /var and /opt
// become overlays of the host's folders (the packages' stock files show through; every write
// lands in a per-run folder), /run is a fresh tmpfs, and /usr/bin/systemctl is replaced by the
// rehearsal's service manager. Generated files then run at their real absolute paths.
import * as fs from "node:fs";
import * as path from "node:path";
import { runOk } from "./proc";

/** Folders overlaid: what cloud-init and the proxies write (/etc/nginx, /etc/letsencrypt, /var/www, /opt/torrust, …). */
export const OVERLAID = ["/etc", "/var", "/opt"] as const;

export const SHIM_SOCKET = "/run/torrust-rehearsal/systemctl.sock";

/** The mount namespace of this process, e.g. "mnt:[4026531841]". */
export function mountNamespace(): string {
  return fs.readlinkSync("/proc/self/ns/mnt");
}

/** Checks we are in a private mount namespace (not the host's) before mounting anything. */
function assertPrivateMountNamespace(host: string): void {
  if (mountNamespace() === host) throw new Error("refusing to mount: not in a private mount namespace (run through ip netns exec … unshare --mount)");
}

export interface SandboxOptions {
  readonly runDir: string;
  /** Lines of /etc/hosts (after 127.0.0.1 localhost). */
  readonly hosts: readonly string[];
  /** The systemctl stand-in script to put over /usr/bin/systemctl. */
  readonly systemctlShim: string;
  /** The host's mount namespace (mountNamespace() of the outer process): never mounted into. */
  readonly hostMountNamespace: string;
}

export async function setupSandbox(o: SandboxOptions): Promise<void> {
  assertPrivateMountNamespace(o.hostMountNamespace);
  // Mounts below stay in this namespace (unshare's default propagation is private; make sure).
  await runOk("mount", ["--make-rprivate", "/"]);
  for (const dir of OVERLAID) {
    const base = path.join(o.runDir, "overlay", dir.slice(1));
    const upper = path.join(base, "upper");
    const work = path.join(base, "work");
    fs.mkdirSync(upper, { recursive: true });
    fs.mkdirSync(work, { recursive: true });
    await runOk("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${dir},upperdir=${upper},workdir=${work}`, dir]);
  }
  await runOk("mount", ["-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"]);
  fs.mkdirSync("/run/lock", { recursive: true, mode: 0o1777 });
  fs.mkdirSync(path.dirname(SHIM_SOCKET), { recursive: true });
  fs.writeFileSync("/etc/hosts", ["127.0.0.1 localhost", ...o.hosts, ""].join("\n"));
  const shim = path.join(o.runDir, "systemctl-shim");
  fs.writeFileSync(shim, o.systemctlShim, { mode: 0o755 });
  await runOk("mount", ["--bind", shim, "/usr/bin/systemctl"]);
}

/** The systemctl stand-in: forwards its arguments to the rehearsal's service manager over a socket. */
export function systemctlShimScript(): string {
  return [
    "#!/bin/bash",
    "# systemctl (rehearsal stand-in): the rehearsal's service manager runs the units' Exec lines.",
    `out=$(printf '%s\\n' "$@" | curl -sS --max-time 900 --unix-socket ${SHIM_SOCKET} --data-binary @- http://systemd/systemctl) || {`,
    '  echo "systemctl (rehearsal stand-in): service manager unreachable" >&2; exit 1; }',
    'code=${out%%$\'\\n\'*}',
    'rest=${out#*$\'\\n\'}',
    '[ "$rest" = "$out" ] && rest=""',
    '[ -n "$rest" ] && printf "%s\\n" "$rest"',
    'exit "$code"',
    "",
  ].join("\n");
}
