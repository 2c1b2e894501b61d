// caddy: the default TLS proxy (Docker image).
import { fact, type PinnedProgram } from "./types";

export const CADDY = {
  program: "Caddy",
  version: "2.10.2",
  artifact: "caddy:2.10.2",
  reviewedVersion: "2.10.2",
  facts: {
    /** Caddy's HTTP/3 (quic-go) asks for 7 MiB UDP buffers and logs a warning when the kernel caps them lower. */
    quicBufferBytes: fact(
      7 * 1024 * 1024,
      "caddyserver/caddy@v2.10.2:go.mod (quic-go v0.54.0); quic-go/quic-go@v0.54.0:internal/protocol/params.go (DesiredReceiveBufferSize = DesiredSendBufferSize = 7 MB) + sys_conn_buffers.go",
    ),
    adminEndpoint: fact("localhost:2019", "caddyserver/caddy@v2.10.2:admin.go (DefaultAdminListen)"),
    /** Error logs carry the request cloned before any handler (so before a rewrite); no access log without a log directive. */
    errorLogHasOriginalRequest: fact(true, "caddyserver/caddy@v2.10.2:modules/caddyhttp/server.go (loggableReq := r.Clone before the handler chain; shouldLogRequest)"),
    /** A writable folder for a relay running as a non-root uid (the image's /data is root's). */
    relayStorageDir: fact("/tmp/caddy", "caddyserver/caddy@v2.10.2:Caddyfile global option storage file_system; the caddy image's /tmp is world-writable (alpine)"),
    hostMatcherIgnoresPort: fact(true, "caddyserver/caddy@v2.10.2:modules/caddyhttp/matchers.go (MatchHost compares the host without the port)"),
  },
} as const satisfies PinnedProgram;
