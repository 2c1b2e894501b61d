// The whole #cloud-config for a representative deployment, checked by cloud-init's own schema
// validator and PyYAML, with the fixture proxy and with every real proxy plug-in.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RenderedFile } from "../../constructs/cloud-init";
import type { Deployment } from "../../constructs/deployment/schema";
import { planDeployment } from "../../constructs/plan/plan";
import { PROXIES } from "../../constructs/proxies";
import type { EdgeContext, ProxyPlugin, ProxyRendering } from "../../constructs/edge/types";
import { ENABLE_BACKUP_TIMER } from "../../constructs/tracker/render/backup";
import { BOOTSTRAP_SCRIPT, HELLO_ROOT } from "../../constructs/tracker/render/paths";
import { BASE_PACKAGES, USER_DATA_LIMIT_BYTES, assertUserDataSize, renderUserData } from "../../constructs/tracker/user-data";
import { assertValidCloudConfig, pyYamlLoad, decodeWriteFile as decode, type WriteFile } from "../cloud-init/tools";
import { DEFAULT_TRACKER_TOKEN, SSH_KEY, VOLUME_TOKEN, deployment, edge, fixtureProxy } from "./fixtures";

interface Doc {
  packages: string[];
  users: { name: string; ssh_authorized_keys: string[] }[];
  write_files: WriteFile[];
  runcmd: (string | string[])[];
  bootcmd: (string | string[])[];
  [key: string]: unknown;
}


function render(d: Deployment = deployment(), ctx: EdgeContext = edge(d), proxy: ProxyRendering = fixtureProxy(ctx), volumeDevice = VOLUME_TOKEN) {
  return renderUserData({ deployment: d, edge: ctx, proxy, volumeDevice });
}

