// Test helpers: real validators (failing, never skipping, when missing), temp dirs, throw-away
// certificates and golden files.
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import type { ProxyRendering } from "../../constructs/edge";

/** Runs a command; fails the test with the Debian package to install when the program is missing. */
export function run(
  cmd: string,
  args: readonly string[],
  debianPackage: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(cmd, args, {
    encoding: "utf8",
    env: options.env ?? process.env,
    cwd: options.cwd,
    input: options.input,
    timeout: options.timeoutMs ?? 60_000,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    assert.fail(`${cmd} is not installed: install the Debian package "${debianPackage}" (apt-get install ${debianPackage})`);
  }
  if (result.error) throw result.error;
  return result;
}

/** Asserts a zero exit, showing the output otherwise. */
export function assertSuccess(result: SpawnSyncReturns<string>, what: string): void {
  assert.equal(result.status, 0, `${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** A fresh directory, mode 0755 (nginx workers drop root and must read it). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Writes a self-signed certificate and key for `names` (throw-away, for validators). */
export function selfSignedCert(certFile: string, keyFile: string, names: readonly string[]): void {
  fs.mkdirSync(path.dirname(certFile), { recursive: true });
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  const result = run(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
      "-subj", `/CN=${names[0]}`, "-addext", `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
      "-keyout", keyFile, "-out", certFile,
    ],
    "openssl",
  );
  assertSuccess(result, "openssl req");
}

let cachedCaPem: string | undefined;
/** A CA certificate PEM, standing in for Pebble's HTTPS CA. */
export function testCaPem(): string {
  if (cachedCaPem === undefined) {
    const dir = tempDir("proxies-ca");
    selfSignedCert(path.join(dir, "ca.pem"), path.join(dir, "ca.key"), ["pebble-test-ca"]);
    cachedCaPem = fs.readFileSync(path.join(dir, "ca.pem"), "utf8");
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return cachedCaPem;
}

const GOLDEN_ROOT = path.join(__dirname, "__golden__");

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

/**
 * Compares a rendering with __golden__/<name>/: every file at its server path, plus rendering.yaml
 * (compose services, packages, bootstrap, firewall, modes). UPDATE_GOLDEN=1 rewrites them.
 */
export function assertGolden(name: string, rendering: ProxyRendering): void {
  const dir = path.join(GOLDEN_ROOT, name);
  const expected = new Map<string, string>(rendering.files.map((f) => [path.join(dir, f.path), f.content]));
  const summary = {
    files: Object.fromEntries(rendering.files.map((f) => [f.path, f.permissions ?? "0644"])),
    configPaths: rendering.configPaths,
    composeServices: rendering.composeServices,
    packages: rendering.packages,
    bootstrap: rendering.bootstrap,
  };
  expected.set(path.join(dir, "rendering.yaml"), YAML.stringify(summary, { lineWidth: 0 }));
  if (process.env.UPDATE_GOLDEN === "1") {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [file, content] of expected) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    return;
  }
  const hint = "(run with UPDATE_GOLDEN=1 to accept the new output, then review the diff)";
  assert.deepEqual(listFiles(dir).sort(), [...expected.keys()].sort(), `golden files of ${name} differ ${hint}`);
  for (const [file, content] of expected) {
    assert.equal(content, fs.readFileSync(file, "utf8"), `${path.relative(GOLDEN_ROOT, file)} differs ${hint}`);
  }
}

/** The rendered file at a path; fails when absent. */
export function fileAt(rendering: ProxyRendering, filePath: string): string {
  const file = rendering.files.find((f) => f.path === filePath);
  assert.ok(file, `no rendered file at ${filePath}; files: ${rendering.files.map((f) => f.path).join(", ")}`);
  return file.content;
}
