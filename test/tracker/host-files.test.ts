import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  AUTO_UPGRADES,
  CONNTRACK_MODULES,
  CONNTRACK_SYSCTL,
  DOCKER_DAEMON_JSON,
  DOCKER_STORAGE_DROP_IN,
  REBOOT_TIME,
  SSHD_DROP_IN,
  UNATTENDED_REBOOT,
  hostFiles,
} from "../../constructs/tracker/render";
import * as fs from "node:fs";
import * as path from "node:path";
import { tempDir } from "../helpers/tmp";
import { deployment } from "./fixtures";

function byPath(d = deployment()) {
  const { early, late } = hostFiles(d);
  return new Map([...early, ...late].map((f) => [f.path, f]));
}

const settings = (text: string) => text.split("\n").filter((l) => l && !l.startsWith("#"));

describe("host files", () => {
  it("hardens sshd in a drop-in that sorts before cloud-init's 50- file", () => {
    const f = byPath().get(SSHD_DROP_IN)!;
    assert.match(SSHD_DROP_IN, /^\/etc\/ssh\/sshd_config\.d\/[0-4]\d-/);
    for (const line of ["PermitRootLogin no", "PasswordAuthentication no", "KbdInteractiveAuthentication no"]) {
      assert.ok(settings(f.content).includes(line), line);
    }
  });

  it("passes Debian's sshd -t and wins over a later cloud-init drop-in (sshd -T, real OpenSSH 9.2)", () => {
    const dir = tempDir("sshd-");
    const conf = path.join(dir, "sshd_config.d");
    fs.mkdirSync(conf);
    fs.writeFileSync(path.join(conf, path.basename(SSHD_DROP_IN)), byPath().get(SSHD_DROP_IN)!.content);
    // What cloud-init writes when ssh_pwauth is on: must lose to ours.
    fs.writeFileSync(path.join(conf, "50-cloud-init.conf"), "PasswordAuthentication yes\n");
    const key = path.join(dir, "host_key");
    assert.equal(spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]).status, 0);
    // Ubuntu's sshd_config starts with this Include.
    fs.writeFileSync(path.join(dir, "sshd_config"), `Include ${conf}/*.conf\nHostKey ${key}\n`);
    fs.mkdirSync("/run/sshd", { recursive: true });
    const t = spawnSync("/usr/sbin/sshd", ["-t", "-f", path.join(dir, "sshd_config")], { encoding: "utf8" });
    assert.equal(t.status, 0, t.stderr);
    const effective = spawnSync("/usr/sbin/sshd", ["-T", "-f", path.join(dir, "sshd_config")], { encoding: "utf8" }).stdout;
    for (const line of ["permitrootlogin no", "passwordauthentication no", "kbdinteractiveauthentication no", "x11forwarding no"]) {
      assert.match(effective, new RegExp(`^${line}$`, "m"), line);
    }
  });

  it("turns on unattended upgrades with a reboot time clear of apt's upgrade window", () => {
    const files = byPath();
    assert.deepEqual(settings(files.get(AUTO_UPGRADES)!.content), [
      'APT::Periodic::Update-Package-Lists "1";',
      'APT::Periodic::Unattended-Upgrade "1";',
    ]);
    const reboot = settings(files.get(UNATTENDED_REBOOT)!.content);
    assert.ok(reboot.includes('Unattended-Upgrade::Automatic-Reboot "true";'));
    assert.ok(reboot.includes(`Unattended-Upgrade::Automatic-Reboot-Time "${REBOOT_TIME}";`));
    const [h] = REBOOT_TIME.split(":").map(Number);
    assert.ok(h >= 3 && h < 6, "after a 02:00–03:00 backup slot, before apt-daily-upgrade at 06:00");
  });

  it("loads nf_conntrack at boot and sizes conntrack for UDP", () => {
    const files = byPath();
    assert.deepEqual(settings(files.get(CONNTRACK_MODULES)!.content), ["nf_conntrack"]);
    assert.deepEqual(settings(files.get(CONNTRACK_SYSCTL)!.content), [
      "net.netfilter.nf_conntrack_max = 1048576",
      "net.netfilter.nf_conntrack_udp_timeout = 10",
      "net.netfilter.nf_conntrack_udp_timeout_stream = 15",
      "net.core.rps_sock_flow_entries = 32768",
      // quic-go v0.54.0 (Caddy 2.10.2's HTTP/3) wants 7 MiB UDP buffers.
      "net.core.rmem_max = 7340032",
      "net.core.wmem_max = 7340032",
    ]);
  });

  it("lets Docker manage ip6tables, before docker.io is installed, only with IPv6", () => {
    const { early } = hostFiles(deployment());
    assert.deepEqual(early.map((f) => f.path), [DOCKER_DAEMON_JSON]);
    assert.deepEqual(JSON.parse(early[0].content), { experimental: true, ip6tables: true });
    assert.deepEqual(hostFiles(deployment({ hetzner: { ipv6: false } })).early, []);
  });

  it("makes Docker wait for the data volume", () => {
    assert.deepEqual(settings(byPath().get(DOCKER_STORAGE_DROP_IN)!.content), ["[Unit]", "RequiresMountsFor=/opt/torrust/storage"]);
  });

  it("writes a POSIX-sh RPS script that parses", () => {
    const f = byPath().get("/opt/torrust/bin/net-tuning.sh")!;
    assert.equal(f.permissions, "0755");
    const res = spawnSync("sh", ["-n"], { input: f.content, encoding: "utf8" });
    assert.equal(res.status, 0, res.stderr);
  });
});
