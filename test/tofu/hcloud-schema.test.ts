// The committed hcloud schema (what the bindings are generated from) is what the built
// terraform-provider-hcloud 1.68.0 reports. Needs `npm run tools`.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { HCLOUD_SCHEMA_PATH } from "../../scripts/generate-hcloud-bindings";
import { HCLOUD, hcloudSchemaFromProvider } from "../../tofu/hcloud-schema";

describe("provider-schema/hcloud.schema.json", () => {
  it("equals `tofu providers schema -json` of the built provider (npm run schema:hcloud rewrites it)", () => {
    const real = hcloudSchemaFromProvider();
    assert.equal(JSON.parse(real).provider_versions[HCLOUD.source], "1.68.0");
    assert.ok(fs.readFileSync(HCLOUD_SCHEMA_PATH, "utf8") === real, "provider-schema/hcloud.schema.json differs from the provider's schema: run npm run schema:hcloud, review, commit");
  });
});
