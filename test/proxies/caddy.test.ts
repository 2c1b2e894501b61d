import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { EdgeContext } from "../../constructs/edge";
import { CADDY_IMAGE, CADDY_PATHS, caddyPlugin } from "../../constructs/proxies";
import { builtTool } from "../../rehearsal/programs";
import { edgeContext, pebbleDeployment, PEBBLE_DIRECTORY, deployment } from "./fixtures";
import { assertGolden, assertSuccess, fileAt, run, tempDir, testCaPem } from "./tools";

/** The two Caddy versions: production's (the caddy:2.10.2 image's), built by scripts/tools.sh, and Debian's fallback. */
const CADDIES = [
  { label: "2.10.2 (production's, built from its Go module)", binary: () => {
    const bin = builtTool("caddy");
    assert.ok(bin, "Caddy 2.10.2 is not built: bash scripts/tools.sh caddy (the test command builds it)");
    return bin;
  } },
  { label: "2.6.2 (Debian's, the rehearsal's fallback)", binary: () => "caddy" },
] as const;

/**
 * Runs `caddy validate` on the Caddyfile. Only the absolute state directory and CA root path are
 * redirected into a temp dir (they must exist and be writable).
 */
function caddyValidate(ctx: EdgeContext, edit: (caddyfile: string) => string = (c) => c, binary = "caddy") {
  const dir = tempDir("caddy-validate");
  try {
    let caddyfile = fileAt(caddyPlugin.render(ctx), CADDY_PATHS.caddyfile)
      .split(ctx.stateDir).join(path.join(dir, "storage"))
      .split(ctx.acme.caRootPath).join(path.join(dir, "ca.pem"));
    caddyfile = edit(caddyfile);
    if (ctx.acme.caRootPem !== undefined) fs.writeFileSync(path.join(dir, "ca.pem"), ctx.acme.caRootPem);
    fs.writeFileSync(path.join(dir, "Caddyfile"), caddyfile);
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, "config"), XDG_DATA_HOME: path.join(dir, "data") };
    return run(binary, ["validate", "--config", path.join(dir, "Caddyfile"), "--adapter", "caddyfile"], "caddy", { env });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("Caddy plug-in", () => {
  it("renders the example deployment as in the golden files", () => {
    assertGolden("caddy", caddyPlugin.render(edgeContext("caddy")));
  });

  for (const caddy of CADDIES) {
    it(`passes caddy validate ${caddy.label} for production and for a test CA, with no warning`, () => {
      const bin = caddy.binary();
      for (const [what, ctx] of [
        ["production", edgeContext("caddy")],
        ["Pebble", edgeContext("caddy", { deployment: pebbleDeployment(), acmeCaRootPem: testCaPem() })],
      ] as const) {
        const result = caddyValidate(ctx, undefined, bin);
        assertSuccess(result, `caddy validate (${what})`);
        // Caddy logs JSON lines; a warning means the Caddyfile needs a change for this version.
        const warnings = result.stderr.split("\n").filter((l) => /"level":"(warn|error)"/.test(l));
        assert.deepEqual(warnings, [], `caddy validate (${what}) warned`);
      }
    });

    it(`is checked by a validator that rejects a broken Caddyfile (${caddy.label})`, () => {
      const result = caddyValidate(edgeContext("caddy"), (c) => c.replace("file_server", "file_server_typo"), caddy.binary());
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /file_server_typo/);
    });
  }

  it("adapts with Caddy 2.10.2 to one ACME issuer, the named CA: no ZeroSSL fallback despite the email", () => {
    const dir = tempDir("caddy-adapt");
    try {
      const caddyfile = path.join(dir, "Caddyfile");
      fs.writeFileSync(caddyfile, fileAt(caddyPlugin.render(edgeContext("caddy")), CADDY_PATHS.caddyfile));
      const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, "config"), XDG_DATA_HOME: path.join(dir, "data") };
      const result = run(CADDIES[0].binary(), ["adapt", "--config", caddyfile, "--adapter", "caddyfile"], "caddy", { env });
      assertSuccess(result, "caddy adapt");
      const json = JSON.parse(result.stdout) as { apps: { tls: { automation: { policies: { issuers: unknown[] }[] } } } };
      assert.deepEqual(
        json.apps.tls.automation.policies.map((p) => p.issuers),
        [[{ ca: "https://acme-v02.api.letsencrypt.org/directory", email: "admin@example.com", module: "acme" }]],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes one site per hostname, noting the client address in X-Forwarded-For for HTTP trackers only", () => {
    const caddyfile = fileAt(caddyPlugin.render(edgeContext("caddy")), CADDY_PATHS.caddyfile);
    for (const host of ["test.example.com", "api.example.com", "http1.example.com", "grafana.example.com"]) {
      assert.match(caddyfile, new RegExp(`^${host.replace(/\./g, "\\.")} \\{$`, "m"));
    }
    // Caddy's default sets X-Forwarded-For to the client (the rehearsal's spoofed-header row proves it);
    // an explicit header_up makes both versions warn, so the tracker's dependency is a comment.
    assert.match(caddyfile, /http1\.example\.com \{\n.*\n\t# The tracker reads the client address from X-Forwarded-For.*\n\treverse_proxy 127\.0\.0\.1:7070\n\}/);
    assert.equal(caddyfile.match(/X-Forwarded-For/g)?.length, 1);
    assert.doesNotMatch(caddyfile, /header_up/);
    assert.match(caddyfile, /^# Generated by constructs\/proxies\/caddy for example\.com\./);
  });

  it("uses production Let's Encrypt by default and names the staging or override CA otherwise", () => {
    const prod = fileAt(caddyPlugin.render(edgeContext("caddy")), CADDY_PATHS.caddyfile);
    // Explicit even for production: otherwise Caddy 2.10 adds ZeroSSL, which the letsencrypt.org CAA forbids.
    assert.match(prod, /acme_ca https:\/\/acme-v02\.api\.letsencrypt\.org\/directory/);
    assert.doesNotMatch(prod, /acme_ca_root/);
    assert.match(prod, /^\temail admin@example\.com$/m);
    assert.match(prod, /^\tstorage file_system \/opt\/torrust\/storage\/proxy\/caddy$/m);

    const staging = fileAt(caddyPlugin.render(edgeContext("caddy", { deployment: deployment({ acme: { staging: true } }) })), CADDY_PATHS.caddyfile);
    assert.match(staging, /^\tacme_ca https:\/\/acme-staging-v02\.api\.letsencrypt\.org\/directory$/m);
    assert.doesNotMatch(staging, /email|acme_ca_root/);

    const pebble = caddyPlugin.render(edgeContext("caddy", { deployment: pebbleDeployment(), acmeCaRootPem: testCaPem() }));
    const caddyfile = fileAt(pebble, CADDY_PATHS.caddyfile);
    assert.match(caddyfile, new RegExp(`^\\tacme_ca ${PEBBLE_DIRECTORY}$`, "m"));
    assert.match(caddyfile, /^\tacme_ca_root \/opt\/torrust\/proxy\/acme-ca-root\.pem$/m);
    assert.ok(!pebble.files.some((f) => f.path === "/opt/torrust/proxy/acme-ca-root.pem"), "the cloud-config writes the CA root");
    assert.ok(pebble.composeServices.caddy.volumes?.includes("/opt/torrust/proxy/acme-ca-root.pem:/opt/torrust/proxy/acme-ca-root.pem:ro"));
  });

  it("sends HSTS only when asked", () => {
    const on = fileAt(caddyPlugin.render(edgeContext("caddy")), CADDY_PATHS.caddyfile);
    assert.equal(on.match(/header Strict-Transport-Security max-age=31536000/g)?.length, 4);
    const off = fileAt(caddyPlugin.render(edgeContext("caddy", { deployment: deployment({ proxy: { hsts: false } }) })), CADDY_PATHS.caddyfile);
    assert.doesNotMatch(off, /Strict-Transport-Security/);
  });

  it("serves the hello page itself, from a file mounted at the same path", () => {
    const rendering = caddyPlugin.render(edgeContext("caddy"));
    assert.match(fileAt(rendering, `${CADDY_PATHS.helloRoot}/index.html`), /<h1>Hello, world!/);
    assert.match(fileAt(rendering, CADDY_PATHS.caddyfile), /test\.example\.com \{\n.*\n\troot \* \/opt\/torrust\/proxy\/caddy\/www\n\tfile_server\n\}/);
    const noHello = caddyPlugin.render(edgeContext("caddy", { deployment: deployment({ helloWorld: undefined }) }));
    assert.equal(noHello.files.length, 1);
  });

  it("runs the pinned image on the host network with the config and state at the same paths", () => {
    const rendering = caddyPlugin.render(edgeContext("caddy"));
    const service = rendering.composeServices.caddy;
    assert.equal(service.image, CADDY_IMAGE);
    assert.equal(service.network_mode, "host");
    assert.deepEqual(service.command, ["caddy", "run", "--config", CADDY_PATHS.caddyfile, "--adapter", "caddyfile"]);
    assert.deepEqual(service.volumes, [
      "/opt/torrust/proxy/caddy:/opt/torrust/proxy/caddy:ro",
      "/opt/torrust/storage/proxy/caddy:/opt/torrust/storage/proxy/caddy",
    ]);
    assert.deepEqual(caddyPlugin.hostPorts.filter((p) => p.public).map((p) => `${p.port}/${p.protocol}`), ["80/tcp", "443/tcp", "443/udp"]);
    assert.deepEqual(caddyPlugin.hostPorts.filter((p) => !p.public).map((p) => `${p.address}:${p.port}/${p.protocol}`), ["127.0.0.1:2019/tcp"]);
    assert.deepEqual(rendering.configPaths, [CADDY_PATHS.caddyfile]);
    assert.deepEqual(rendering.packages, []);
  });

  it("renders the same bytes twice", () => {
    assert.deepEqual(caddyPlugin.render(edgeContext("caddy")), caddyPlugin.render(edgeContext("caddy")));
  });
});
