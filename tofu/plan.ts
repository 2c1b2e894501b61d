// npm run plan -- [deployment file or folder] [--against OLDER_FILE]
// Plans offline with OpenTofu and the locally built providers: what would be created, or, with
// --against, what changing OLDER_FILE into the deployment does to each resource.
import * as os from "node:os";
import { parseArgs } from "node:util";
import type { ResourceVerdict } from "./changes";
import { tally } from "./changes";
import { CLOSED_PORT, TofuError, assertClosed } from "./offline";
import { type StackPlan, planAgainst, planDeployments } from "./offline-plan";
import { SynthError } from "./stack";
import { ToolMissingError } from "../scripts/tools";

const USAGE = "usage: npm run plan -- [deployment file or folder (default: deployments)] [--against OLDER_DEPLOYMENT_FILE]";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { against: { type: "string" }, help: { type: "boolean" } }, allowPositionals: true });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1) {
    console.error(USAGE);
    return 1;
  }
  const target = positionals[0] ?? process.env.TRACKER_DEPLOYMENTS ?? "deployments";
  await assertClosed();
  const plans = values.against ? [planAgainst(target, values.against)] : planDeployments(target);
  const standIns = [...new Set(plans.flatMap((p) => p.standIns))];
  console.log(`Offline plan: OpenTofu 1.10.10 with providers built on this machine; dummy credentials; every API endpoint is`);
  console.log(`http://127.0.0.1:${CLOSED_PORT} (closed, checked): nothing leaves this machine.`);
  for (const s of standIns) console.log(`Cloudflare: ${s}.`);
  for (const p of plans) print(p, values.against);
  return 0;
}

function print(p: StackPlan, against: string | undefined): void {
  console.log("");
  console.log(`${p.name}: state backend ${home(p.configuredBackend)} → overridden to a local file in ${home(p.dir)} for this offline plan`);
  if (against) {
    console.log(`prior state fabricated from ${against}'s planned values (${p.priorPlans} plans, ${p.seconds.prior!.toFixed(1)} s), then planned with -refresh=false`);
  }
  const t = tally(p.verdicts);
  const counts = (["created", "replaced", "changed in place", "destroyed", "kept"] as const).filter((k) => t[k]).map((k) => `${t[k]} ${k}`);
  console.log(`${counts.join(", ") || "nothing"} (init ${p.seconds.init.toFixed(1)} s, plan ${p.seconds.plan.toFixed(1)} s); OpenTofu: ${p.plan.summary}`);
  const width = Math.max(...p.verdicts.map((v) => v.verdict.length));
  for (const v of p.verdicts) {
    if (against && v.verdict === "kept") continue;
    console.log(`  ${v.verdict.padEnd(width)}  ${label(p, v)}${detail(p, v)}`);
  }
  if (against) {
    const kept = p.verdicts.filter((v) => v.verdict === "kept").map((v) => p.paths.get(v.address) ?? v.address);
    wrap(kept.join(", "), 100).forEach((line, i) => console.log(`  ${(i === 0 ? "kept" : "").padEnd(width)}  ${line}`));
    const cf = p.verdicts.filter((v) => v.type.startsWith("cloudflare_") && (v.verdict === "replaced" || v.verdict === "changed in place"));
    if (cf.length > 0 && p.standIns.length > 0) {
      console.log("  (Cloudflare: in place or replaced is decided by the stand-in's RequiresReplace facts of 5.14.0, not by the real provider.)");
    }
    const server = p.verdicts.find((v) => v.type === "hcloud_server" && (v.verdict === "replaced" || v.verdict === "destroyed"));
    if (server) {
      const kept = (type: string) => p.verdicts.some((v) => v.type === type && v.verdict === "kept");
      const kinds = Object.entries({ hcloud_primary_ip: "the primary IPs", hcloud_volume: "the data volume", cloudflare_dns_record: "DNS records" })
        .filter(([type]) => kept(type))
        .map(([, what]) => what);
      console.log("");
      console.log(`!!! WARNING: the server is ${server.verdict.toUpperCase()} (${server.attributes.join(", ") || "removed from the deployment"}).`);
      console.log("!!! A new server boots and runs cloud-init: the tracker is down for several minutes.");
      console.log(`!!! Kept: ${kinds.join(", ") || "none of the addresses, DNS records or data volume"}.`);
    }
  }
}

