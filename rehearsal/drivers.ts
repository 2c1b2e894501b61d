// How each proxy is started, restarted and renewed in the rehearsal: exactly the way the
// generated deployment does it on the server, with only the container/systemd layer replaced.
//   Caddy: the compose service's command and environment, run with the caddy of programs.ts
//          (production's 2.10.2 when built, else Debian's 2.6.2; paths in the container equal
//          host paths); renewal = a restart (`docker compose restart caddy`) with certificates
//          that Caddy's own rule says are due (caddyRenewal below): its start-up renews them.
//   nginx + certbot: Debian's nginx.service started as the package install does, then the
//          plug-in's first-boot commands from runcmd (systemctl → the rehearsal's service
//          manager running the generated unit); renewal = the generated renewal script, and
//          certbot.service (what certbot.timer starts) with the generated drop-in.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Proc, Processes } from "./proc";
import { killPid, pidAlive, run, serverEnv, sleep } from "./proc";
import { versionAtLeast } from "./programs";
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
  /** The log line showing the first certificate attempt failed and a retry is scheduled, once there is one. */
  failedFirstAttempt(): string | undefined;
  stop(): Promise<void>;
}

/**
 * When Caddy renews a managed certificate, and the lifetime the rehearsal asks Pebble for so the
 * renewal row needs no time window.
 *
 * What decides: certmagic's Certificate.NeedsRenewal. Caddy 2.10.2 (certmagic v0.24.0,
 * certificates.go certNeedsRenewal): due inside the last third of the lifetime
 * (DefaultRenewalWindowRatio), or when less than 5 × RenewCheckInterval (10 min by default,
 * maintain.go / cache.go) remains, so any certificate of under 50 minutes is due as soon as it is
 * issued. Caddy 2.6.2 (certmagic v0.17.2): the last third only.
 *
 * What triggers the check, measured against the source: the maintenance loop (every 10 minutes,
 * not configurable without editing the generated Caddyfile's `renew_interval`), and
 * Config.manageOne when Caddy starts. A config reload (`caddy reload --force`, admin `/load`) does
 * not renew in 2.10.2: manageOne returns at once for a certificate the cache already manages
 * (certmagic v0.24.0 config.go: "if certificate is already being managed, nothing to do"), and the
 * old TLS app's Cleanup evicts only names the new config no longer manages (caddy v2.10.2
 * modules/caddytls/tls.go). In 2.6.2 a reload did re-run the check, racing with that cleanup:
 * the old row's flakiness. So the row restarts Caddy, an event the rehearsal controls, with
 * certificates already due: manageOne loads each from storage, serves it and renews it in the
 * background (RenewCertAsync); the row waits for the new serials.
 */
export function caddyRenewal(version: string): { readonly validitySeconds: number; readonly dueAt: (notBefore: Date, notAfter: Date) => number; readonly rule: string } {
  const lastThird = (notBefore: Date, notAfter: Date) => notAfter.getTime() - (notAfter.getTime() - notBefore.getTime()) / 3;
  if (versionAtLeast(version, "2.10")) {
    const fiftyMinutes = 5 * 10 * 60_000;
    return {
      // 30 minutes: due at issuance (under 50 minutes left) and far from expiring during the run.
      validitySeconds: 1800,
      dueAt: (nb, na) => Math.min(lastThird(nb, na), na.getTime() - fiftyMinutes),
      rule: "due when under 5 × the 10 min renewal check interval remains (certmagic v0.24.0)",
    };
  }
  return {
    // 90 s: due after 60 s (the last third), 30 s left to renew.
    validitySeconds: 90,
    dueAt: lastThird,
    rule: "due in the last third of its lifetime (certmagic v0.17.2)",
  };
}

export class CaddyDriver implements ProxyDriver {
  private proc?: Proc;

  constructor(
    private readonly spec: ScenarioSpec,
    private readonly procs: Processes,
  ) {}

  private start(): void {
    const svc = this.spec.composeService;
    const caddy = this.spec.caddy;
    if (!svc) throw new Error("the generated compose file has no Caddy service");
    if (!caddy) throw new Error("no caddy program in the scenario");
    const [command, ...args] = svc.command;
    // The image runs `caddy` from its PATH: here, the chosen build.
    if (command !== "caddy") throw new Error(`compose service ${svc.name} runs ${command ?? "nothing"}, not caddy`);
    // The image's /config and /data volumes: per-run folders here.
    const xdg = path.join(this.spec.runDir, "caddy-image-volumes");
    this.proc = this.procs.start("caddy", caddy.path, args, {
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

  failedFirstAttempt(): string | undefined {
    // certmagic's doWithRetry logs "will retry" with "retrying_in" (async.go, v0.17.2 and v0.24.0).
    const log = this.proc ? fs.readFileSync(this.proc.logFile, "utf8") : "";
    const line = log.split("\n").find((l) => l.includes('"will retry"'));
    return line ? `caddy: will retry in ${/"retrying_in":([\d.]+)/.exec(line)?.[1] ?? "?"} s` : undefined;
  }

  async renew(): Promise<string> {
    await this.restart();
    return `caddy restarted with certificates it considers due (${caddyRenewal(this.spec.caddy?.version ?? "0").rule}); its start-up renews them`;
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

  failedFirstAttempt(): string | undefined {
    // The generated bootstrap's retry loop (constructs/proxies/nginx-certbot/scripts.ts).
    const file = path.join(this.logDir, `unit-${path.basename(this.paths.bootstrapUnit)}.log`);
    const log = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    return /nginx-certbot-bootstrap: (not yet; next attempt in \d+s)/.exec(log)?.[1];
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
