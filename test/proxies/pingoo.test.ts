// Pingoo is not run in tests (Docker image only, no validate command): the generated pingoo.yml
// is checked against PingooConfigSchema, written from Pingoo 0.14.7's config_file.rs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import YAML from "yaml";
import { PINGOO_IMAGE, PINGOO_PATHS, pingooConfigProblems, pingooPlugin } from "../../constructs/proxies";
import { deployment, edgeContext, pebbleDeployment, PEBBLE_DIRECTORY } from "./fixtures";
import { assertGolden, fileAt, testCaPem } from "./tools";

function config(options: Parameters<typeof edgeContext>[1] = {}): Record<string, any> {
  return YAML.parse(fileAt(pingooPlugin.render(edgeContext("pingoo", options)), PINGOO_PATHS.config));
}

/** A valid minimal pingoo.yml with one part replaced. */
function withPart(part: Record<string, unknown>): Record<string, unknown> {
  return {
    listeners: { https: { address: "https://0.0.0.0:443" } },
    services: { api: { route: 'http_request.host == "api.example.com"', http_proxy: ["http://127.0.0.1:1212"] } },
    ...part,
  };
}

describe("Pingoo plug-in", () => {
  it("renders the example deployment as in the golden files", () => {
    assertGolden("pingoo", pingooPlugin.render(edgeContext("pingoo")));
  });

  it("writes a pingoo.yml that the schema of Pingoo 0.14.7's config accepts (production, staging, Pebble)", () => {
    assert.deepEqual(pingooConfigProblems(config()), []);
    assert.deepEqual(pingooConfigProblems(config({ deployment: deployment({ acme: { staging: true } }) })), []);
    assert.deepEqual(pingooConfigProblems(config({ deployment: pebbleDeployment(), acmeCaRootPem: testCaPem() })), []);
  });

  it("has a schema that rejects what Pingoo rejects or ignores", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["hostname listener", withPart({ listeners: { https: { address: "https://localhost:443" } } }), /not an IP literal/],
      ["IPv6 listener", withPart({ listeners: { https: { address: "https://[::]:443" } } }), /not an IP literal/],
      ["unknown scheme", withPart({ listeners: { https: { address: "quic://0.0.0.0:443" } } }), /scheme quic/],
      ["unknown key (ignored by Pingoo)", withPart({ tls: { acme: { domains: ["api.example.com"], contact: "a@b.c" } } }), /contact/],
      ["two service kinds", withPart({ services: { api: { http_proxy: ["http://127.0.0.1:1"], static: { root: "/" } } } }), /exactly 1/],
      ["upstream scheme", withPart({ services: { api: { http_proxy: ["ftp://127.0.0.1:21"] } } }), /ftp is not a valid protocol/],
      ["uppercase domain", withPart({ tls: { acme: { domains: ["API.example.com"] } } }), /invalid domain/],
      ["wildcard domain", withPart({ tls: { acme: { domains: ["*.example.com"] } } }), /wildcard/],
      ["duplicate domain", withPart({ tls: { acme: { domains: ["a.example.com", "a.example.com"] } } }), /duplicate domain/],
      ["http directory", withPart({ tls: { acme: { domains: ["a.example.com"], directory_url: "http://127.0.0.1:14000/dir" } } }), /tls\.acme\.directory_url/],
      ["ACME without :443", withPart({ listeners: { h: { address: "https://0.0.0.0:8443" } }, tls: { acme: { domains: ["a.example.com"] } } }), /port 443/],
      ["same port twice", withPart({ listeners: { a: { address: "https://0.0.0.0:443" }, b: { address: "https://127.0.0.1:443" } } }), /same port/],
      ["unknown listener service", withPart({ listeners: { https: { address: "https://0.0.0.0:443", services: ["nope"] } } }), /service nope doesn't exist/],
    ];
    for (const [name, doc, message] of cases) {
      const problems = pingooConfigProblems(doc);
      assert.ok(problems.some((p) => message.test(p)), `${name}: expected a problem matching ${message}, got ${JSON.stringify(problems)}`);
    }
    assert.deepEqual(pingooConfigProblems(withPart({})), []);
  });

  it("routes each hostname to its loopback upstream and serves the hello page from a static service", () => {
    const doc = config();
    assert.deepEqual(doc.listeners, { https: { address: "https://0.0.0.0:443" } });
    assert.deepEqual(doc.tls.acme.domains, ["test.example.com", "api.example.com", "http1.example.com", "grafana.example.com"]);
    assert.equal(doc.tls.acme.directory_url, undefined, "production Let's Encrypt is Pingoo's default");
    assert.deepEqual(doc.services.test, { route: 'http_request.host == "test.example.com"', static: { root: PINGOO_PATHS.helloRoot } });
    assert.deepEqual(doc.services.api, { route: 'http_request.host == "api.example.com"', http_proxy: ["http://127.0.0.1:1212"] });
    assert.deepEqual(doc.services.http1.http_proxy, ["http://127.0.0.1:7070"]);
    assert.deepEqual(doc.services.grafana.http_proxy, ["http://127.0.0.1:3000"]);
  });

  it("names the staging or test directory and trusts the test CA inside the container", () => {
    assert.equal(config({ deployment: deployment({ acme: { staging: true } }) }).tls.acme.directory_url, "https://acme-staging-v02.api.letsencrypt.org/directory");
    const rendering = pingooPlugin.render(edgeContext("pingoo", { deployment: pebbleDeployment(), acmeCaRootPem: testCaPem() }));
    assert.equal(YAML.parse(fileAt(rendering, PINGOO_PATHS.config)).tls.acme.directory_url, PEBBLE_DIRECTORY);
    const service = rendering.composeServices.pingoo;
    assert.deepEqual(service.environment, { SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt" });
    assert.ok(service.volumes?.includes("/opt/torrust/proxy/acme-ca-root.pem:/etc/ssl/certs/ca-certificates.crt:ro"));
    assert.ok(!rendering.files.some((f) => f.path === "/opt/torrust/proxy/acme-ca-root.pem"), "the cloud-config writes the CA root");
  });

  it("runs the pinned image on the host network with its config and certificates mounted", () => {
    const rendering = pingooPlugin.render(edgeContext("pingoo"));
    const service = rendering.composeServices.pingoo;
    assert.equal(service.image, PINGOO_IMAGE);
    assert.equal(service.network_mode, "host");
    assert.equal(service.environment, undefined);
    assert.deepEqual(service.volumes, [
      "/opt/torrust/proxy/pingoo/pingoo.yml:/etc/pingoo/pingoo.yml:ro",
      "/opt/torrust/storage/proxy/pingoo/tls:/etc/pingoo/tls",
      "/opt/torrust/proxy/pingoo/www:/opt/torrust/proxy/pingoo/www:ro",
    ]);
    assert.deepEqual(pingooPlugin.hostPorts.map((p) => `${p.port}/${p.protocol}`), ["443/tcp"]);
    assert.deepEqual(rendering.configPaths, [PINGOO_PATHS.config]);
    assert.match(fileAt(rendering, PINGOO_PATHS.config), /^# Generated by constructs\/proxies\/pingoo for example\.com\./);
  });
});
