// busybox: the hello page's httpd (only when the proxy cannot serve the page itself).
import { fact, type PinnedProgram } from "./types";

export const BUSYBOX = {
  program: "BusyBox",
  version: "1.37.0",
  artifact: "busybox:1.37.0",
  reviewedVersion: "1.37.0",
  facts: {
    httpdFlags: fact(
      ["-f", "-p", "-h"],
      "mirror/busybox@1_36_1:networking/httpd.c (foreground, [ip:]port, home; not tagged 1.37.0 in the mirror, master has the same options)",
    ),
    httpdLogsOnlyWithVerbose: fact(true, "mirror/busybox@1_36_1:networking/httpd.c (requests are logged only with -v; not tagged 1.37.0 in the mirror, master has the same code)"),
  },
} as const satisfies PinnedProgram;
