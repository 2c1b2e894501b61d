// The app as users run it: main.ts with the example, bad files, and the README example.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers/tmp";
import YAML from "yaml";
import { assertStackGolden } from "../helpers/stack-golden";

const ROOT = path.join(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "deployments/example.yaml");

function synth(deployments: string): { status: number | null; stderr: string; outdir: string } {
  const outdir = tempDir("synth-out-");
  fs.rmSync(outdir, { recursive: true });
  const r = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    cwd: ROOT,
    env: { ...process.env, TRACKER_DEPLOYMENTS: deployments, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  return { status: r.status, stderr: r.stderr, outdir };
}

function stackJson(outdir: string, name: string): any {
  return JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
}

/** The synthesized stack without machine-specific parts (absolute backend path, metadata). */
function portable(json: any): any {
  const copy = structuredClone(json);
  delete copy["//"];
  delete copy.terraform.backend;
  const strip = (o: any) => {
    if (o && typeof o === "object") {
      delete o["//"];
      Object.values(o).forEach(strip);
    }
  };
  strip(copy);
  return copy;
}

describe("cdktf app (main.ts)", () => {
  it("synthesizes the example into cdktf.out/stacks/example/cdk.tf.json (golden)", () => {
    const r = synth(EXAMPLE);
    assert.equal(r.status, 0, r.stderr);
    const json = stackJson(r.outdir, "example");
    assertStackGolden(__dirname, "example", portable(json));
    const text = JSON.stringify(json);
    for (const secret of ["HCLOUD_TOKEN=", "CLOUDFLARE_API_TOKEN=", "GF_SECURITY_ADMIN_PASSWORD=", "ACCESS_TOKENS__ADMIN="]) {
      assert.ok(!new RegExp(`${secret}[A-Za-z0-9]`).test(text), `no value for ${secret} in synth output`);
    }
    assert.equal(json.terraform.required_providers.hcloud.version, "1.68.0");
    assert.equal(json.terraform.required_providers.cloudflare.version, "5.14.0");
  });

  it("is deterministic: two synths give identical stacks", () => {
    const a = synth(EXAMPLE);
    const b = synth(EXAMPLE);
    assert.equal(a.status, 0, a.stderr);
    assert.deepEqual(portable(stackJson(a.outdir, "example")), portable(stackJson(b.outdir, "example")));
  });

  it("exits non-zero, names the file and field, and writes nothing for a bad file", () => {
    const dir = tempDir("bad-");
    const good = YAML.parse(fs.readFileSync(EXAMPLE, "utf8"));
    delete good.$schema;
    fs.writeFileSync(path.join(dir, "a-good.yaml"), YAML.stringify(good));
    fs.writeFileSync(path.join(dir, "b-bad.yaml"), YAML.stringify({ ...good, name: "other", proxy: { kind: "pingoo" } }));
    const r = synth(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /b-bad\.yaml: proxy\.kind: .*Pingoo.*grafana\.live/);
    assert.match(r.stderr, /Nothing was synthesized/);
    assert.equal(fs.existsSync(r.outdir), false, "no output directory may be written");
  });

  it("synthesizes every proxy kind (pingoo with Grafana Live off)", () => {
    const base = YAML.parse(fs.readFileSync(EXAMPLE, "utf8"));
    delete base.$schema;
    for (const kind of ["caddy", "nginx-certbot", "pingoo"]) {
      // One app per kind: in one app, the same names and SSH key in one zone/project are refused.
      const dir = tempDir("kinds-");
      const d = { ...structuredClone(base), name: kind, proxy: { kind } };
      if (kind === "pingoo") d.grafana.live = false;
      fs.writeFileSync(path.join(dir, `${kind}.yaml`), YAML.stringify(d));
      const r = synth(dir);
      assert.equal(r.status, 0, r.stderr);
      const json = stackJson(r.outdir, kind);
      assertStackGolden(__dirname, kind, portable(json));
      const server = Object.values(json.resource.hcloud_server)[0] as { user_data: string };
      assert.ok(Buffer.byteLength(server.user_data) <= 32768, `${kind} user_data ${Buffer.byteLength(server.user_data)} bytes`);
    }
  });
});

describe("README bad-input example", () => {
  it("is what the app prints for the file it describes", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.split("Bad input fails before anything is written")[1];
    const shown = /```\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(shown, "README shows the bad-input output");
    const dir = tempDir("readme-bad-");
    fs.mkdirSync(path.join(dir, "deployments"));
    const file = path.join(dir, "deployments", "prod.yaml");
    const d = YAML.parse(fs.readFileSync(EXAMPLE, "utf8"));
    d.tracker.httpTrackers[0].port = 3000;
    d.cloudflare.proxiedSubdomains = ["udp1"];
    fs.writeFileSync(file, YAML.stringify(d));
    const r = synth(file);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, shown.split("deployments/prod.yaml").join(file));
  });
});

describe("README example", () => {
  it("compiles and synthesizes as written", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.split("## Reusing the constructs")[1];
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(code, "README has a ts block under 'Reusing the constructs'");
    const dir = fs.mkdtempSync(path.join(ROOT, ".readme-example-"));
    try {
      const file = path.join(dir, "app.ts");
      fs.writeFileSync(file, code);
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ extends: "../tsconfig.json", include: ["app.ts"], compilerOptions: { noUnusedLocals: false } }),
      );
      const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
      assert.equal(tsc.status, 0, `tsc: ${tsc.stdout}${tsc.stderr}`);
      const outdir = path.join(dir, "out");
      const run = spawnSync(process.execPath, ["--import", "tsx", file], {
        cwd: dir,
        env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
        encoding: "utf8",
      });
      assert.equal(run.status, 0, run.stderr);
      const json = stackJson(outdir, "my-tracker");
      assert.ok(json.resource.hcloud_server, "server synthesized");
      const fw = Object.values(json.resource.hcloud_firewall)[0] as { rule: { port?: string; description?: string }[] };
      assert.ok(fw.rule.some((r) => r.port === "9100"), "rule added after construction reaches the output");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
