// Pingoo: the TLS-ALPN-only proxy (Docker image). Facts behind its plug-in's capabilities.
import { fact, type PinnedProgram } from "./types";

const G = "pingooio/pingoo@v0.14.7";

export const PINGOO = {
  program: "Pingoo",
  version: "0.14.7",
  artifact: "pingooio/pingoo:0.14.7",
  reviewedVersion: "0.14.7",
  facts: {
    emptyUserAgentBlocked: fact(
      true,
      `${G}:pingoo/listeners/http_listener.rs:196 (user_agent.is_empty() → new_blocked_response) + pingoo/services/http_utils.rs:90 (403 "Permission Denied")`,
    ),
    hostWithPortNotRouted: fact(
      true,
      `${G}:pingoo/listeners/http_listener.rs:284-296 (get_host keeps the Host header as sent, port included) + :272 (no route matches → new_not_found_error, 404)`,
    ),
  },
} as const satisfies PinnedProgram;