/** Everything a secret could look like in what we generate. */
function assertNoSecrets(label: string, text: string): void {
  assert.ok(!text.includes(DEFAULT_TRACKER_TOKEN), `${label}: the tracker's default token`);
  assert.doesNotMatch(text, /\b[0-9a-f]{32,}\b/i, `${label}: a long hex string`);
  assert.doesNotMatch(text, /ACCESS_TOKENS__ADMIN=[^%\n"]/, `${label}: an admin token value`);
  assert.doesNotMatch(text, /GF_SECURITY_ADMIN_PASSWORD=[^%\n"]/, `${label}: a Grafana password value`);
  assert.doesNotMatch(text, /PRIVATE KEY/, `${label}: a private key`);
  assert.doesNotMatch(text, /token=[A-Za-z0-9]/, `${label}: a token in a URL`);
}

/** Checks every property of a rendered user_data that does not depend on the proxy. */
function checkUserData(label: string, ud: { text: string; files: readonly RenderedFile[] }, proxy: ProxyRendering): Doc {
  assertValidCloudConfig(ud.text, label);
  const size = Buffer.byteLength(ud.text, "utf8");
  assert.ok(size <= USER_DATA_LIMIT_BYTES, `${label}: ${size} bytes`);
  assert.equal(ud.text.split("\n")[0], "#cloud-config");

  const doc = pyYamlLoad(ud.text) as Doc;
  for (const p of [...BASE_PACKAGES, ...proxy.packages]) assert.ok(doc.packages.includes(p), `${label}: package ${p}`);
  assert.deepEqual(doc.users.map((u) => [u.name, u.ssh_authorized_keys]), [["torrust", [SSH_KEY]]]);
  assert.equal(doc.ssh_pwauth, false);
  assert.equal(doc.disable_root, true);

  // Every file decodes to what the renderers produced; permissions stay strings.
  const written = new Map(doc.write_files.map((f) => [f.path, f]));
  assert.equal(written.size, doc.write_files.length, "unique paths");
  assert.deepEqual([...written.keys()], ud.files.map((f) => f.path));
  for (const f of ud.files) {
    const w = written.get(f.path)!;
    assert.equal(decode(w), f.content, `${label}: ${f.path} decodes back`);
    assert.equal(typeof w.permissions, "string");
    assert.ok(!w.path.startsWith("/opt/torrust/storage/"), `${label}: ${w.path} would be hidden by the volume mount`);
  }
  for (const f of proxy.files) assert.equal(decode(written.get(f.path)!), f.content, `${label}: proxy file ${f.path}`);
  assert.equal(written.get("/etc/docker/daemon.json")?.defer, undefined, "daemon.json is written before docker.io installs");

  // The volume device: one plain runcmd argument, nowhere else.
  // Then the backup timer (backups are on by default).
  assert.deepEqual(doc.runcmd, [[BOOTSTRAP_SCRIPT, VOLUME_TOKEN], ENABLE_BACKUP_TIMER]);
  assert.equal(ud.text.split(VOLUME_TOKEN).length - 1, 1);
  assert.doesNotMatch(ud.text.split(VOLUME_TOKEN).join(""), /[$%]\{/, "nothing else Terraform would interpolate");

  assertNoSecrets(label, ud.text);
  for (const f of ud.files) assertNoSecrets(`${label} ${f.path}`, f.content);
  return doc;
}

describe("renderUserData", () => {
  it("renders a valid, deterministic cloud-config under 32 KiB for the representative deployment", () => {
    const d = deployment();
    const ctx = edge(d);
    const proxy = fixtureProxy(ctx);
    const ud = render(d, ctx, proxy);
    const doc = checkUserData("fixture", ud, proxy);
    assert.equal(render().text, ud.text, "same input, same bytes");
    assert.deepEqual(Object.keys(doc), ["package_update", "package_upgrade", "ssh_pwauth", "disable_root", "packages", "users", "bootcmd", "write_files", "runcmd"]);
    // The hello container serves the page, because this proxy cannot.
    assert.equal(decode(doc.write_files.find((f) => f.path === `${HELLO_ROOT}/index.html`)!), ctx.helloPage);
    console.log(`representative user_data (fixture proxy): ${Buffer.byteLength(ud.text, "utf8")} bytes`);
  });

  it("writes the test CA root when the edge context has one", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIBfakefakefake\n-----END CERTIFICATE-----\n";
    const d = deployment({ acme: { directoryUrl: "https://pebble.test:14000/dir", caRootFile: "ca.pem" } });
    const ctx = edge(d, undefined, pem);
    const doc = checkUserData("ca-root", render(d, ctx), fixtureProxy(ctx));
    assert.equal(decode(doc.write_files.find((f) => f.path === ctx.acme.caRootPath)!), pem);
  });

  it("leaves out the hello page and daemon.json when not needed", () => {
    const d = deployment({ helloWorld: undefined, hetzner: { ipv6: false } });
    const ctx = edge(d);
    const ud = render(d, ctx);
    checkUserData("minimal", ud, fixtureProxy(ctx));
    assert.ok(!ud.files.some((f) => f.path.startsWith(HELLO_ROOT) || f.path === "/etc/docker/daemon.json"));
  });

  it("accepts a literal device path", () => {
    const ud = render(undefined, undefined, undefined, "/dev/disk/by-id/scsi-0HC_Volume_12345");
    assert.match(ud.text, /- \/dev\/disk\/by-id\/scsi-0HC_Volume_12345\n/);
    assert.throws(() => render(undefined, undefined, undefined, "sdb"), /must be a device path/);
    assert.throws(() => render(undefined, undefined, undefined, "/dev/a b"), /must be one word/);
  });

  it("refuses a proxy file under the volume's mount point", () => {
    const d = deployment();
    const ctx = edge(d);
    const proxy = { ...fixtureProxy(ctx), files: [{ path: `${ctx.stateDir}/Caddyfile`, content: "x" }] };
    assert.throws(() => render(d, ctx, proxy), /is under \/opt\/torrust\/storage, where the data volume is mounted after write_files runs/);
  });

  it("refuses a proxy command Terraform would interpolate, and encodes such a proxy file", () => {
    const d = deployment();
    const ctx = edge(d);
    const withFile = { ...fixtureProxy(ctx), files: [{ path: "/opt/torrust/proxy/fixture/env.sh", content: "echo ${HOME}\n" }] };
    const ud = render(d, ctx, withFile);
    assert.doesNotMatch(ud.text.split(VOLUME_TOKEN).join(""), /\$\{/);
    // Commands go into proxy-bootstrap.sh (a file), so they are encoded too.
    const withCommand = { ...fixtureProxy(ctx), bootstrap: ["echo ${HOME}"] };
    assert.doesNotMatch(render(d, ctx, withCommand).text.split(VOLUME_TOKEN).join(""), /\$\{/);
  });

  it("throws a clear error above 32,768 bytes, naming the size and what to drop", () => {
    const d = deployment();
    const ctx = edge(d);
    // Incompressible content: deterministic pseudo-random base64.
    let x = 12345;
    const noise = Buffer.from(Array.from({ length: 30000 }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x >> 16) as number).map((v) => v & 255)).toString("base64");
    const proxy = { ...fixtureProxy(ctx), files: [{ path: "/opt/torrust/proxy/fixture/big", content: noise }] };
    assert.throws(() => render(d, ctx, proxy), (e: Error) => {
      assert.match(e.message, /^user_data is \d+ bytes, \d+ over Hetzner's limit of 32768 bytes/);
      assert.match(e.message, /Largest files: \/opt\/torrust\/proxy\/fixture\/big \(\d+ bytes\)/);
      assert.match(e.message, /drop helloWorld .*fewer HTTP\/UDP trackers/);
      return true;
    });
  });

  it("measures UTF-8 bytes at the limit exactly", () => {
    assert.equal(assertUserDataSize("a".repeat(USER_DATA_LIMIT_BYTES)), USER_DATA_LIMIT_BYTES);
    assert.throws(() => assertUserDataSize("é".repeat(USER_DATA_LIMIT_BYTES / 2 + 1)), /user_data is 32770 bytes, 2 over/);
    assert.throws(() => assertUserDataSize("abc", () => 40000), /user_data is 40000 bytes/);
  });
});

describe("renderUserData with the real proxy plug-ins", () => {
  it("renders a valid cloud-config with every plug-in in PROXIES", (t) => {
    const plugins: ProxyPlugin[] = Object.values(PROXIES);
    assert.ok(plugins.length > 0, "PROXIES is empty");
    for (const plugin of plugins) {
      // A realistic deployment for this proxy: Grafana Live only where WebSockets pass.
      const d = deployment({ proxy: { kind: plugin.kind as Deployment["proxy"]["kind"] }, grafana: { live: plugin.capabilities.websocket } });
      const ctx = planDeployment(d, { proxy: plugin }).edge;
      const proxy = plugin.render(ctx);
      const ud = renderUserData({ deployment: d, edge: ctx, proxy, volumeDevice: VOLUME_TOKEN });
      checkUserData(plugin.kind, ud, proxy);
      assert.equal(renderUserData({ deployment: d, edge: ctx, proxy: plugin.render(ctx), volumeDevice: VOLUME_TOKEN }).text, ud.text, `${plugin.kind}: deterministic`);
      t.diagnostic(`${plugin.kind}: ${Buffer.byteLength(ud.text, "utf8")} bytes`);
    }
  });
});
