// bootstrap.sh, statically and for real: it runs as root in a private mount namespace against a
// loop device standing in for the Hetzner volume, with /opt, /run and /etc/fstab replaced by
// test copies. systemctl, modprobe, sysctl, sshd and docker are logging stubs (named as such).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { BOOTSTRAP_SCRIPT, SECRET_FILES, STATS_RELAY_TOKEN_MARK, bootstrapScript, proxyBootstrapScript, statsRelayCaddyfile } from "../../constructs/tracker/render";
import { SECRETS_ENV } from "../../constructs/tracker/layout";
import { renderUserData } from "../../constructs/tracker/user-data";
import { deployment, edge, fixtureProxy } from "./fixtures";

describe("bootstrap.sh (static)", () => {
  const script = bootstrapScript(1212);

  it("is a strict bash script that parses", () => {
    assert.equal(script.path, BOOTSTRAP_SCRIPT);
    assert.equal(script.permissions, "0755");
    assert.match(script.content, /^#!\/usr\/bin\/env bash\n/);
    assert.match(script.content, /^set -euo pipefail$/m);
    const res = spawnSync("bash", ["-n"], { input: script.content, encoding: "utf8" });
    assert.equal(res.status, 0, res.stderr);
  });

  it("mounts with nofail, formats only a blank device and starts the compose project", () => {
    assert.match(script.content, /defaults,nofail,discard 0 2/);
    assert.match(script.content, /if \[ "\$rc" -eq 2 \]; then\n.*\n  mkfs\.ext4 /);
    assert.match(script.content, /docker compose -f \/opt\/torrust\/compose\.yaml up -d/);
  });

  it("wraps the proxy's commands in a traced strict script, and none when there are none", () => {
    const p = proxyBootstrapScript({ bootstrap: ["systemctl reload caddy"] })!;
    assert.match(p.content, /set -euo pipefail\nPS4='torrust-proxy-bootstrap: \+ '\nset -x\nsystemctl reload caddy\n$/);
    assert.equal(proxyBootstrapScript({ bootstrap: [] }), undefined);
  });
});

const HARNESS = String.raw`
set -euo pipefail
work=$1; shift
mount -t tmpfs tmpfs /run
mount --bind "$work/opt" /opt
mount --bind "$work/fstab" /etc/fstab
printf '#!/bin/sh\necho "net-tuning (stub)" >> %s/calls.log\n' "$work" > /opt/torrust/bin/net-tuning.sh
export PATH="$work/stubs:$PATH"
rc=0
bash /opt/torrust/bin/bootstrap.sh "$@" > "$work/out.log" 2>&1 || rc=$?
rm -rf "$work/state" && mkdir -p "$work/state"
if mountpoint -q /opt/torrust/storage; then
  (cd /opt/torrust/storage && find . -printf '%p %U:%G %m\n' | sort) > "$work/state/tree.txt"
  cp -a /opt/torrust/storage/. "$work/state/storage/" 2>/dev/null || cp -a /opt/torrust/storage "$work/state/storage"
fi
exit $rc
`;

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
  const res = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env } });
  if (res.error && (res.error as NodeJS.ErrnoException).code === "ENOENT") assert.fail(`${cmd} is not installed (Debian package util-linux/e2fsprogs)`);
  return res;
}

