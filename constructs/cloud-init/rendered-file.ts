/** A file the server needs, as cloud-init's write_files will write it. */
export interface RenderedFile {
  /** Absolute path on the server. */
  readonly path: string;
  /** The file's text, exactly. */
  readonly content: string;
  /** Octal mode as a quoted string, e.g. "0644" (cloud-init needs a string). @default "0644" */
  readonly permissions?: string;
  /** owner:group. @default "root:root" */
  readonly owner?: string;
}
