// Network namespaces the rehearsal creates and removes itself: own ports 80/443, own loopback,
// no route out. Teardown kills every process still inside (by PID), then deletes the name.
import { killPid, pidAlive, run, runOk, sleep } from "./proc";

export async function createNamespace(name: string): Promise<void> {
  await runOk("ip", ["netns", "add", name]);
  await runOk("ip", ["-n", name, "link", "set", "lo", "up"]);
}

export async function namespacePids(name: string): Promise<number[]> {
  const r = await run("ip", ["netns", "pids", name], { timeoutMs: 5000 });
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => n > 0 && n !== process.pid);
}

/** Kills what is left inside (SIGTERM, then SIGKILL), then deletes the namespace. */
export async function deleteNamespace(name: string): Promise<string[]> {
  const notes: string[] = [];
  let pids = await namespacePids(name);
  if (pids.length) {
    notes.push(`stopped ${pids.length} leftover processes in ${name}`);
    for (const pid of pids) killPid(pid, "SIGTERM");
    for (let i = 0; i < 30 && pids.some(pidAlive); i++) await sleep(100);
    pids = (await namespacePids(name)).filter(pidAlive);
    for (const pid of pids) killPid(pid, "SIGKILL");
    for (let i = 0; i < 20 && pids.some(pidAlive); i++) await sleep(100);
  }
  const r = await run("ip", ["netns", "del", name], { timeoutMs: 5000 });
  if (r.code !== 0 && !/No such file/.test(r.stderr)) notes.push(`ip netns del ${name}: ${r.stderr.trim()}`);
  return notes;
}
