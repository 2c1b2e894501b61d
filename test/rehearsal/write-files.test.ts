// The write_files decoder: Terraform string rendering (interpolations, $${ and %%{ escapes),
// plain/b64/gz+b64 payloads decoded to exact bytes, modes and owners, and the real synth output.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import YAML from "yaml";
import { decodeWriteFile, parseCloudConfig, renderTerraformString, runcmdToShell, userDataFromSynth } from "../../rehearsal/write-files";
import { appCommandLine, REPO, reachableScripts } from "../../rehearsal/prepare";

describe("renderTerraformString", () => {
  it("undoes $${ and %%{ and replaces resource ids with fake ids", () => {
    const { text, interpolations } = renderTerraformString("a $${HOME} b %%{x} c /dev/disk/by-id/scsi-0HC_Volume_${hcloud_volume.V.id}");
    assert.match(text, /^a \$\{HOME\} b %\{x\} c \/dev\/disk\/by-id\/scsi-0HC_Volume_\d+$/);
    assert.deepEqual(interpolations.map((i) => i.expression), ["hcloud_volume.V.id"]);
  });

  it("refuses what it cannot render offline", () => {
    assert.throws(() => renderTerraformString("${var.secret}"), /cannot render the Terraform expression/);
    assert.throws(() => renderTerraformString("%{ if true }x%{ endif }"), /template directive/);
    assert.throws(() => renderTerraformString("${hcloud_volume.V.id"), /unterminated/);
  });
});

describe("write_files decoding", () => {
  const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a]);
  const doc = [
    "#cloud-config",
    YAML.stringify({
      write_files: [
        { path: "/etc/plain.conf", content: "line 1\n${not interpolated}\n", permissions: "0640", owner: "root:adm" },
        { path: "/opt/bin/tool", encoding: "b64", content: binary.toString("base64"), permissions: "0755", defer: true },
        { path: "/opt/big.json", encoding: "gz+b64", content: gzipSync(Buffer.from('{"a":1}\n')).toString("base64") },
        { path: "/opt/alias", encoding: "gzip+base64", content: gzipSync(Buffer.from("x")).toString("base64"), append: true },
        { path: "/opt/empty" },
      ],
      runcmd: [["/opt/torrust/bin/bootstrap.sh", "/dev/disk/by-id/x y"], "echo hi"],
    }),
  ].join("\n");

  it("decodes every encoding to the exact bytes with mode, owner, defer and append", () => {
    const c = parseCloudConfig(doc);
    const byPath = Object.fromEntries(c.files.map((f) => [f.path, f]));
    assert.equal(byPath["/etc/plain.conf"].content.toString(), "line 1\n${not interpolated}\n");
    assert.equal(byPath["/etc/plain.conf"].mode, 0o640);
    assert.deepEqual([byPath["/etc/plain.conf"].owner, byPath["/etc/plain.conf"].group], ["root", "adm"]);
    assert.deepEqual(byPath["/opt/bin/tool"].content, binary);
    assert.equal(byPath["/opt/bin/tool"].defer, true);
    assert.equal(byPath["/opt/big.json"].content.toString(), '{"a":1}\n');
    assert.equal(byPath["/opt/big.json"].encoding, "gz+b64");
    assert.equal(byPath["/opt/alias"].append, true);
    assert.equal(byPath["/opt/empty"].content.length, 0);
    assert.equal(byPath["/opt/empty"].mode, 0o644);
    assert.deepEqual(c.runcmd, ["/opt/torrust/bin/bootstrap.sh '/dev/disk/by-id/x y'", "echo hi"]);
  });

  it("reads an unquoted 0644 as YAML 1.1's integer 420, as cloud-init does", () => {
    const c = parseCloudConfig("#cloud-config\nwrite_files:\n  - path: /x\n    permissions: 0644\n    content: hi\n");
    assert.equal(c.files[0].mode, 420);
  });

  it("refuses broken entries with the entry's index and path", () => {
    assert.throws(() => decodeWriteFile({ path: "/x", encoding: "b64", content: "not base64!" }, 3), /write_files\.3 \(\/x\): content is not valid base64/);
    assert.throws(() => decodeWriteFile({ path: "/x", encoding: "gz+b64", content: "aGVsbG8=" }), /does not decompress/);
    assert.throws(() => decodeWriteFile({ path: "/x", encoding: "zstd", content: "" }), /unknown encoding/);
    assert.throws(() => decodeWriteFile({ path: "relative" }), /absolute path/);
    assert.throws(() => parseCloudConfig("write_files: []\n"), /#cloud-config/);
  });

  it("quotes argv runcmd entries like cloud-init", () => {
    assert.equal(runcmdToShell(["echo", "it's"]), "echo 'it'\\''s'");
  });
});

describe("the synthesized example deployment", () => {
  it("decodes to the files the proxy plug-in rendered, byte for byte", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-decoder-"));
    try {
      const [cmd, ...args] = appCommandLine();
      execFileSync(cmd, args, {
        cwd: REPO,
        env: { ...process.env, TRACKER_DEPLOYMENTS: path.join(REPO, "deployments", "example.yaml"), CDKTF_OUTDIR: out },
        stdio: "pipe",
      });
      const stack = JSON.parse(fs.readFileSync(path.join(out, "stacks", "example", "cdk.tf.json"), "utf8"));
      const { text, interpolations } = userDataFromSynth(stack);
      const c = parseCloudConfig(text);
      assert.ok(interpolations.every((i) => /\.id$/.test(i.expression)));
      const caddyfile = c.files.find((f) => f.path === "/opt/torrust/proxy/caddy/Caddyfile");
      assert.ok(caddyfile, "the Caddyfile is in write_files");
      assert.match(caddyfile.content.toString(), /reverse_proxy 127\.0\.0\.1:1212/);
      assert.ok(c.files.some((f) => f.encoding === "gz+b64"), "some files are gz+b64");
      assert.ok(reachableScripts(c.runcmd, c.files).length >= 1, "runcmd runs a generated script");
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
