// The parsers of what the guest prints, against outputs captured from a real boot of the example
// deployment (test/boot/fixtures/: `cloud-init analyze dump` of a first boot whose runcmd failed
// and the reboot after it, and sections of the facts script), plus the rows built from them.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { cloudInitRows, orderRows, packagesRow, secretRows, sysctlRow, unitRows, volumeRows } from "../../boot/checks";
import { CONNTRACK_SYSCTLS } from "../../constructs/tracker/render/host-files";
import { factsScript, parseAnalyzeDump, parseCloudInitStatus, parseFacts, parseStat, parseSystemctlShow, unixTimestamp } from "../../boot/guest-facts";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const DEVICE = "/dev/disk/by-id/scsi-0HC_Volume_103985241";

test("facts script and parser round-trip sections with their exit codes", () => {
  const script = factsScript([["one", "echo a; echo b"], ["two", "false"]]);
  assert.match(script, /echo '=====BOOT-SECTION one'/);
  const facts = parseFacts("=====BOOT-SECTION one\na\nb\n=====BOOT-SECTION-rc 0\n=====BOOT-SECTION two\n=====BOOT-SECTION-rc 1\n");
  assert.deepEqual(facts.get("one"), { out: "a\nb", rc: 0 });
  assert.deepEqual(facts.get("two"), { out: "", rc: 1 });
  assert.throws(() => factsScript([["bad name; rm", "true"]]), /section name/);
});

test("analyze dump: module results per boot; a failed runcmd shows as scripts-user FAIL", () => {
  const boots = parseAnalyzeDump(fixture("analyze-dump.json"));
  assert.equal(boots.length, 2);
  const first = new Map(boots[0].map((m) => [m.name, m]));
  assert.equal(first.get("modules-final/config-scripts-user")?.result, "FAIL");
  assert.equal(first.get("modules-final/config-package-update-upgrade-install")?.result, "SUCCESS");
  assert.ok(first.get("modules-final/config-package-update-upgrade-install")!.seconds > 100);
  const second = new Map(boots[1].map((m) => [m.name, m]));
  assert.match(second.get("modules-final/config-scripts-user")!.description, /previously ran/);
  assert.throws(() => parseAnalyzeDump("not json"), /not JSON/);
});

test("cloud-init rows fail for a failed module and pass for a clean boot", () => {
  const dump = JSON.parse(fixture("analyze-dump.json")) as Array<{ name: string; event_type: string }>;
  const firstBootOnly = JSON.stringify(dump.slice(0, dump.findIndex((e, i) => i > 0 && e.name === "init-local" && e.event_type === "start")));
  const status = '{"status": "error", "extended_status": "error", "errors": ["runcmd failed"], "datasource": "nocloud", "recoverable_errors": {}}';
  const rows = cloudInitRows(new Map([["analyze", { out: firstBootOnly, rc: 0 }], ["status", { out: status, rc: 1 }]]), "");
  const byName = new Map(rows.map((r) => [r.name, r]));
  assert.equal(byName.get("cloud-init status")?.status, "FAIL");
  assert.equal(byName.get("module scripts-user")?.status, "FAIL");
  assert.equal(byName.get("module package-update-upgrade-install")?.status, "PASS");
  const facts = parseFacts(fixture("facts.txt"));
  facts.set("analyze", { out: fixture("analyze-dump.json"), rc: 0 });
  assert.ok(cloudInitRows(facts, "").every((r) => r.status === "PASS"), JSON.stringify(cloudInitRows(facts, "")));
});

test("status: degraded is a failure that names each recoverable error", () => {
  const st = parseCloudInitStatus('{"status": "done", "extended_status": "degraded done", "errors": [], "recoverable_errors": {"WARNING": ["w1", "w2"]}}');
  assert.equal(st.extendedStatus, "degraded done");
  assert.deepEqual(st.recoverable, [{ level: "WARNING", message: "w1" }, { level: "WARNING", message: "w2" }]);
  const rows = cloudInitRows(new Map([["status", { out: '{"status": "done", "extended_status": "degraded done", "errors": [], "recoverable_errors": {"WARNING": ["w1"]}}', rc: 0 }], ["analyze", { out: "[]", rc: 0 }]]), "");
  assert.equal(rows[0].status, "FAIL");
  assert.match(rows[0].detail, /degraded by: WARNING: w1/);
});

test("captured volume, secrets, sysctl and order sections give passing rows; changed ones fail", () => {
  const facts = parseFacts(fixture("facts.txt"));
  const vol = volumeRows(facts, DEVICE, "");
  assert.deepEqual(vol.rows.map((r) => r.status), ["PASS", "PASS"], JSON.stringify(vol.rows));
  assert.equal(secretRows(facts, "", 1).rows[1].status, "FAIL", "a secret on the serial console fails");
  const order = orderRows(facts, "", false);
  assert.ok(order.every((r) => r.status === "PASS"), JSON.stringify(order));
  // Docker active before the mount on a reboot is a failure.
  const early = new Map(facts).set("docker_unit", { out: facts.get("docker_unit")!.out.replace(/ExecMainStartTimestamp=@\d+/, "ExecMainStartTimestamp=@1796003000"), rc: 0 });
  assert.equal(orderRows(early, "", false)[1].status, "FAIL");
  const noNofail = new Map(facts).set("fstab", { out: `${DEVICE} /opt/torrust/storage ext4 defaults,discard 0 2`, rc: 0 });
  assert.equal(volumeRows(noNofail, DEVICE, "").rows[1].status, "FAIL");
});

