// cdktf's Testing.app() and Testing.synthScope() make a /tmp/cdktf.outdir.* folder per call and
// never remove it (cdktf 0.21 lib/testing/index.js): these give them a tempDir() that is removed
// when the test process exits.
import { Testing, TerraformStack, type App } from "cdktf";
import type { Construct } from "constructs";
import { tempDir } from "./tmp";

/** Testing.app() with an outdir removed at exit. */
export function testApp(): App {
  return Testing.app({ outdir: tempDir("cdktf-test-") });
}

/** Testing.synthScope() on a testApp(). */
export function synthScope(fn: (scope: Construct) => void): string {
  const stack = new TerraformStack(testApp(), "stack");
  fn(stack);
  return Testing.synth(stack);
}
