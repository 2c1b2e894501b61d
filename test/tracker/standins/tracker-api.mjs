// NAMED STAND-IN for torrust/tracker:v3.0.0's HTTP API (the image cannot run here): exactly the
// routes and bodies the metrics path relies on, from the v3.0.0 source:
//   GET /api/health_check        → {"status":"Ok"}   (src/servers/apis/routes.rs, outside auth;
//                                   src/servers/apis/v1/context/health_check/resources.rs)
//   GET /api/v1/stats?token=T    → the Stats struct as JSON, fields in declaration order
//                                   (src/servers/apis/v1/context/stats/resources.rs)
//   no token / wrong token       → 500 text/plain "Unhandled rejection: Err { reason: \"unauthorized\" }"
//                                   / "... \"token not valid\" }" (src/servers/apis/v1/middlewares/auth.rs,
//                                   src/servers/apis/v1/responses.rs unhandled_rejection_response)
//   anything else under /api/v1 with a valid token → 404 (axum's fallback; /api/v1/metrics does not exist)
// Usage: node tracker-api.mjs HOST PORT TOKEN STATS_JSON. Prints "ready", then one line per request: "<method> <url>".
import http from "node:http";

const [host, port, token, statsJson] = process.argv.slice(2);
const stats = JSON.parse(statsJson);
const reject = (res, reason) => {
  res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
  res.end(`Unhandled rejection: Err { reason: "${reason}" }`);
};
http
  .createServer((req, res) => {
    console.log(`${req.method} ${req.url}`);
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/api/health_check") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ status: "Ok" }));
    }
    const t = url.searchParams.get("token");
    if (t === null) return reject(res, "unauthorized");
    if (t !== token) return reject(res, "token not valid");
    if (req.method === "GET" && url.pathname === "/api/v1/stats") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(stats));
    }
    res.writeHead(404);
    res.end();
  })
  .listen(Number(port), host, () => console.log("ready"));
