// npm run boot -- [--deployment FILE] [--proxy caddy|nginx-certbot|pingoo] [--faults] [--keep] [--kvm]
//
// Boots the exact synthesized user_data in a Debian 13 VM under qemu (TCG) with a NoCloud seed
// and the data volume at Hetzner's by-id path, then reads the results from inside over SSH and
// prints one row per check: first boot, reboot, server replacement (and with --faults: volume
// attached late, volume missing). See boot/README.md for what this proves and what it cannot.
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { BASE_PACKAGES } from "../constructs/tracker/user-data";
import { PROXIES } from "../constructs/proxies";
import { buildEdgeContext } from "../constructs/edge/context";
import { loadDeploymentFile } from "../constructs/deployment/load";
import { COMPOSE_FILE, STORAGE } from "../constructs/tracker/layout";
import { BOOTSTRAP_SCRIPT, SECRET_FILES } from "../constructs/tracker/render/paths";
import { REPO, appCommandLine } from "../rehearsal/prepare";
import { Processes, elapsed, run, runOk, sleep, waitFor } from "../rehearsal/proc";
import { fail, formatRow, pass, printRows, progressWriter, runMain, skip, type Row } from "../rehearsal/rows";
import { parseCloudConfig, type DecodedFile } from "../rehearsal/write-files";
import {
  cloudInitRows,
  containerRows,
  factSections,
  fileRows,
  noRouteRow,
  orderRows,
  packagesRow,
  schemaRow,
  secretRows,
  sshdRow,
  sysctlRow,
  unitRows,
  volumeRows,
  type Facts,
  type VolumeState,
} from "./checks";
import { factsScript, parseFacts } from "./guest-facts";
import { BOOT_DIR, STANDIN_PACKAGES, ensureImage, type GuestImage } from "./image";
import { renderUserData, volumeByIdPath, writeFatImage, writeSeed } from "./seed";
import { ssh, sshArgs, type SshTarget } from "./ssh";
import { Vm, type VolumeDisk } from "./vm";

const KINDS = ["caddy", "nginx-certbot", "pingoo"] as const;
type Kind = (typeof KINDS)[number];

export interface BootOptions {
  readonly deployment: string;
  readonly proxy?: Kind;
  readonly faults: boolean;
  /** Only the fault scenarios (no first boot/reboot/replacement): for working on them. */
  readonly faultsOnly: boolean;
  readonly keep: boolean;
  readonly kvm: boolean;
  /** Upper bound for one boot to reach cloud-init's final message. */
  readonly bootTimeoutMs: number;
}

