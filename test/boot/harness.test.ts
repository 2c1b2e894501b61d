// The pure parts of the boot harness: qemu's command line (TCG, the volume as Hetzner names it, no
// route out), the stand-in image manifest and the command-line options.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { parseArgs, standinManifest } from "../../boot/boot";
import type { GuestImage } from "../../boot/image";
import { qemuArgs } from "../../boot/vm";

const image = { kernel: "/c/vmlinuz", initrd: "/c/initrd.img", base: "/c/base.qcow2" } as GuestImage;
const base = { name: "s1", image, workDir: "/w", seed: "/w/seed.img", harness: "/w/h.img", overlay: "/w/s1.qcow2", consoleLog: "/w/c.log", monitor: "/w/m", sshPort: 40022 };

test("qemu: TCG unless --kvm, kernel and initrd direct, restricted user network with SSH on loopback only", () => {
  const args = qemuArgs(base).join(" ");
  assert.match(args, /-accel tcg,thread=multi/);
  assert.doesNotMatch(args, /kvm/);
  assert.match(args, /-kernel \/c\/vmlinuz -initrd \/c\/initrd.img -append root=\/dev\/vda rw console=ttyS0/);
  assert.match(args, /-nic user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127\.0\.0\.1:40022-:22/);
  assert.match(args, /-serial file:\/w\/c.log/);
  assert.match(args, /file=\/w\/seed.img,if=virtio,format=raw,readonly=on/);
  assert.doesNotMatch(args, /scsi-hd/, "no volume unless given");
  assert.match(qemuArgs({ ...base, kvm: true }).join(" "), /-accel kvm/);
});

test("qemu: the volume is a SCSI disk with vendor HC, product Volume and the id as serial (scsi-0HC_Volume_<id>)", () => {
  const args = qemuArgs({ ...base, volume: { file: "/w/vol.raw", id: 104857601 } });
  assert.ok(args.some((a) => a.includes("file=/w/vol.raw,if=none,id=volume")));
  assert.ok(args.includes("virtio-scsi-pci,id=scsi0"));
  assert.ok(args.some((a) => a === "scsi-hd,bus=scsi0.0,drive=volume,vendor=HC,product=Volume,serial=104857601,id=volume-dev"), args.join(" "));
});

test("stand-in manifest: each image once, container ports by protocol, busybox keeps its command", () => {
  const compose = [
    "services:",
    "  tracker: { image: 'torrust/tracker:v3.0.0', ports: ['6969:6969/udp', '127.0.0.1:7070:7070', '127.0.0.1:1212:1212'] }",
    "  grafana: { image: 'grafana/grafana:12.4.2', ports: ['127.0.0.1:3000:3000'] }",
    "  hello: { image: 'busybox:1.37.0', network_mode: host }",
    "  caddy: { image: 'caddy:2.10.2', network_mode: host }",
  ].join("\n");
  assert.equal(
    standinManifest(compose),
    "torrust/tracker:v3.0.0|7070 1212|6969|listen\ngrafana/grafana:12.4.2|3000||listen\nbusybox:1.37.0|||busybox\ncaddy:2.10.2|||listen\n",
  );
});

test("options: defaults, and bad values named with what is allowed", () => {
  const o = parseArgs([]);
  assert.equal(o.faults, false);
  assert.equal(o.kvm, false);
  assert.match(o.deployment, /deployments\/example\.yaml$/);
  assert.equal(parseArgs(["--faults-only"]).faults, true);
  assert.throws(() => parseArgs(["--proxy", "haproxy"]), /--proxy: "haproxy" is not a proxy kind \(allowed: caddy, nginx-certbot, pingoo\)/);
  assert.throws(() => parseArgs(["--boot-timeout-minutes", "0"]), /positive/);
  assert.throws(() => parseArgs(["--nope"]), /unknown argument --nope/);
});
