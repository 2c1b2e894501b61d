// One guest under qemu (TCG): a qcow2 overlay over the cached base image, the kernel and initrd
// passed directly, the NoCloud seed and the harness disk read-only, the data volume as a SCSI disk
// that reproduces Hetzner's by-id path, user-mode networking restricted to the host (no route
// out) with SSH forwarded on a loopback port, the serial console to a log, an HMP monitor socket.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import type { GuestImage } from "./image";
import { runOk, sleep, type Proc, type Processes } from "../rehearsal/proc";

export interface VolumeDisk {
  readonly file: string;
  readonly id: number;
}

export interface VmOptions {
  readonly name: string;
  readonly image: GuestImage;
  readonly workDir: string;
  readonly seed: string;
  readonly harness: string;
  /** Attached at start; absent = no volume (attach later with attachVolume). */
  readonly volume?: VolumeDisk;
  readonly memoryMb?: number;
  readonly cpus?: number;
  /** KVM instead of TCG: only when the user asks (--kvm); never probed. */
  readonly kvm?: boolean;
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for qemu). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The qemu-system-x86_64 arguments for a guest (pure: unit-tested). */
export function qemuArgs(o: VmOptions & { overlay: string; consoleLog: string; monitor: string; sshPort: number }): string[] {
  const args = [
    "-name", o.name,
    "-machine", "q35",
    "-accel", o.kvm ? "kvm" : "tcg,thread=multi",
    "-cpu", o.kvm ? "host" : "max",
    "-smp", String(o.cpus ?? 2),
    "-m", String(o.memoryMb ?? 2048),
    "-nodefaults", "-display", "none", "-vga", "none",
    "-kernel", o.image.kernel,
    "-initrd", o.image.initrd,
    "-append", "root=/dev/vda rw console=ttyS0,115200 panic=-1",
    "-drive", `file=${o.overlay},if=virtio,format=qcow2,cache=unsafe`,
    "-drive", `file=${o.seed},if=virtio,format=raw,readonly=on`,
    "-drive", `file=${o.harness},if=virtio,format=raw,readonly=on`,
    "-device", "virtio-scsi-pci,id=scsi0",
    "-nic", `user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:${o.sshPort}-:22`,
    "-serial", `file:${o.consoleLog}`,
    "-monitor", `unix:${o.monitor},server=on,wait=off`,
    "-device", "virtio-rng-pci",
  ];
  if (o.volume) args.push(...volumeArgs(o.volume));
  return args;
}

/** Hetzner volumes are SCSI disks whose by-id name is scsi-0HC_Volume_<id> (vendor HC, product Volume, serial <id>). */
export function volumeArgs(v: VolumeDisk): string[] {
  return ["-drive", `file=${v.file},if=none,id=volume,format=raw,cache=unsafe`, "-device", scsiHd(v)];
}
const scsiHd = (v: VolumeDisk) => `scsi-hd,bus=scsi0.0,drive=volume,vendor=HC,product=Volume,serial=${v.id},id=volume-dev`;

export class Vm {
  readonly consoleLog: string;
  readonly monitor: string;
  readonly overlay: string;
  proc?: Proc;
  sshPort = 0;
  startedAt = 0;

  constructor(
    readonly options: VmOptions,
    private readonly processes: Processes,
  ) {
    this.consoleLog = path.join(options.workDir, `${options.name}.console.log`);
    this.monitor = path.join(options.workDir, `${options.name}.monitor`);
    this.overlay = path.join(options.workDir, `${options.name}.qcow2`);
  }

  async start(): Promise<void> {
    // A new overlay: every server starts from the built image, in seconds.
    await runOk("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", this.options.image.base, this.overlay]);
    this.sshPort = await freeLoopbackPort();
    fs.writeFileSync(this.consoleLog, "");
    const args = qemuArgs({ ...this.options, overlay: this.overlay, consoleLog: this.consoleLog, monitor: this.monitor, sshPort: this.sshPort });
    this.startedAt = Date.now();
    this.proc = this.processes.start(`qemu-${this.options.name}`, "qemu-system-x86_64", args);
    await sleep(500);
    if (this.proc.exitCode !== undefined) throw new Error(`qemu exited at start (${this.proc.exitCode}): ${fs.readFileSync(this.proc.logFile, "utf8").slice(-800)}`);
  }

  /** The console text from byte `from` on. */
  console(from = 0): string {
    const buf = fs.readFileSync(this.consoleLog);
    return buf.subarray(from).toString("utf8");
  }

  consoleSize(): number {
    return fs.statSync(this.consoleLog).size;
  }

  /** One HMP command over the monitor socket; resolves with its output. */
  async hmp(command: string, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(this.monitor);
      let buf = "";
      let sent = false;
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`qemu monitor: no answer to "${command}" in ${timeoutMs} ms`));
      }, timeoutMs);
      sock.on("data", (d) => {
        buf += d.toString("utf8");
        if (!sent && buf.includes("(qemu)")) {
          sent = true;
          buf = "";
          sock.write(`${command}\n`);
        } else if (sent && buf.includes("(qemu)")) {
          clearTimeout(timer);
          sock.end();
          // The monitor echoes the command with terminal escapes; keep the answer lines.
          resolve(buf.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").split(/\r?\n/).slice(1, -1).join("\n").trim());
        }
      });
      sock.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Hot-plugs the volume (a Hetzner volume attached to a running server). */
  async attachVolume(v: VolumeDisk): Promise<void> {
    const a = await this.hmp(`drive_add 0 file=${v.file},if=none,id=volume,format=raw,cache=unsafe`);
    if (!/OK/.test(a)) throw new Error(`drive_add: ${a}`);
    const b = await this.hmp(`device_add ${scsiHd(v)}`);
    if (b) throw new Error(`device_add: ${b}`);
  }

  /** Stops qemu by its PID (the guest's disks are throwaway overlays; the volume is cache=unsafe, so flush first via poweroff when it matters). */
  async kill(): Promise<void> {
    if (this.proc) await this.processes.stop(this.proc, "SIGTERM", 5000);
  }

  async exited(timeoutMs: number): Promise<boolean> {
    if (!this.proc) return true;
    return Promise.race([this.proc.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  }
}
