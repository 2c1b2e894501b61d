// Every generated script through shellcheck, and every generated systemd unit and drop-in through
// systemd-analyze verify: real programs (Debian 12's shellcheck 0.9.0 and systemd 252), for the
// user_data of each real proxy plug-in.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { buildEdgeContext } from "../../constructs/edge/context";
import { PROXIES } from "../../constructs/proxies";
import { renderUserData } from "../../constructs/tracker/user-data";
import { tempDir } from "../helpers/tmp";
import { deployment } from "./fixtures";

function filesFor(kind: keyof typeof PROXIES) {
  const d = deployment({ proxy: { kind, hsts: true }, ...(kind === "pingoo" ? { grafana: { subdomain: "grafana", image: "grafana/grafana:12.4.2", live: false } } : {}) });
  const plugin = PROXIES[kind];
  const ctx = buildEdgeContext(d, { capabilities: plugin.capabilities, kind });
  return renderUserData({ deployment: d, edge: ctx, proxy: plugin.render(ctx), volumeDevice: "/dev/disk/by-id/scsi-0HC_Volume_1" }).files;
}

for (const kind of Object.keys(PROXIES) as (keyof typeof PROXIES)[]) {
  describe(`generated programs (${kind})`, () => {
    const files = filesFor(kind);

    it("every script passes shellcheck with no finding", () => {
      const scripts = files.filter((f) => f.content.startsWith("#!"));
      assert.ok(scripts.length >= 2, "bootstrap.sh and net-tuning.sh at least");
      for (const f of scripts) {
        const r = spawnSync("shellcheck", ["--format=gcc", "-"], { input: f.content, encoding: "utf8" });
        assert.equal(r.error, undefined, "shellcheck must be installed (scripts/install-test-deps.sh)");
        assert.equal(r.status, 0, `${f.path}:\n${r.stdout}${r.stderr}`);
      }
    });

    it("every unit and drop-in passes systemd-analyze verify", () => {
      const units = files.filter((f) => f.path.startsWith("/etc/systemd/system/"));
      const root = tempDir("units-");
      const dir = path.join(root, "etc/systemd/system");
      for (const u of units) {
        fs.mkdirSync(path.dirname(path.join(root, u.path)), { recursive: true });
        fs.writeFileSync(path.join(root, u.path), u.content);
      }
      // systemd's own targets (sysinit.target, ...) from this machine, so verify can build the start job.
      fs.mkdirSync(path.join(root, "lib/systemd/system"), { recursive: true });
      for (const t of fs.readdirSync("/lib/systemd/system").filter((n) => n.endsWith(".target"))) {
        fs.copyFileSync(path.join("/lib/systemd/system", t), path.join(root, "lib/systemd/system", t));
      }
      // The drop-ins extend units the packages ship: stand-in base units so verify loads them.
      const nginx = kind === "nginx-certbot";
      const bases: [string, string][] = [["docker.service", "/usr/bin/dockerd"], ...(nginx ? ([["nginx.service", "/usr/sbin/nginx"]] as [string, string][]) : [])];
      for (const [unit, exe] of bases) {
        fs.writeFileSync(path.join(dir, unit), `[Service]\nExecStart=${exe}\n`);
        fs.mkdirSync(path.join(root, path.dirname(exe)), { recursive: true });
        fs.writeFileSync(path.join(root, exe), "#!/bin/sh\n# stand-in executable for systemd-analyze verify\n", { mode: 0o755 });
      }
      // The generated programs the units run (nginx-certbot-bootstrap, backup.sh).
      for (const f of files.filter((x) => x.content.startsWith("#!"))) {
        fs.mkdirSync(path.join(root, path.dirname(f.path)), { recursive: true });
        fs.writeFileSync(path.join(root, f.path), f.content, { mode: 0o755 });
      }
      const names = [...bases.map(([unit]) => unit), ...units.filter((u) => /\.(service|timer)$/.test(u.path)).map((u) => path.basename(u.path))];
      const r = spawnSync("systemd-analyze", ["verify", `--root=${root}`, ...names.map((n) => path.join(dir, n))], { encoding: "utf8" });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      if (!nginx) return;
      const drop = units.find((u) => u.path === "/etc/systemd/system/nginx.service.d/10-torrust-storage.conf");
      assert.ok(drop, "nginx.service waits for the volume");
      assert.match(drop.content, /^\[Unit\]\nRequiresMountsFor=\/opt\/torrust\/storage\//m);
      // Item 9: nginx only ever runs under its unit.
      for (const f of files.filter((x) => x.content.startsWith("#!"))) {
        assert.doesNotMatch(f.content, /(^|[;&|]\s*|\|\|\s*)nginx\s*$/m, `${f.path} starts a bare nginx`);
        assert.doesNotMatch(f.content, /nginx -s /, `${f.path} signals nginx outside systemd`);
      }
    });
  });
}
