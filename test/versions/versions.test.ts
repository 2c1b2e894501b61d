// The pinned programs and their reviewed facts (constructs/versions): a pin that changes without a
// review fails here, and the images the stack uses come from this one place.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { DEFAULT_IMAGES } from "../../constructs/deployment/schema";
import { checkEdge } from "../../constructs/edge";
import { PROXIES } from "../../constructs/proxies";
import { renderCompose } from "../../constructs/tracker/render";
import { PINNED_PROGRAMS, REVIEWED_IMAGES, TRACKER_SERIES, unreviewedImageWarnings } from "../../constructs/versions";
import { edgeContext } from "../proxies/fixtures";
import { deployment, edge } from "../tracker/fixtures";

describe("constructs/versions", () => {
  it("every pinned version has been reviewed: bumping a pin fails until reviewedVersion follows the re-read facts", () => {
    for (const p of PINNED_PROGRAMS) {
      assert.equal(p.reviewedVersion, p.version, `${p.program}: pinned ${p.version}, facts reviewed for ${p.reviewedVersion}`);
      assert.ok(p.artifact.includes(p.version.replace(/^v/, "")), `${p.program}: ${p.artifact} is not version ${p.version}`);
    }
  });

  it("every fact names its source, at the pinned tag when it is a repository", () => {
    for (const p of PINNED_PROGRAMS) {
      for (const [name, f] of Object.entries(p.facts)) {
        assert.ok(f.source.length > 10, `${p.program}.${name} has no source`);
        const v = p.version.replace(/^v/, "");
        const atPin = f.source.includes(`@${v}:`) || f.source.includes(`@v${v}:`);
        // Otherwise it must say why: documentation, the distribution package, or the commit read instead of a missing tag.
        const explained = /^(nginx\.org|Ubuntu )|read at commit|not tagged/.test(f.source) || f.source.includes(" (") && /https?:|nginx\.org/.test(f.source);
        assert.ok(atPin || explained, `${p.program}.${name}: source ${f.source} is not at the pinned ${p.version}`);
      }
    }
  });

  it("the deployment file's default images are the reviewed ones", () => {
    assert.deepEqual({ ...DEFAULT_IMAGES }, { ...REVIEWED_IMAGES });
  });

  it("every image in the compose project is a pinned program's artifact", () => {
    const artifacts = new Set(PINNED_PROGRAMS.map((p) => p.artifact));
    for (const kind of ["caddy", "pingoo"] as const) {
      const d = deployment({ proxy: { kind, hsts: true }, grafana: { subdomain: "grafana", image: REVIEWED_IMAGES.grafana, live: kind !== "pingoo" } });
      const ctx = edgeContext(kind, { deployment: d });
      const doc = parse(renderCompose(d, ctx, PROXIES[kind].render(ctx)).content) as { services: Record<string, { image: string }> };
      for (const [name, s] of Object.entries(doc.services)) assert.ok(artifacts.has(s.image), `${kind}: ${name} runs ${s.image}`);
    }
  });

  it("warns at synth for a tracker, Prometheus or Grafana tag without reviewed facts, naming the reviewed tag", () => {
    const d = deployment({ tracker: { image: "torrust/tracker:v3.1.0" } });
    assert.deepEqual(unreviewedImageWarnings(deployment()), []);
    const warnings = checkEdge(d, edge(d), PROXIES.caddy, Object.values(PROXIES)).warnings;
    const w = warnings.find((x) => x.startsWith("tracker.image"));
    assert.ok(w, warnings.join("\n"));
    assert.match(w, /tracker\.image is torrust\/tracker:v3\.1\.0, .* Reviewed tags: torrust\/tracker:v3\.0\.0\./);
  });

  it("item 8: warns that Pingoo refuses an empty User-Agent and a Host with the port, from its capability", () => {
    const d = deployment({ proxy: { kind: "pingoo", hsts: true }, grafana: { subdomain: "grafana", image: REVIEWED_IMAGES.grafana, live: false } });
    const warnings = checkEdge(d, edgeContext("pingoo", { deployment: d }), PROXIES.pingoo, Object.values(PROXIES)).warnings;
    const w = warnings.find((x) => /User-Agent/.test(x));
    assert.ok(w, warnings.join("\n"));
    assert.match(w, /403 to a request with an empty User-Agent and 404 to a Host header with the port .*http1\.example\.com fail\. Choose proxy\.kind "caddy" or "nginx-certbot"/);
    const caddy = checkEdge(deployment(), edge(deployment()), PROXIES.caddy, Object.values(PROXIES)).warnings;
    assert.ok(!caddy.some((x) => /User-Agent/.test(x)));
  });

  it("exports the tracker series for dashboards: one per stats field, counters ending in _total", () => {
    assert.equal(TRACKER_SERIES.length, 16);
    for (const s of TRACKER_SERIES) assert.equal(s.name.endsWith("_total"), s.type === "counter", s.name);
  });
});
