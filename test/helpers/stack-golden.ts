// Reviewable goldens of a synthesized stack: the stack JSON without the user_data string, the
// decoded #cloud-config with each file's content replaced by a pointer, and every written file as
// its own text golden (not one JSON-escaped gz+b64 blob).
import { gunzipSync } from "node:zlib";
import YAML from "yaml";
import { assertGolden } from "./golden";

function decode(entry: { content?: string; encoding?: string }): string {
  const content = entry.content ?? "";
  if (entry.encoding === "gz+b64") return gunzipSync(Buffer.from(content, "base64")).toString("utf8");
  if (entry.encoding === "b64") return Buffer.from(content, "base64").toString("utf8");
  return content;
}

/** Asserts `<name>.cdk.tf.json`, `<name>.user-data/cloud-config.yaml` and `<name>.user-data/files/<path>`. */
export function assertStackGolden(dir: string, name: string, stack: any): void {
  const copy = structuredClone(stack);
  const servers = (copy.resource?.hcloud_server ?? {}) as Record<string, { user_data?: string }>;
  for (const server of Object.values(servers)) {
    const text = (server.user_data ?? "").replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
    server.user_data = `(decoded in __golden__/${name}.user-data/: ${Buffer.byteLength(server.user_data ?? "")} bytes)`;
    const doc = YAML.parse(text, { version: "1.1" } as never) as { write_files?: { path: string; content?: string; encoding?: string }[] };
    for (const f of doc.write_files ?? []) {
      assertGolden(dir, `${name}.user-data/files${f.path}`, decode(f));
      f.content = `(see files${f.path})`;
    }
    assertGolden(dir, `${name}.user-data/cloud-config.yaml`, `#cloud-config\n${YAML.stringify(doc, { lineWidth: 0 })}`);
  }
  assertGolden(dir, `${name}.cdk.tf.json`, `${JSON.stringify(copy, null, 2)}\n`);
}