/** `path` with the home folder shown as ~. */
function home(text: string): string {
  return text.split(os.homedir() + "/").join("~/");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

function label(p: StackPlan, v: ResourceVerdict): string {
  return `${v.type} ${p.paths.get(v.address) ?? v.address}`;
}

type Rule = { protocol: string; port?: string | null; description?: string | null };
const ruleText = (r: Rule) => `${r.protocol}${r.port ? `/${r.port}` : ""}`;
const PROTOCOLS = ["tcp", "udp", "icmp"];
const byPort = (a: Rule, b: Rule) => PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) || Number(a.port ?? 0) - Number(b.port ?? 0);

/** Why it changes, or for a create the attributes that identify it. */
function detail(p: StackPlan, v: ResourceVerdict): string {
  if (v.verdict === "replaced") return `: forced by ${v.attributes.join(", ")}`;
  const a = (v.change.after ?? {}) as Record<string, any>;
  if (v.verdict === "changed in place") {
    const b = (v.change.before ?? {}) as Record<string, any>;
    return `: ${v.attributes
      .map((attr) => {
        if (v.type === "hcloud_firewall" && attr === "rule") {
          const [was, now] = [(b.rule ?? []) as Rule[], (a.rule ?? []) as Rule[]].map((rs) => new Set(rs.map(ruleText)));
          const diff = [...[...was!].filter((r) => !now!.has(r)).map((r) => `-${r}`), ...[...now!].filter((r) => !was!.has(r)).map((r) => `+${r}`)];
          return `rule (${diff.join(" ") || "descriptions"})`;
        }
        const scalar = (x: unknown) => x === null || ["string", "number", "boolean"].includes(typeof x);
        const unknown = (v.change.after_unknown as Record<string, unknown> | undefined)?.[attr] === true;
        return scalar(b[attr]) && (unknown || scalar(a[attr])) ? `${attr} ${b[attr]} → ${unknown ? "(known after apply)" : a[attr]}` : attr;
      })
      .join(", ")}`;
  }
  if (v.verdict !== "created") return "";
  const known = (x: unknown) => (x === undefined || x === null ? "(known after apply)" : String(x));
  switch (v.type) {
    case "hcloud_server": {
      const userData = String(p.json.resource?.hcloud_server?.[v.address.split(".")[1]!]?.user_data ?? "");
      return `: ${a.name}, ${a.server_type} in ${a.location}, ${a.image}, keep_disk ${a.keep_disk}, user_data ${Buffer.byteLength(userData)} bytes`;
    }
    case "hcloud_primary_ip":
      return `: ${a.name}, ${a.type} in ${a.location}, delete protection ${a.delete_protection}`;
    case "hcloud_volume":
      return `: ${a.name}, ${a.size} GB ${a.format} in ${a.location}, delete protection ${a.delete_protection}`;
    case "hcloud_firewall":
      return `: ${a.name}, ${[...((a.rule ?? []) as Rule[])].sort(byPort).map(ruleText).join(" ")}`;
    case "hcloud_rdns":
      return `: ${a.dns_ptr}`;
    case "hcloud_ssh_key":
      return `: ${a.name}`;
    case "cloudflare_dns_record":
      return `: ${a.type} ${a.name} ${a.data ? `${a.data.flags} ${a.data.tag} "${a.data.value}"` : known(a.content)} ttl ${a.ttl}${a.proxied ? " proxied" : ""}`;
    default:
      return "";
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof SynthError || e instanceof ToolMissingError || e instanceof TofuError) console.error(e.message);
    else if (e instanceof Error) console.error(`plan: ${e.message}`);
    else console.error(e);
    process.exitCode = 1;
  },
);