export function parseArgs(argv: readonly string[]): BootOptions {
  let deployment = path.join(REPO, "deployments", "example.yaml");
  let proxy: Kind | undefined;
  let faults = false;
  let faultsOnly = false;
  let keep = false;
  let kvm = false;
  let bootMinutes = 45;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--deployment") deployment = path.resolve(argv[++i] ?? "");
    else if (a === "--proxy") {
      const k = argv[++i];
      if (!(KINDS as readonly string[]).includes(k)) throw new Error(`--proxy: "${k}" is not a proxy kind (allowed: ${KINDS.join(", ")})`);
      proxy = k as Kind;
    } else if (a === "--faults") faults = true;
    else if (a === "--faults-only") faults = faultsOnly = true;
    else if (a === "--keep") keep = true;
    else if (a === "--kvm") kvm = true;
    else if (a === "--boot-timeout-minutes") bootMinutes = Number(argv[++i]);
    else if (a === "--help" || a === "-h") {
      process.stdout.write("npm run boot -- [--deployment FILE] [--proxy caddy|nginx-certbot|pingoo] [--faults | --faults-only] [--keep] [--kvm] [--boot-timeout-minutes N]\n");
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  if (!(bootMinutes > 0)) throw new Error("--boot-timeout-minutes must be a positive number");
  return { deployment, proxy, faults, faultsOnly, keep, kvm, bootTimeoutMs: bootMinutes * 60_000 };
}

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** cloud-init's final message on the console (cc_final_message default: "Cloud-init v. X finished at ..."). */
const FINISHED = /Cloud-init v\. \S+ finished at/;

interface Synthesized {
  readonly userData: Buffer;
  readonly files: DecodedFile[];
  readonly packages: string[];
  readonly compose: string;
  readonly units: string[];
  readonly name: string;
}

/** The run's deployment copy: the chosen file with the run's SSH key (and proxy.kind). */
function bootDeployment(source: string, publicKey: string, proxy: Kind | undefined, out: string): void {
  const raw = YAML.parseDocument(fs.readFileSync(source, "utf8")).toJS() as Record<string, unknown>;
  const admin = (raw.admin ?? {}) as Record<string, unknown>;
  raw.admin = { ...admin, sshKeys: [{ name: "boot-harness", publicKey }] };
  if (proxy) raw.proxy = { ...((raw.proxy as object | undefined) ?? {}), kind: proxy };
  delete raw.$schema;
  fs.writeFileSync(out, `# boot harness copy of ${source}: admin.sshKeys = the run's throwaway key${proxy ? `, proxy.kind ${proxy}` : ""}\n${YAML.stringify(raw)}`);
}

export async function synthesize(deploymentFile: string, outDir: string, volumeId: number): Promise<Synthesized> {
  const [cmd, ...args] = appCommandLine();
  const r = await run(cmd, args, { cwd: REPO, env: { ...process.env, TRACKER_DEPLOYMENTS: deploymentFile, CDKTF_OUTDIR: outDir, CHECKPOINT_DISABLE: "1" }, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`synth failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
  const stacks = fs.readdirSync(path.join(outDir, "stacks"));
  if (stacks.length !== 1) throw new Error(`expected one stack in ${outDir}/stacks, found ${stacks.join(", ")}`);
  const stack = JSON.parse(fs.readFileSync(path.join(outDir, "stacks", stacks[0], "cdk.tf.json"), "utf8")) as unknown;
  const { userData } = renderUserData(stack, volumeId);
  const cloud = parseCloudConfig(userData.toString("utf8"));
  const compose = cloud.files.find((f) => f.path === COMPOSE_FILE)?.content.toString("utf8");
  if (!compose) throw new Error(`user_data has no ${COMPOSE_FILE}`);
  const units = cloud.files.filter((f) => /^\/etc\/systemd\/system\/[^/]+\.(service|timer)$/.test(f.path)).map((f) => path.basename(f.path));
  if (cloud.packages.includes("nginx")) units.push("nginx.service", "certbot.timer");
  return { userData, files: cloud.files, packages: cloud.packages, compose, units, name: stacks[0] };
}

/** Every package any proxy's cloud-config installs for this deployment, and the base ones: one image for all proxies. */
export function bootImagePackages(deploymentFile: string, userDataPackages: readonly string[]): string[] {
  const set = new Set<string>([...BASE_PACKAGES, ...userDataPackages]);
  const loaded = loadDeploymentFile(deploymentFile);
  for (const plugin of Object.values(PROXIES)) {
    try {
      const ctx = buildEdgeContext(loaded.deployment, { acmeCaRootPem: loaded.acmeCaRootPem, capabilities: plugin.capabilities, kind: plugin.kind });
      for (const p of plugin.render(ctx).packages) set.add(p);
    } catch {
      // A proxy this deployment cannot use (e.g. Pingoo with Grafana Live) adds nothing.
    }
  }
  return [...set].sort();
}

/** Stand-in images for every compose image: container ports by protocol (harness/standin-images.sh). */
export function standinManifest(composeText: string): string {
  const project = YAML.parse(composeText) as { services: Record<string, { image: string; ports?: string[] }> };
  const byImage = new Map<string, { tcp: Set<string>; udp: Set<string> }>();
  for (const svc of Object.values(project.services)) {
    const entry = byImage.get(svc.image) ?? { tcp: new Set(), udp: new Set() };
    for (const p of svc.ports ?? []) {
      const m = /(\d+)(?:\/(tcp|udp))?$/.exec(p);
      if (m) entry[(m[2] ?? "tcp") as "tcp" | "udp"].add(m[1]);
    }
    byImage.set(svc.image, entry);
  }
  return [...byImage.entries()]
    .map(([image, e]) => [image, [...e.tcp].join(" "), [...e.udp].join(" "), image.startsWith("busybox:") ? "busybox" : "listen"].join("|"))
    .join("\n") + "\n";
}

class Run {
  readonly rows: Row[] = [];
  readonly timings: Array<[string, number]> = [];
  readonly vms: Vm[] = [];
  constructor(
    readonly work: string,
    readonly processes: Processes,
    readonly progress: (m: string) => void,
  ) {}
  /** Records rows and shows them at once (stderr); stdout gets them all at the end. */
  add(...rows: Row[]) {
    this.rows.push(...rows);
    for (const row of rows) process.stderr.write(`  ${formatRow(row, 40)}\n`);
  }
}

/** Waits for cloud-init's final message after console byte `from`, printing the latest console line as progress. */
async function waitFinished(vm: Vm, from: number, timeoutMs: number, progress: (m: string) => void, what: string): Promise<number> {
  const start = Date.now();
  let lastLine = "";
  await waitFor(
    `${what}: cloud-init's final message on the console`,
    async () => {
      const text = vm.console(from);
      if (FINISHED.test(text)) return true;
      if (vm.proc?.exitCode !== undefined) throw new Error(`qemu exited (${vm.proc.exitCode})`);
      const lines = text.split("\n").map((l) => l.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "").trim()).filter(Boolean);
      lastLine = lines[lines.length - 1]?.slice(0, 110) ?? "(no console output yet)";
      return { waiting: lastLine };
    },
    { timeoutMs, intervalMs: 2000, progress, progressEveryMs: 20_000 },
  );
  return Date.now() - start;
}

async function waitSsh(t: SshTarget, progress: (m: string) => void): Promise<void> {
  await waitFor(
    "SSH as the admin user",
    async () => {
      const r = await ssh(t, "true", 40_000);
      return r.code === 0 ? true : { waiting: (r.stderr || String(r.code)).trim().slice(-160) };
    },
    { timeoutMs: 180_000, intervalMs: 3000, progress },
  );
}

/** Runs the facts script in the guest as root; its raw output is kept in the work folder (--keep). */
async function collect(t: SshTarget, sections: Array<[string, string]>, saveAs?: string): Promise<Facts> {
  const script = factsScript(sections);
  const r = await run("ssh", [...sshArgs(t, ["-o", "BatchMode=yes"]), `${t.user}@127.0.0.1`, "sudo bash -s"], { input: script, timeoutMs: 300_000 });
  if (saveAs) fs.writeFileSync(saveAs, r.stdout);
  if (r.code !== 0 && !r.stdout.includes("BOOT-SECTION")) throw new Error(`reading the guest failed (${r.code}): ${r.stderr.slice(-400)}`);
  return parseFacts(r.stdout);
}

/** Real login attempts from the host: the admin key works, root and passwords are refused. */
async function loginRows(t: SshTarget): Promise<Row[]> {
  const rows: Row[] = [];
  const who = await ssh(t, "id -un");
  rows.push(who.code === 0 && who.stdout.trim() === t.user ? pass("ssh admin with key", `${t.user}@ logs in with the deployment's key`) : fail("ssh admin with key", who.stderr.trim().slice(-200)));
  const root = await ssh({ ...t, user: "root" }, "id -un");
  rows.push(
    root.code !== 0 && /Permission denied/.test(root.stderr)
      ? pass("ssh root refused", `root with the same key: ${root.stderr.trim().split("\n").pop()}`)
      : fail("ssh root refused", `exit ${root.code}: ${(root.stdout + root.stderr).trim().slice(-200)}`),
  );
  const pw = await run(
    "ssh",
    [...sshArgs(t, ["-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "NumberOfPasswordPrompts=1"]), `${t.user}@127.0.0.1`, "true"],
    { timeoutMs: 60_000 },
  );
  const offered = /Permission denied \(([^)]*)\)/.exec(pw.stderr)?.[1] ?? "";
  rows.push(
    pw.code !== 0 && offered && !/password|keyboard-interactive/.test(offered)
      ? pass("ssh password refused", `server offers only: ${offered}`)
      : fail("ssh password refused", `exit ${pw.code}: ${pw.stderr.trim().slice(-200)}`),
  );
  return rows;
}

interface Phase {
  readonly facts: Facts;
  readonly volume?: VolumeState;
  readonly secrets: string;
}

/** The rows of one booted server. */
async function checkServer(r: Run, vm: Vm, t: SshTarget, s: Synthesized, volumeId: number, label: string, kind: "first" | "reboot" | "replacement"): Promise<Phase> {
  const device = volumeByIdPath(volumeId);
  const facts = await collect(t, factSections(s.files, device, s.units), path.join(r.work, `facts-${vm.options.name}-${kind}.txt`));
  r.add(...cloudInitRows(facts, label));
  if (kind === "first") {
    r.add(schemaRow(facts), noRouteRow(facts), packagesRow(facts, s.packages, STANDIN_PACKAGES));
    r.add(...(await loginRows(t)), sshdRow(facts));
    r.add(...fileRows(facts, s.files, sha256));
  }
  const vol = volumeRows(facts, device, label);
  r.add(...vol.rows);
  // Secret values are read to search the host-side console log, never printed.
  const values = (await ssh(t, `sudo cat ${SECRET_FILES.trackerAdminToken} ${SECRET_FILES.grafanaAdminPassword}`)).stdout.split("\n").filter((v) => v.length >= 16);
  const consoleText = vm.console();
  const consoleLeaks = values.filter((v) => consoleText.includes(v)).length;
  const bootstrapText = s.files.find((file) => file.path === BOOTSTRAP_SCRIPT)?.content.toString("utf8") ?? "";
  const secrets = secretRows(facts, label, consoleLeaks, bootstrapText);
  r.add(...secrets.rows, sysctlRow(facts, label), ...orderRows(facts, label, kind !== "reboot"), ...containerRows(facts, s.compose, label), ...unitRows(facts, label));
  return { facts, volume: vol.state, secrets: secrets.hashes };
}

function keptRows(label: string, before: Phase, after: Phase, what: string): Row[] {
  const rows: Row[] = [];
  rows.push(
    before.volume && after.volume && before.volume.uuid === after.volume.uuid && before.volume.created === after.volume.created
      ? pass(`${label}no re-format`, `same filesystem (UUID ${after.volume.uuid}, created ${after.volume.created})`)
      : fail(`${label}no re-format`, `before ${JSON.stringify(before.volume)}, after ${JSON.stringify(after.volume)}`),
  );
  const formats = after.facts.get("format_count")?.out.trim();
  rows.push(
    before.secrets && before.secrets === after.secrets
      ? pass(`${label}secrets kept`, `${before.secrets.split("\n").length} secret files byte-identical ${what}`)
      : fail(`${label}secrets kept`, "secret files changed"),
  );
  const markersBefore = before.facts.get("markers")?.out ?? "";
  const markersAfter = after.facts.get("markers")?.out ?? "";
  rows.push(
    markersAfter && markersAfter === markersBefore
      ? pass(`${label}database and certificate folders kept`, `harness marker files in tracker/lib/database and proxy/ unchanged ${what}`)
      : fail(`${label}database and certificate folders kept`, `markers before ${JSON.stringify(markersBefore)}, after ${JSON.stringify(markersAfter)}`),
  );
  if (formats !== undefined && formats !== "0" && what.includes("replacement")) {
    rows.push(fail(`${label}bootstrap kept the filesystem`, `this server's bootstrap formatted ${formats} time(s)`));
  } else if (what.includes("replacement")) {
    const kept = after.facts.get("bootstrap_log")?.out.split("\n").find((l) => l.includes("already has")) ?? "";
    rows.push(kept ? pass(`${label}bootstrap kept the filesystem`, kept.trim()) : fail(`${label}bootstrap kept the filesystem`, "no 'already has a ... filesystem' line in cloud-init-output.log"));
  }
  return rows;
}

async function newVolume(work: string, name: string, id: number): Promise<VolumeDisk> {
  const file = path.join(work, `${name}.raw`);
  await runOk("truncate", ["-s", "2G", file]);
  return { file, id };
}

async function bootServer(r: Run, opts: BootOptions, image: GuestImage, s: Synthesized, harness: string, pubKey: string, name: string, volume: VolumeDisk | undefined): Promise<Vm> {
  const seed = path.join(r.work, `${name}.seed.img`);
  await writeSeed(seed, { userData: s.userData, instanceId: `i-${name}-${randomBytes(4).toString("hex")}`, hostname: s.name, publicKeys: [pubKey] });
  const vm = new Vm({ name, image, workDir: r.work, seed, harness, volume, kvm: opts.kvm }, r.processes);
  r.vms.push(vm);
  await vm.start();
  r.progress(`${name}: qemu pid ${vm.proc!.pid}, ${opts.kvm ? "KVM" : "TCG"}, ssh on 127.0.0.1:${vm.sshPort}, console ${vm.consoleLog}`);
  return vm;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const progress = progressWriter("boot: ", t0);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "torrust-boot-"));
  const processes = new Processes(path.join(work, "logs"));
  const r = new Run(work, processes, progress);
  let cleaning = false;
  const cleanup = async () => {
    if (cleaning) return;
    cleaning = true;
    await processes.stopAll(5000);
    if (opts.keep) process.stderr.write(`kept ${work}\n`);
    else fs.rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: stopping every qemu and removing ${work}\n`);
    void cleanup().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await boot(r, opts, t0);
  } finally {
    await cleanup();
  }
}

async function boot(r: Run, opts: BootOptions, t0: number): Promise<number> {
  const { work, progress } = r;
  const key = path.join(work, "id_ed25519");
  await runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "boot-harness", "-f", key]);
  const pubKey = fs.readFileSync(`${key}.pub`, "utf8").trim();
  const deploymentFile = path.join(work, "deployment.yaml");
  bootDeployment(opts.deployment, pubKey, opts.proxy, deploymentFile);
  const volumeId = 100_000_000 + (randomBytes(3).readUIntBE(0, 3) % 9_000_000);
  const s = await synthesize(deploymentFile, path.join(work, "synth"), volumeId);
  r.add(
    pass(
      "user_data as Hetzner receives it",
      `${s.userData.length} bytes (sha256 ${sha256(s.userData).slice(0, 12)}), Terraform escapes undone, volume id ${volumeId}; ${s.files.length} write_files, packages ${s.packages.join(" ")}`,
    ),
  );

  const packages = bootImagePackages(deploymentFile, s.packages);
  const tImage = Date.now();
  const image = await ensureImage(packages, progress);
  r.timings.push([image.builtMs !== undefined ? "image build" : "image (cached)", Date.now() - tImage]);
  r.add(pass("guest image", `${image.key}: Debian 13, ${image.cloudInitVersion}, offline repository of ${packages.join(" ")}${image.builtMs ? `, built in ${elapsed(tImage)}` : ", cached"}`));

  const harness = path.join(work, "harness.img");
  await writeFatImage(harness, "BOOTHARNESS", {
    "standins.txt": Buffer.from(standinManifest(s.compose)),
    ...Object.fromEntries(["standin-images.sh", "standin-entrypoint.sh"].map((f) => [f, fs.readFileSync(path.join(BOOT_DIR, "harness", f))])),
  });
  if (opts.faultsOnly) {
    const user = (YAML.parse(fs.readFileSync(deploymentFile, "utf8")) as { admin?: { username?: string } }).admin?.username ?? "torrust";
    await faults(r, opts, image, s, harness, pubKey, key, user, volumeId);
    return finish(r, opts, t0);
  }
  const volume = await newVolume(work, "volume", volumeId);

  // 1. First boot.
  const vm1 = await bootServer(r, opts, image, s, harness, pubKey, "server1", volume);
  const t1 = { port: vm1.sshPort, key, user: YAML.parse(fs.readFileSync(deploymentFile, "utf8")).admin?.username ?? "torrust" } as SshTarget;
  const ciMs = await waitFinished(vm1, 0, opts.bootTimeoutMs, progress, "server1 first boot");
  r.timings.push(["first boot to cloud-init done", ciMs]);
  progress(`server1: cloud-init finished after ${(ciMs / 1000).toFixed(0)} s`);
  await waitSsh(t1, progress);
  const first = await checkServer(r, vm1, t1, s, volumeId, "", "first");
  // Markers standing for the database and the certificates (the real programs do not run here).
  const markerText = `boot-harness marker ${randomBytes(8).toString("hex")}`;
  await ssh(t1, `printf '%s\\n' '${markerText}' | sudo tee ${STORAGE}/tracker/lib/database/boot-harness-marker ${STORAGE}/proxy/boot-harness-marker >/dev/null && sync`);
  const firstMarkers = { ...first, facts: new Map(first.facts).set("markers", { out: `${markerText}\n${markerText}`, rc: 0 }) };

  // 2. Reboot.
  const tReboot = Date.now();
  const from = vm1.consoleSize();
  await ssh(t1, "sudo systemctl reboot", 30_000);
  progress("server1: rebooting");
  const rebootMs = await waitFinished(vm1, from, opts.bootTimeoutMs, progress, "server1 reboot");
  r.timings.push(["reboot to cloud-init done", rebootMs]);
  await waitSsh(t1, progress);
  const reboot = await checkServer(r, vm1, t1, s, volumeId, "reboot: ", "reboot");
  r.add(
    reboot.facts.get("boot_id")?.out !== first.facts.get("boot_id")?.out
      ? pass("reboot: new boot", `boot_id changed, same instance ${reboot.facts.get("instance_id")?.out}`)
      : fail("reboot: new boot", "boot_id unchanged: the guest did not reboot"),
    ...keptRows("reboot: ", firstMarkers, reboot, "across the reboot"),
  );
  r.timings.push(["reboot phase", Date.now() - tReboot]);

  // 3. Server replacement: the first server is powered off; a new one (new instance-id) gets the same volume.
  const tReplace = Date.now();
  await ssh(t1, "sudo systemctl poweroff", 30_000);
  if (!(await vm1.exited(120_000))) {
    progress("server1 did not power off in 120 s: stopping qemu");
    await vm1.kill();
  }
  const vm2 = await bootServer(r, opts, image, s, harness, pubKey, "server2", volume);
  const t2 = { ...t1, port: vm2.sshPort };
  const replMs = await waitFinished(vm2, 0, opts.bootTimeoutMs, progress, "server2 (replacement) first boot");
  r.timings.push(["replacement boot to cloud-init done", replMs]);
  await waitSsh(t2, progress);
  const repl = await checkServer(r, vm2, t2, s, volumeId, "replacement: ", "replacement");
  r.add(
    repl.facts.get("instance_id")?.out !== first.facts.get("instance_id")?.out
      ? pass("replacement: new instance", `instance-id ${repl.facts.get("instance_id")?.out} (was ${first.facts.get("instance_id")?.out}); cloud-init ran every per-instance module again`)
      : fail("replacement: new instance", "same instance-id"),
    ...keptRows("replacement: ", firstMarkers, repl, "across the server replacement"),
  );
  await ssh(t2, "sudo systemctl poweroff", 30_000);
  if (!(await vm2.exited(120_000))) await vm2.kill();
  r.timings.push(["replacement phase", Date.now() - tReplace]);

  if (opts.faults) await faults(r, opts, image, s, harness, pubKey, key, t1.user, volumeId);
  else r.add(skip("fault: volume attached late", "run with --faults"), skip("fault: volume missing", "run with --faults"));

  return finish(r, opts, t0);
}

function finish(r: Run, opts: BootOptions, t0: number): number {
  r.timings.push(["whole run", Date.now() - t0]);
  r.add(skip("tracker, Prometheus, Grafana, Caddy/Pingoo behaviour", "not provable here: no container registry, the containers run STAND-IN images under the pinned names"));
  const code = printRows(r.rows);
  const load = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  process.stdout.write(`timings: ${r.timings.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(0)} s`).join(", ")}; ${opts.kvm ? "KVM" : "TCG"}, ${os.cpus().length} host CPUs, load ${load}\n`);
  return code;
}

async function faults(r: Run, opts: BootOptions, image: GuestImage, s: Synthesized, harness: string, pubKey: string, key: string, user: string, volumeId: number): Promise<void> {
  // Volume attached late: the bootstrap waits for the device, then formats and mounts it.
  const late = await newVolume(r.work, "volume-late", volumeId);
  const vm3 = await bootServer(r, opts, image, s, harness, pubKey, "server-late", undefined);
  await waitFor(
    "the bootstrap waiting for the volume",
    async () => (vm3.console().includes("torrust-bootstrap: waiting up to") ? true : { waiting: "no 'waiting up to' line yet" }),
    { timeoutMs: opts.bootTimeoutMs, intervalMs: 2000, progress: r.progress, progressEveryMs: 30_000 },
  );
  await sleep(10_000);
  await vm3.attachVolume(late);
  r.progress("server-late: volume hot-plugged (device_add scsi-hd)");
  await waitFinished(vm3, 0, opts.bootTimeoutMs, r.progress, "server-late");
  const t3 = { port: vm3.sshPort, key, user };
  await waitSsh(t3, r.progress);
  const f3 = await collect(t3, factSections(s.files, volumeByIdPath(volumeId), s.units));
  const mounted = volumeRows(f3, volumeByIdPath(volumeId), "").rows[0];
  const st = f3.get("status")?.out ?? "";
  const containers = (f3.get("compose_ps")?.out ?? "").split("\n").filter((l) => l.endsWith("|running")).length;
  r.add(
    mounted.status === "PASS" && /"status": "done"/.test(st) && containers > 0
      ? pass("fault: volume attached late", `bootstrap waited, then formatted and mounted it; ${containers} containers running; ${mounted.detail}`)
      : fail("fault: volume attached late", `${mounted.detail}; ${containers} containers running; status ${st.slice(0, 200)}`),
  );
  await ssh(t3, "sudo systemctl poweroff", 30_000);
  if (!(await vm3.exited(120_000))) await vm3.kill();

  // Volume missing: the bootstrap gives up after its wait with a clear message and formats nothing.
  const vm4 = await bootServer(r, opts, image, s, harness, pubKey, "server-missing", undefined);
  await waitFinished(vm4, 0, opts.bootTimeoutMs + 400_000, r.progress, "server-missing (bootstrap waits 300 s for the volume)");
  const t4 = { port: vm4.sshPort, key, user };
  await waitSsh(t4, r.progress);
  const f4 = await collect(t4, [
    ["status", "cloud-init status --long --format json"],
    ["error", "grep -h 'torrust-bootstrap: ERROR' /var/log/cloud-init-output.log"],
    ["filesystems", "lsblk -n -o NAME,FSTYPE,LABEL"],
    ["compose", "docker ps -aq | wc -l"],
  ]);
  const err = f4.get("error")?.out.trim() ?? "";
  const fsList = f4.get("filesystems")?.out ?? "";
  const status = f4.get("status")?.out ?? "";
  r.add(
    err.includes("did not appear") && !fsList.includes("torrust-data") && /"status": "error"/.test(status) && f4.get("compose")?.out.trim() === "0"
      ? pass("fault: volume missing", `${err}; cloud-init status error; no disk formatted (${fsList.replace(/\s+/g, " ").trim()}); no container`)
      : fail("fault: volume missing", `error line ${JSON.stringify(err)}; disks ${fsList.replace(/\s+/g, " ")}; status ${status.slice(0, 200)}`),
  );
  await vm4.kill();
}

if (require.main === module) runMain(main);