describe("bootstrap.sh (run against a loop device)", () => {
  let work = "";
  let device = "";
  const d = deployment();
  const ctx = edge(d);
  const ud = renderUserData({ deployment: d, edge: ctx, proxy: fixtureProxy(ctx), volumeDevice: "/dev/disk/by-id/scsi-0HC_Volume_1" });

  const bootstrap = (args: string[], env?: NodeJS.ProcessEnv) => {
    const res = run("unshare", ["-m", "--propagation", "private", "bash", "-c", HARNESS, "harness", work, ...args], env);
    const log = fs.existsSync(path.join(work, "out.log")) ? fs.readFileSync(path.join(work, "out.log"), "utf8") : "";
    return { status: res.status, log: `${log}${res.stderr}` };
  };
  const stored = (p: string) => path.join(work, "state", "storage", path.relative("/opt/torrust/storage", p));
  const tree = () => fs.readFileSync(path.join(work, "state", "tree.txt"), "utf8");

  before(() => {
    assert.equal(process.getuid?.(), 0, "this test needs root: it makes a loop device and a mount namespace");
    work = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-"));
    // The files cloud-init writes under /opt/torrust, exactly as renderUserData lists them.
    for (const f of ud.files.filter((f) => f.path.startsWith("/opt/"))) {
      const target = path.join(work, f.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content, { mode: parseInt(f.permissions ?? "0644", 8) });
    }
    fs.mkdirSync(path.join(work, "opt", "torrust", "storage"), { recursive: true });
    fs.writeFileSync(path.join(work, "fstab"), "# test fstab\n");
    fs.mkdirSync(path.join(work, "stubs"));
    for (const stub of ["systemctl", "modprobe", "sysctl", "sshd", "docker"]) {
      fs.writeFileSync(path.join(work, "stubs", stub), `#!/bin/sh\necho "${stub} $*" >> ${work}/calls.log\n`, { mode: 0o755 });
    }
    const img = path.join(work, "volume.img");
    fs.writeFileSync(img, "");
    fs.truncateSync(img, 64 * 1024 * 1024);
    const loop = run("losetup", ["--find", "--show", img]);
    assert.equal(loop.status, 0, `losetup failed (are loop devices available?): ${loop.stderr}`);
    device = loop.stdout.trim();
  });

  after(() => {
    if (device) run("losetup", ["-d", device]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("fails clearly when the volume device never appears", () => {
    const res = bootstrap(["/dev/disk/by-id/scsi-0HC_Volume_0"], { TORRUST_VOLUME_WAIT_SECONDS: "0" });
    assert.equal(res.status, 1, res.log);
    assert.match(res.log, /ERROR: volume device \/dev\/disk\/by-id\/scsi-0HC_Volume_0 did not appear within 0 s: check that the volume is attached/);
  });

  it("formats a blank volume, mounts it, creates owned state dirs and per-service secrets, then starts everything", () => {
    const res = bootstrap([device]);
    assert.equal(res.status, 0, res.log);
    assert.match(res.log, /has no filesystem: formatting it ext4/);
    assert.match(res.log, /torrust-bootstrap: done/);
    assert.equal(fs.readFileSync(path.join(work, "fstab"), "utf8"), `# test fstab\n${device} /opt/torrust/storage ext4 defaults,nofail,discard 0 2\n`);

    const t = tree();
    for (const line of [
      "./tracker/etc 10000:10000 750",
      "./tracker/etc/tracker.toml 10000:10000 640",
      "./tracker/lib/database 10000:10000 750",
      "./tracker/log 10000:10000 750",
      "./grafana/data 472:472 750",
      "./prometheus/data 10001:10001 750",
      "./secrets 0:0 700",
      "./secrets/tracker-admin-token 0:0 600",
      "./secrets/grafana-admin-password 0:0 600",
      "./secrets/tracker.env 0:0 600",
      "./secrets/grafana 472:472 500",
      "./secrets/grafana/admin-password 472:472 400",
      "./secrets/stats-relay 10003:10003 500",
      "./secrets/stats-relay/Caddyfile 10003:10003 400",
      "./secrets/secrets.env 0:0 600",
    ]) {
      assert.ok(t.split("\n").includes(line), `${line}\n--- tree:\n${t}`);
    }

    const token = fs.readFileSync(stored(SECRET_FILES.trackerAdminToken), "utf8");
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.match(fs.readFileSync(stored(SECRET_FILES.grafanaAdminPassword), "utf8"), /^[0-9a-f]{48}$/);
    assert.equal(fs.readFileSync(stored(SECRET_FILES.trackerEnv), "utf8"), `TORRUST_TRACKER_CONFIG_OVERRIDE_HTTP_API__ACCESS_TOKENS__ADMIN=${token}\n`);
    assert.match(fs.readFileSync(stored(SECRETS_ENV), "utf8"), new RegExp(`^TRACKER_ADMIN_TOKEN=${token}\n`));
    // The relay's Caddyfile: every request rewritten to the tracker's stats route with the token.
    const relay = fs.readFileSync(stored(`${SECRET_FILES.statsRelayDir}/Caddyfile`), "utf8");
    assert.equal(relay, statsRelayCaddyfile(1212).replace(STATS_RELAY_TOKEN_MARK, token));
    assert.match(relay, new RegExp(`^\trewrite \\* /api/v1/stats\\?token=${token}$`, "m"));
    assert.equal(fs.readFileSync(stored(`${SECRET_FILES.grafanaDir}/admin-password`), "utf8"), `${fs.readFileSync(stored(SECRET_FILES.grafanaAdminPassword), "utf8")}\n`);
    // Nothing world-readable holds a secret (item 7).
    assert.ok(!t.split("\n").some((l) => /secrets\/\S+ \d+:\d+ \d\d[4-7]$/.test(l)), `no world-readable secret:\n${t}`);
    assert.ok(!res.log.includes(token), "the token is not printed to the cloud-init log");

    const calls = fs.readFileSync(path.join(work, "calls.log"), "utf8");
    assert.match(calls, /^modprobe nf_conntrack$/m);
    assert.match(calls, /^sysctl -q -p \/etc\/sysctl\.d\/99-torrust-conntrack\.conf$/m);
    assert.match(calls, /^net-tuning \(stub\)$/m);
    assert.match(calls, /^docker compose -f \/opt\/torrust\/compose\.yaml up -d --remove-orphans$/m);
    // The fixture proxy's bootstrap ran after compose, and wrote onto the volume.
    assert.equal(fs.readFileSync(stored(`${ctx.stateDir}/ran`), "utf8"), "fixture-proxy-bootstrap\n");
  });

  it("is idempotent: a re-run without arguments keeps the filesystem, the secrets and one fstab line", () => {
    const token = fs.readFileSync(stored(SECRET_FILES.trackerAdminToken), "utf8");
    const password = fs.readFileSync(stored(SECRET_FILES.grafanaAdminPassword), "utf8");
    const res = bootstrap([]);
    assert.equal(res.status, 0, res.log);
    assert.match(res.log, /already has a ext4 filesystem: keeping it/);
    assert.doesNotMatch(res.log, /formatting|generated/);
    assert.equal(fs.readFileSync(stored(SECRET_FILES.trackerAdminToken), "utf8"), token);
    assert.equal(fs.readFileSync(stored(SECRET_FILES.grafanaAdminPassword), "utf8"), password);
    assert.equal(fs.readFileSync(path.join(work, "fstab"), "utf8").split("\n").filter((l) => l.includes("/opt/torrust/storage")).length, 1);
    assert.ok(fs.existsSync(stored(`${ctx.stateDir}/ran`)), "data written in the first run is still there");
  });
});
