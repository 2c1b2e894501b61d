// SSH into the guest on its loopback-forwarded port with the run's throwaway key (OpenSSH client).
import { run, type RunResult } from "../rehearsal/proc";

export interface SshTarget {
  readonly port: number;
  readonly key: string;
  readonly user: string;
}

/** Client options: no host key pinning (a new guest each run), no agent, no password prompts, short timeouts. */
export function sshArgs(t: SshTarget, extra: readonly string[] = []): string[] {
  return [
    "-p", String(t.port),
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR",
    "-o", "ConnectTimeout=20",
    "-o", "IdentitiesOnly=yes",
    "-o", "IdentityAgent=none",
    "-o", "ServerAliveInterval=10",
    "-o", "ServerAliveCountMax=6",
    "-i", t.key,
    ...extra,
  ];
}

/** Runs a shell command in the guest as `user` (the admin user; `sudo` for root). */
export function ssh(t: SshTarget, command: string, timeoutMs = 120_000, extra: readonly string[] = []): Promise<RunResult> {
  return run("ssh", [...sshArgs(t, ["-o", "BatchMode=yes", ...extra]), `${t.user}@127.0.0.1`, command], { timeoutMs, env: { ...process.env, SSH_AUTH_SOCK: "" } });
}

/** Like ssh() but throws with the output when the command fails. */
export async function sshOk(t: SshTarget, command: string, timeoutMs = 120_000): Promise<string> {
  const r = await ssh(t, command, timeoutMs);
  if (r.code !== 0) throw new Error(`in the guest: ${command.slice(0, 120)} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-600)}`);
  return r.stdout;
}
