import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { renderUserData, seedFiles, volumeByIdPath, writeSeed } from "../../boot/seed";
import { tempDir } from "../helpers/tmp";

const stack = (userData: string) => ({ resource: { hcloud_server: { Tracker_Server_1: { user_data: userData } } } });

test("user_data: Terraform's escapes undone and the volume id substituted, nothing else touched", () => {
  const raw = "#cloud-config\nruncmd:\n  - - /opt/torrust/bin/bootstrap.sh\n    - /dev/disk/by-id/scsi-0HC_Volume_${hcloud_volume.Tracker_Storage_FBF177A4.id}\n# $${HOME} %%{x} ünïcode\n";
  const { serverName, userData } = renderUserData(stack(raw), 104857601);
  assert.equal(serverName, "Tracker_Server_1");
  assert.equal(
    userData.toString("utf8"),
    "#cloud-config\nruncmd:\n  - - /opt/torrust/bin/bootstrap.sh\n    - /dev/disk/by-id/scsi-0HC_Volume_104857601\n# ${HOME} %{x} ünïcode\n",
  );
  assert.equal(volumeByIdPath(7), "/dev/disk/by-id/scsi-0HC_Volume_7");
});

test("user_data: any other interpolation is refused (the harness cannot know it)", () => {
  assert.throws(() => renderUserData(stack("#cloud-config\n# ${hcloud_server.x.ipv4_address}\n"), 1), /only the volume id/);
  assert.throws(() => renderUserData({ resource: {} }, 1), /found 0/);
});

test("seed files: user-data byte for byte, meta-data with instance-id, hostname and the server's keys", () => {
  const userData = Buffer.from("#cloud-config\nfoo: 1\n");
  const files = seedFiles({ userData, instanceId: "i-server1-ab12", hostname: "example", publicKeys: ["ssh-ed25519 AAAA key one"] });
  assert.ok(files["user-data"].equals(userData));
  assert.equal(files["meta-data"].toString(), 'instance-id: i-server1-ab12\nlocal-hostname: example\npublic-keys:\n  - "ssh-ed25519 AAAA key one"\n');
  assert.throws(() => seedFiles({ userData, instanceId: "bad id", hostname: "x", publicKeys: [] }), /instanceId/);
});

test("seed image: a FAT filesystem labelled CIDATA holding exactly the seed files (mtools reads it back)", async () => {
  const dir = tempDir("boot-seed-");
  const image = path.join(dir, "seed.img");
  const userData = Buffer.from("#cloud-config\n" + "x: é\n".repeat(2000));
  await writeSeed(image, { userData, instanceId: "i-1", hostname: "h", publicKeys: [] });
  const env = { ...process.env, MTOOLS_SKIP_CHECK: "1" };
  assert.match(execFileSync("mlabel", ["-i", image, "-s", "::"], { env }).toString(), /CIDATA/);
  assert.ok(execFileSync("mtype", ["-i", image, "::user-data"], { env }).equals(userData));
  assert.equal(execFileSync("mtype", ["-i", image, "::meta-data"], { env }).toString(), "instance-id: i-1\nlocal-hostname: h\n");
  const listing = execFileSync("mdir", ["-i", image, "-b", "::"], { env }).toString().trim().split("\n").sort();
  assert.deepEqual(listing, ["::/meta-data", "::/user-data"]);
});
