// The synthesized user_data of every proxy against Debian 13's cloud-init (25.x), run in the boot
// image's root tree (Ubuntu 24.04 ships 24.x/25.x; the host's Debian 12 has 22.4). Builds the
// image when it is not cached (several minutes, once).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { ensureImage } from "../../boot/image";
import { bootImagePackages, synthesize } from "../../boot/boot";
import { tempDir } from "../helpers/tmp";

const REPO = path.resolve(__dirname, "../..");

function schema(rootfs: string, text: string): { rc: number | null; output: string } {
  const name = `schema-${randomBytes(6).toString("hex")}.yaml`;
  fs.writeFileSync(path.join(rootfs, "tmp", name), text);
  try {
    const r = spawnSync("chroot", [rootfs, "cloud-init", "schema", "-c", `/tmp/${name}`], { encoding: "utf8" });
    return { rc: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(path.join(rootfs, "tmp", name), { force: true });
  }
}

test("every proxy's user_data is valid for Debian 13's cloud-init 25.x (cloud-init schema in the image)", { timeout: 30 * 60_000 }, async () => {
  const dir = tempDir("boot-schema-");
  const source = YAML.parse(fs.readFileSync(path.join(REPO, "deployments/example.yaml"), "utf8")) as Record<string, unknown>;
  const kinds: Array<[string, Record<string, unknown>]> = [
    ["caddy", {}],
    ["nginx-certbot", {}],
    ["pingoo", { grafana: { subdomain: "grafana", live: false } }],
  ];
  const synthesized = [];
  for (const [kind, extra] of kinds) {
    const file = path.join(dir, `${kind}.yaml`);
    delete source.$schema;
    fs.writeFileSync(file, YAML.stringify({ ...source, ...extra, proxy: { kind } }));
    synthesized.push([kind, await synthesize(file, path.join(dir, `out-${kind}`), 123456789)] as const);
  }
  const image = await ensureImage(bootImagePackages(path.join(REPO, "deployments/example.yaml"), []), (m) => process.stderr.write(`${m}\n`));
  assert.match(image.cloudInitVersion, /\b25\.\d+/, "the image's cloud-init is 25.x");
  for (const [kind, s] of synthesized) {
    const r = schema(image.rootfs, s.userData.toString("utf8"));
    assert.equal(r.rc, 0, `${kind}: cloud-init ${image.cloudInitVersion} schema:\n${r.output}`);
    assert.match(r.output, /Valid schema/);
  }
  // The check can fail: an unknown key and a wrong type are reported.
  const bad = schema(image.rootfs, "#cloud-config\npackages: 3\nruncmd: {a: 1}\n");
  assert.notEqual(bad.rc, 0, bad.output);
  assert.match(bad.output, /packages|runcmd/);
});