test("systemctl show, unix timestamps and stat lines", () => {
  assert.deepEqual(parseSystemctlShow("A=1\nB=x=y\n"), { A: "1", B: "x=y" });
  assert.equal(unixTimestamp("@1796003405"), 1796003405000);
  assert.equal(unixTimestamp(""), undefined);
  assert.deepEqual(parseStat("/a|root|root|600|64").get("/a"), { owner: "root", group: "root", mode: 0o600, size: 64 });
});

test("secrets: owner-only files and folders pass (root or the container user); group/other access or a missing one fails", () => {
  // A constructed `find -printf '%p|%u|%g|%m|%s|%y'` listing in the layout the bootstrap creates.
  const listing = [
    "/opt/torrust/storage/secrets|root|root|700|4096|d",
    "/opt/torrust/storage/secrets/grafana|472|472|500|4096|d",
    "/opt/torrust/storage/secrets/grafana/admin-password|472|472|400|49|f",
    "/opt/torrust/storage/secrets/tracker-admin-token|root|root|600|64|f",
    "/opt/torrust/storage/secrets/tracker.env|root|root|600|112|f",
  ].join("\n");
  const bootstrap = "… /opt/torrust/storage/secrets/tracker.env … /opt/torrust/storage/secrets/grafana …";
  const facts = new Map([["secrets_stat", { out: listing, rc: 0 }], ["secret_leaks", { out: "journal 0", rc: 0 }]]);
  const ok = secretRows(facts, "", 0, bootstrap).rows;
  assert.deepEqual(ok.map((r) => r.status), ["PASS", "PASS"], JSON.stringify(ok));
  assert.match(ok[0].detail, /3 files \(472 0400, root 0600\) in 2 folders/);
  const loose = new Map(facts).set("secrets_stat", { out: listing.replace("tracker.env|root|root|600", "tracker.env|root|root|640"), rc: 0 });
  assert.match(secretRows(loose, "", 0, bootstrap).rows[0].detail, /tracker.env root 640/);
  const missing = new Map(facts).set("secrets_stat", { out: listing.split("\n").slice(0, 3).join("\n"), rc: 0 });
  assert.match(secretRows(missing, "", 0, bootstrap).rows[0].detail, /tracker-admin-token missing; .*tracker.env missing/);
  assert.equal(secretRows(new Map(facts).set("secret_leaks", { out: "journal 2", rc: 0 }), "", 0, bootstrap).rows[1].status, "FAIL");
});

test("sysctls: every tuned key compared with the generated value", () => {
  const all = Object.entries(CONNTRACK_SYSCTLS).map(([k, v]) => `${k}=${v}`).join("\n");
  assert.equal(sysctlRow(new Map([["sysctl", { out: all, rc: 0 }]]), "").status, "PASS");
  const [first] = Object.keys(CONNTRACK_SYSCTLS);
  const row = sysctlRow(new Map([["sysctl", { out: all.replace(new RegExp(`^${first}=.*$`, "m"), `${first}=7`), rc: 0 }]]), "");
  assert.equal(row.status, "FAIL");
  assert.match(row.detail, new RegExp(`${first}=7 \\(expected`));
});

test("unit rows: a service its active timer starts may be idle; any other inactive unit fails", () => {
  const facts = (lines: string) => new Map([["units", { out: lines, rc: 0 }]]);
  const ok = unitRows(facts("torrust-backup.timer active waiting enabled\ntorrust-backup.service inactive dead static\nnginx.service active running enabled"), "");
  assert.deepEqual(ok.map((r) => r.status), ["PASS", "PASS", "PASS"], JSON.stringify(ok));
  assert.match(ok[1].detail, /idle until torrust-backup\.timer starts it/);
  // Without its timer running, the same service is a failure, and so is an inactive unit with no timer.
  const bad = unitRows(facts("torrust-backup.timer inactive dead enabled\ntorrust-backup.service inactive dead static\nnginx.service inactive dead enabled"), "reboot: ");
  assert.deepEqual(bad.map((r) => r.status), ["FAIL", "FAIL", "FAIL"]);
  assert.equal(bad[1].name, "reboot: unit torrust-backup.service");
});

test("packages row: every wanted package is looked up among all installed ones (sqlite3 from the backup too)", () => {
  const facts = (out: string) => new Map([["packages", { out, rc: 0 }]]);
  const installed = "docker.io 26.1.5+dfsg1-9+b9\ndocker-compose 2.26.1-4\ndocker-compose-v2 0+boot.standin\nsqlite3 3.46.1-7\nunattended-upgrades 2.12\nDocker Compose version 2.26.1";
  const row = packagesRow(facts(installed), ["docker.io", "docker-compose-v2", "sqlite3", "unattended-upgrades"], { "docker-compose-v2": "docker-compose" });
  assert.equal(row.status, "PASS", row.detail);
  assert.match(row.detail, /sqlite3 3\.46\.1-7/);
  const missing = packagesRow(facts(installed.replace(/sqlite3 .*\n/, "")), ["docker.io", "sqlite3"], {});
  assert.equal(missing.status, "FAIL");
  assert.match(missing.detail, /missing: sqlite3/);
});
