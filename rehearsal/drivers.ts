// How each proxy is started, restarted and renewed in the rehearsal: exactly the way the
// generated deployment does it on the server, with only the container/systemd layer replaced.
//   Caddy: the compose service's command and environment, run with Debian's caddy 2.6.2
//          (paths in the container equal host paths); renewal = Caddy's own renewal check, run
//          by a forced config reload (`caddy reload --force`, what `docker compose exec caddy`
//          would run; the same check Caddy's maintenance loop runs every 10 minutes).
//   nginx + certbot: Debian's nginx.service started as the package install does, then the
//          plug-in's first-boot commands from runcmd (systemctl → the rehearsal's service
//          manager running the generated unit); renewal = the generated renewal script, and
//          certbot.service (what certbot.timer starts) with the generated drop-in.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Proc, Processes } from "./proc";
import { killPid, pidAlive, run, serverEnv, sleep } from "./proc";
import type { ScenarioSpec } from "./spec";
import type { ServiceManager } from "./units";

export interface ProxyDriver {
  /** What the package install / compose does before runcmd. */
  beforeRuncmd(): Promise<void>;
  /** The first boot's proxy start (compose up, or the plug-in's runcmd lines). */
  firstBoot(): Promise<void>;
  /** A restart as after a reboot; returns what was done. */
  restart(): Promise<string>;
  /** The deployment's renewal path, triggered now; returns what was run. */
  renew(): Promise<string>;
  /** A second renewal path (certbot.timer's service), if the proxy has one. */
  renewViaTimer?(): Promise<string>;
  stop(): Promise<void>;
}

export class CaddyDriver implements ProxyDriver {
  private proc?: Proc;

  constructor(
    private readonly spec: ScenarioSpec,
    private readonly procs: Processes,
  ) {}

  private start(): void {
    const svc = this.spec.composeService;
    if (!svc) throw new Error("the generated compose file has no Caddy service");
    const [command, ...args] = svc.command;
    if (!command) throw new Error(`compose service ${svc.name} has no command`);
    // The image's /config and /data volumes: per-run folders here.
    const xdg = path.join(this.spec.runDir, "caddy-image-volumes");
    this.proc = this.procs.start("caddy", command, args, {
      env: serverEnv({ ...svc.environment, XDG_CONFIG_HOME: `${xdg}/config`, XDG_DATA_HOME: `${xdg}/data` }),
    });
  }

  async beforeRuncmd(): Promise<void> {}

  async firstBoot(): Promise<void> {
    this.start();
  }

  async restart(): Promise<string> {
    if (this.proc) await this.procs.stop(this.proc, "SIGTERM", 10_000);
    this.start();
    return "caddy stopped (SIGTERM) and started again with the same storage, as `docker compose restart caddy`";
  }

  async renew(): Promise<string> {
    const caddyfile = this.spec.caddyfile ?? "";
    const r = await run("caddy", ["reload", "--config", caddyfile, "--adapter", "caddyfile", "--force"], { timeoutMs: 20_000 });
    if (r.code !== 0) throw new Error(`caddy reload failed: ${(r.stderr || r.stdout).trim().slice(-300)}`);
    return "caddy reload --force (Caddy's renewal check on config load)";
  }

  async stop(): Promise<void> {
    if (this.proc) await this.procs.stop(this.proc, "SIGTERM", 5000);
  }
}

export class NginxCertbotDriver implements ProxyDriver {
  constructor(
    private readonly spec: ScenarioSpec,
    private readonly manager: ServiceManager,
    private readonly logDir: string,
  ) {}

  async beforeRuncmd(): Promise<void> {
    // `apt-get install nginx` starts nginx.service with the stock site on port 80.
    await this.manager.start("nginx.service");
    if (this.manager.unit("nginx.service").state !== "active") throw new Error("nginx.service (stock Debian config) did not start");
  }

  async firstBoot(): Promise<void> {
    for (const line of this.spec.bootstrap) {
      const r = await run("/bin/sh", ["-c", line], { timeoutMs: 60_000 });
      fs.appendFileSync(path.join(this.logDir, "runcmd.log"), `$ ${line}\n${r.stdout}${r.stderr}(exit ${r.code})\n`);
      if (r.code !== 0) throw new Error(`runcmd line failed (${r.code}): ${line}: ${(r.stderr || r.stdout).trim().slice(-300)}`);
    }
  }

  private get paths() {
    const p = this.spec.nginxCertbot;
    if (!p) throw new Error("nginx-certbot paths missing from the scenario");
    return p;
  }

  async restart(): Promise<string> {
    const unit = path.basename(this.paths.bootstrapUnit);
    for (const args of [["restart", "nginx"], ["restart", unit]]) {
      const r = await this.manager.systemctl(args);
      if (r.code !== 0) throw new Error(`systemctl ${args.join(" ")} failed: ${r.output}`);
    }
    return `nginx.service restarted and ${unit} run again (as at boot)`;
  }

  async renew(): Promise<string> {
    const r = await run(this.paths.renew, [], { timeoutMs: 60_000 });
    fs.appendFileSync(path.join(this.logDir, "renew.log"), `${r.stdout}${r.stderr}(exit ${r.code})\n`);
    if (r.code !== 0) throw new Error(`${this.paths.renew} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-300)}`);
    return `${this.paths.renew} (certbot renew + deploy hook)`;
  }

  async renewViaTimer(): Promise<string> {
    const r = await this.manager.systemctl(["start", "certbot.service"]);
    if (r.code !== 0) throw new Error(`certbot.service failed; see unit-certbot.service.log`);
    return "certbot.service, as certbot.timer starts it (unit + generated drop-in)";
  }

  async stop(): Promise<void> {
    await this.manager.stopAll();
    // nginx started by a script rather than the unit: its pid file.
    try {
      const pid = Number(fs.readFileSync("/run/nginx.pid", "utf8").trim());
      if (pid > 0 && pidAlive(pid)) {
        killPid(pid, "SIGQUIT");
        for (let i = 0; i < 30 && pidAlive(pid); i++) await sleep(100);
        if (pidAlive(pid)) killPid(pid, "SIGKILL");
      }
    } catch {
      // no pid file: not running
    }
  }
}
