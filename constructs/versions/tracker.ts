// torrust/tracker: the pinned image and what the renderers rely on in that version.
import { fact, type PinnedProgram } from "./types";

const T = "torrust/torrust-tracker@v3.0.0";

/** Fields of the JSON body of GET /api/v1/stats (all unsigned integers, one flat object). */
export const TRACKER_STATS_FIELDS = [
  "torrents",
  "seeders",
  "completed",
  "leechers",
  "tcp4_connections_handled",
  "tcp4_announces_handled",
  "tcp4_scrapes_handled",
  "tcp6_connections_handled",
  "tcp6_announces_handled",
  "tcp6_scrapes_handled",
  "udp4_connections_handled",
  "udp4_announces_handled",
  "udp4_scrapes_handled",
  "udp6_connections_handled",
  "udp6_announces_handled",
  "udp6_scrapes_handled",
] as const;
export type TrackerStatsField = (typeof TRACKER_STATS_FIELDS)[number];

export const TRACKER = {
  program: "Torrust Tracker",
  version: "v3.0.0",
  artifact: "torrust/tracker:v3.0.0",
  reviewedVersion: "v3.0.0",
  facts: {
    statsPath: fact("/api/v1/stats", `${T}:src/servers/apis/v1/routes.rs + src/servers/apis/v1/context/stats/routes.rs`),
    statsFormat: fact(
      "json" as const,
      `${T}:src/servers/apis/v1/context/stats/handlers.rs (returns Json<Stats>; no format parameter, no Prometheus text; /api/v1/metrics does not exist)`,
    ),
    statsFields: fact(TRACKER_STATS_FIELDS, `${T}:src/servers/apis/v1/context/stats/resources.rs (struct Stats)`),
    tokenQueryParameter: fact(
      "token",
      `${T}:src/servers/apis/v1/middlewares/auth.rs (QueryParams.token; no header is read; every access token is an admin token)`,
    ),
    healthCheckPath: fact("/api/health_check", `${T}:src/servers/apis/routes.rs (outside the auth layer: no token)`),
    apiLogsRequestUri: fact(
      true,
      `${T}:src/servers/apis/routes.rs (DefaultMakeSpan at INFO records the URI with its query, printed with events inside the request, e.g. failures)`,
    ),
    udpReplyFamilyFromSocketAddress: fact(
      true,
      `${T}:src/servers/udp/handlers.rs:179 (remote_addr.is_ipv4(): an IPv4 client seen as ::ffff:a.b.c.d gets an IPv6 reply; torrust/torrust-tracker#1368)`,
    ),
    socketsLeaveV6OnlyToSystem: fact(
      true,
      `${T}:src/servers/udp/server/bound_socket.rs (tokio::net::UdpSocket::bind) + Cargo.lock (tokio 1.40.0, mio 1.0.2, axum-server 0.7.1); ` +
        "tokio-rs/mio@v1.0.2:src/sys/unix/net.rs new_ip_socket and src/sys/unix/udp.rs bind never set IPV6_V6ONLY: net.ipv6.bindv6only decides",
    ),
    udpTrackersIsList: fact(true, `${T}:packages/configuration/src/v2_0_0/mod.rs ([[udp_trackers]] and [[http_trackers]] are arrays; one bind_address each)`),
    httpApiSingleBind: fact(true, `${T}:packages/configuration/src/v2_0_0/tracker_api.rs ([http_api] is one table with one bind_address)`),
    reverseProxyRightMostXff: fact(
      true,
      `${T}:src/servers/http/v1/services/peer_ip_resolver.rs (on_reverse_proxy: the right-most X-Forwarded-For is the peer address)`,
    ),
    configTomlPathEnv: fact("TORRUST_TRACKER_CONFIG_TOML_PATH", `${T}:packages/configuration/src/lib.rs:36`),
    configOverridePrefix: fact("TORRUST_TRACKER_CONFIG_OVERRIDE_", `${T}:packages/configuration/src/v2_0_0/mod.rs:261`),
    adminTokenEnv: fact(
      "TORRUST_TRACKER_CONFIG_OVERRIDE_HTTP_API__ACCESS_TOKENS__ADMIN",
      `${T}:packages/configuration/src/v2_0_0/mod.rs:655 (test of the override)`,
    ),
    entrypointUserIdMin: fact(1000, `${T}:share/container/entry_script_sh:15 (USER_ID below 1000 is refused; adduser --uid USER_ID)`),
  },
} as const satisfies PinnedProgram;
