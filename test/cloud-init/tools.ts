// Real tools the cloud-init tests run: cloud-init's own schema check and PyYAML (the parser
// cloud-init uses). Missing tools fail the test with the Debian package to install; never skip.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";

function run(cmd: string, args: readonly string[], pkg: string, input?: string | Buffer) {
  const res = spawnSync(cmd, args, { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
  if (res.error && (res.error as NodeJS.ErrnoException).code === "ENOENT") {
    assert.fail(`${cmd} is not installed: install the Debian package "${pkg}" (apt-get install ${pkg}; scripts/install-test-deps.sh does it)`);
  }
  if (res.error) throw res.error;
  return res;
}

/** Runs `cloud-init schema -c FILE` (22.4 syntax) and asserts rc 0 and "Valid cloud-config". */
export function assertValidCloudConfig(text: string, name = "user-data"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-config-"));
  const file = path.join(dir, `${name}.yaml`);
  try {
    fs.writeFileSync(file, text);
    const res = run("cloud-init", ["schema", "-c", file], "cloud-init");
    const output = `${res.stdout}${res.stderr}`;
    assert.equal(res.status, 0, `cloud-init schema -c ${name} failed (rc ${res.status}):\n${output}`);
    assert.match(output, new RegExp(`Valid cloud-config: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    return output;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses YAML with PyYAML's safe_load (what cloud-init uses) and returns it as JSON data. */
export function pyYamlLoad(text: string): unknown {
  const res = run(
    "python3",
    ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))"],
    "python3-yaml",
    text,
  );
  assert.equal(res.status, 0, `PyYAML could not parse the document:\n${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** Raw deflate of `data` by python3's zlib (reference zlib), level 9, Z_FILTERED. */
export function referenceDeflate(data: Buffer): Buffer {
  const res = run(
    "python3",
    [
      "-c",
      "import sys, zlib, base64; c = zlib.compressobj(9, zlib.DEFLATED, -15, 8, zlib.Z_FILTERED); " +
        "d = sys.stdin.buffer.read(); sys.stdout.write(base64.b64encode(c.compress(d) + c.flush()).decode())",
    ],
    "python3",
    data,
  );
  assert.equal(res.status, 0, res.stderr);
  return Buffer.from(res.stdout, "base64");
}

/** One write_files entry as parsed. */
export interface WriteFile {
  path: string;
  owner: string;
  permissions: string;
  encoding?: string;
  defer?: boolean;
  content: string;
}

/** The text a write_files entry writes, whatever its encoding. */
export function decodeWriteFile(f: WriteFile): string {
  if (f.encoding === "gz+b64") return gunzipSync(Buffer.from(f.content, "base64")).toString("utf8");
  if (f.encoding === "b64") return Buffer.from(f.content, "base64").toString("utf8");
  assert.equal(f.encoding, undefined, `unknown encoding of ${f.path}`);
  return f.content;
}
