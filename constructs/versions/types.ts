// What a pinned third-party program is and what the renderers rely on for that version.

/** One fact a renderer relies on, with where it was read (repository path at the pinned tag). */
export interface Fact<T = unknown> {
  readonly value: T;
  /** "owner/repo@tag:path[:line]" or a documentation URL; what a reviewer re-reads on a bump. */
  readonly source: string;
}

/** A pinned program: its version, the image or package it comes from, and the reviewed facts. */
export interface PinnedProgram<F extends Record<string, Fact> = Record<string, Fact>> {
  readonly program: string;
  /** The pinned version, e.g. "v3.0.0" or "2.10.2". */
  readonly version: string;
  /** The container image reference or distribution package the stack runs. */
  readonly artifact: string;
  /**
   * The version whose source the facts were read from. A test fails while it differs from
   * `version`: bumping a pin means re-reading every fact's source and then updating this.
   */
  readonly reviewedVersion: string;
  readonly facts: F;
}

export const fact = <T>(value: T, source: string): Fact<T> => ({ value, source });
