import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers/tmp";
import { findDeploymentFiles, loadDeploymentFile, loadDeployments, parseDeployment } from "../../constructs/deployment/load";
import { cidrProblem, imageProblem, isDomainName, sshPublicKeyProblem } from "../../constructs/deployment/formats";
import { DEFAULT_IMAGES } from "../../constructs/deployment/schema";
import { JSON_SCHEMA_PATH, renderJsonSchema } from "../../scripts/generate-json-schema";

const EXAMPLE = path.join(__dirname, "../../deployments/example.yaml");
const MINIMAL = `
name: mini
domain: tracker.example.org
cloudflare: { zoneId: 0123456789abcdef0123456789abcdef }
admin:
  sshKeys:
    - name: me
      publicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmVs+9pPbUihLPBUxQxVoWyo0klTsdBl6118CD0DBMu me
`;

describe("deployment file", () => {
  it("loads the example with the evaluation's choices", () => {
    const { deployment: d, source } = loadDeploymentFile(EXAMPLE);
    assert.equal(source, EXAMPLE);
    assert.equal(d.hetzner.serverType, "ccx23");
    assert.equal(d.hetzner.location, "nbg1");
    assert.equal(d.hetzner.image, "ubuntu-24.04");
    assert.equal(d.proxy.kind, "caddy");
    assert.deepEqual(
      [d.helloWorld?.subdomain, d.tracker.api.subdomain, d.tracker.httpTrackers[0].subdomain, d.tracker.udpTrackers[0].subdomain, d.grafana.subdomain],
      ["test", "api", "http1", "udp1", "grafana"],
    );
  });

  it("fills every default for a minimal file", () => {
    const { deployment: d } = parseDeployment(MINIMAL, "mini.yaml");
    assert.equal(d.hetzner.serverType, "ccx23");
    assert.equal(d.hetzner.volumeSizeGb, 50);
    assert.equal(d.hetzner.ipv6, true);
    assert.equal(d.hetzner.serverProtection, false);
    assert.equal(d.proxy.kind, "caddy");
    assert.equal(d.proxy.hsts, true);
    assert.equal(d.acme.staging, false);
    assert.equal(d.grafana.live, true);
    assert.equal(d.tracker.image, DEFAULT_IMAGES.tracker);
    assert.deepEqual(d.admin.sshAllowedCidrs, ["0.0.0.0/0", "::/0"]);
    assert.deepEqual(d.tracker.httpTrackers, [{ subdomain: "http1", port: 7070, viaProxy: true }]);
    assert.deepEqual(d.tracker.udpTrackers, [{ subdomain: "udp1", port: 6969 }]);
    assert.equal(d.helloWorld, undefined);
  });

  it("reads the test CA root relative to the file", () => {
    const dir = tempDir("ca-");
    fs.writeFileSync(path.join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const text = `${MINIMAL}acme: { directoryUrl: "https://127.0.0.1:14000/dir", caRootFile: ca.pem }\n`;
    fs.writeFileSync(path.join(dir, "d.yaml"), text);
    assert.match(loadDeploymentFile(path.join(dir, "d.yaml")).acmeCaRootPem ?? "", /BEGIN CERTIFICATE/);
    fs.writeFileSync(path.join(dir, "ca.pem"), "not a pem");
    assert.throws(() => loadDeploymentFile(path.join(dir, "d.yaml")), /acme\.caRootFile: is not a PEM certificate/);
  });

  it("finds yaml files in a folder, sorted, and rejects an empty folder", () => {
    const dir = tempDir("deployments-");
    fs.writeFileSync(path.join(dir, "b.yml"), MINIMAL.replace("mini", "b"));
    fs.writeFileSync(path.join(dir, "a.yaml"), MINIMAL.replace("mini", "a"));
    fs.writeFileSync(path.join(dir, "notes.txt"), "x");
    assert.deepEqual(findDeploymentFiles(dir), [path.join(dir, "a.yaml"), path.join(dir, "b.yml")]);
    assert.throws(() => findDeploymentFiles(tempDir("empty-")), /no \.yaml or \.yml/);
    assert.throws(() => findDeploymentFiles("/nonexistent/x.yaml"), /no such file/);
  });

  it("refuses two files with the same stack name", () => {
    const dir = tempDir("deployments-");
    fs.writeFileSync(path.join(dir, "a.yaml"), MINIMAL);
    fs.writeFileSync(path.join(dir, "b.yaml"), MINIMAL);
    assert.throws(() => loadDeployments(dir), /b\.yaml: name: is also the name of .*a\.yaml/);
  });

  it("keeps the committed JSON Schema in sync with the zod schema", () => {
    assert.equal(fs.readFileSync(JSON_SCHEMA_PATH, "utf8"), renderJsonSchema(), "run npm run gen:schema");
    const schema = JSON.parse(renderJsonSchema());
    assert.equal(schema.additionalProperties, false, "unknown keys must be errors in editors too");
    assert.deepEqual(schema.properties.proxy.properties.kind.enum, ["caddy", "nginx-certbot", "pingoo"]);
  });

  it("the example points editors at the schema", () => {
    assert.match(fs.readFileSync(EXAMPLE, "utf8"), /yaml-language-server: \$schema=\.\.\/schema\/deployment\.schema\.json/);
  });
});

describe("value formats", () => {
  it("domains", () => {
    for (const ok of ["example.com", "a.b.example.test", "xn--bcher-kva.example"]) assert.ok(isDomainName(ok), ok);
    for (const bad of ["example", "Example.com", "-a.com", "a..com", "a.com.", "a.1"]) assert.ok(!isDomainName(bad), bad);
  });
  it("cidrs", () => {
    for (const ok of ["0.0.0.0/0", "::/0", "203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32", "2001:db8::1/128", "198.51.100.7"]) {
      assert.equal(cidrProblem(ok), undefined, ok);
    }
    assert.match(cidrProblem("10.0.0.1/24")!, /host bits/);
    assert.match(cidrProblem("2001:db8::1/64")!, /host bits/);
    assert.match(cidrProblem("10.0.0.0/33")!, /ipv4 or ipv6/);
    assert.match(cidrProblem("300.0.0.0/8")!, /ipv4 or ipv6/);
  });
  it("ssh keys", () => {
    assert.equal(sshPublicKeyProblem("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmVs+9pPbUihLPBUxQxVoWyo0klTsdBl6118CD0DBMu x"), undefined);
    assert.match(sshPublicKeyProblem("ssh-ed25519")!, /needs/);
    assert.match(sshPublicKeyProblem("ssh-ed25519 !!!!")!, /base64/);
  });
  it("images", () => {
    assert.equal(imageProblem("torrust/tracker:v3.0.0"), undefined);
    assert.equal(imageProblem("ghcr.io/pingooio/pingoo:0.14.7"), undefined);
    assert.equal(imageProblem(`caddy@sha256:${"a".repeat(64)}`), undefined);
    assert.match(imageProblem("caddy:latest")!, /moves/);
    assert.match(imageProblem("caddy")!, /name:tag/);
  });
});
