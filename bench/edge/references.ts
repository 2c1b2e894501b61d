// The reference configurations the generated ones are compared with, written by the benchmark
// (never by the proxy plug-ins), for the same sites, ports and certificates:
//   Caddy: a minimal Caddyfile, one `reverse_proxy` per site (the shape the Torrust deployer
//          generates), with the generated file's global options (test CA, storage) so it serves
//          the very certificates the generated config obtained.
//   nginx: what `certbot --nginx --redirect` makes of a plain proxy server block: `listen 443 ssl`,
//          the certificate lines, certbot's options-ssl-nginx.conf written inline (that file only
//          exists once the nginx plug-in has run, not after `certonly --webroot`), ssl_dhparam,
//          `proxy_pass http://127.0.0.1:PORT` with no upstream block (so no keep-alive: nginx speaks
//          HTTP/1.0 to the upstream and opens a connection per request), the stock nginx.conf
//          (access log on) and certbot's port-80 redirect block.
import * as fs from "node:fs";
import type { EdgeSite } from "../../constructs/edge/types";
import { livePath } from "../../constructs/proxies/nginx-certbot/paths";

/** Sites the references serve: those with an upstream (the hello page has no load to carry). */
type ProxiedSite = EdgeSite & { upstream: NonNullable<EdgeSite["upstream"]> };

export function proxiedSites(sites: readonly EdgeSite[]): ProxiedSite[] {
  return sites.filter((s): s is ProxiedSite => s.upstream !== undefined);
}

/** The global options block of a Caddyfile (from the first line `{` to the first line `}`). */
export function caddyGlobalOptions(caddyfile: string): string {
  const lines = caddyfile.split("\n");
  const start = lines.findIndex((l) => l.trim() === "{");
  const end = lines.findIndex((l, i) => i > start && l.trim() === "}");
  if (start < 0 || end < 0) throw new Error("the generated Caddyfile has no global options block");
  return lines.slice(start, end + 1).join("\n");
}

export function referenceCaddyfile(generated: string, sites: readonly EdgeSite[]): string {
  const blocks = proxiedSites(sites).map((s) => `${s.hostname} {\n\treverse_proxy ${s.upstream.host}:${s.upstream.port}\n}`);
  return [
    "# bench:edge reference: a minimal Caddyfile, one reverse_proxy per site (the Torrust deployer's shape);",
    "# global options copied from the generated Caddyfile (test CA, storage: the same certificates).",
    caddyGlobalOptions(generated),
    "",
    blocks.join("\n\n"),
    "",
  ].join("\n");
}

/** Where certbot's nginx plug-in keeps the TLS options it includes (Debian's python3-certbot-nginx). */
export const CERTBOT_NGINX_OPTIONS = "/usr/lib/python3/dist-packages/certbot_nginx/_internal/tls_configs/options-ssl-nginx.conf";
/** certbot's DH parameters (what `ssl_dhparam /etc/letsencrypt/ssl-dhparams.pem` is a copy of). */
export const CERTBOT_DHPARAMS = "/usr/lib/python3/dist-packages/certbot/ssl-dhparams.pem";

/** certbot 2.1's options-ssl-nginx.conf for nginx ≥ 1.5.9 with OpenSSL ≥ 1.0.2l, if the package is missing. */
const CERTBOT_OPTIONS_FALLBACK = `ssl_session_cache shared:le_nginx_SSL:10m;
ssl_session_timeout 1440m;
ssl_session_tickets off;

ssl_protocols TLSv1.2 TLSv1.3;
ssl_prefer_server_ciphers off;

ssl_ciphers "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";
`;

/** certbot's TLS options as directives (comments and blank lines dropped), and where they came from. */
export function certbotTlsOptions(file = CERTBOT_NGINX_OPTIONS): { directives: string[]; source: string } {
  const fromPackage = fs.existsSync(file);
  const text = fromPackage ? fs.readFileSync(file, "utf8") : CERTBOT_OPTIONS_FALLBACK;
  const directives = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  return { directives, source: fromPackage ? file : "bench/edge/references.ts (certbot 2.1's options-ssl-nginx.conf)" };
}

export function referenceNginxSite(sites: readonly EdgeSite[], ipv6: boolean, options = certbotTlsOptions()): string {
  const managed = "# managed by Certbot";
  const dhparam = fs.existsSync(CERTBOT_DHPARAMS) ? [`    ssl_dhparam ${CERTBOT_DHPARAMS}; ${managed}`] : [];
  const blocks = proxiedSites(sites).map((s) =>
    [
      "server {",
      `    server_name ${s.hostname};`,
      "    location / {",
      `        proxy_pass http://${s.upstream.host}:${s.upstream.port};`,
      "        proxy_set_header Host $host;",
      "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      "        proxy_set_header X-Forwarded-Proto $scheme;",
      "    }",
      "",
      ...(ipv6 ? [`    listen [::]:443 ssl; ${managed}`] : []),
      `    listen 443 ssl; ${managed}`,
      `    ssl_certificate ${livePath("fullchain.pem")}; ${managed}`,
      `    ssl_certificate_key ${livePath("privkey.pem")}; ${managed}`,
      `    # include /etc/letsencrypt/options-ssl-nginx.conf; ${managed} (inline below: ${options.source})`,
      ...options.directives.map((d) => `    ${d}`),
      ...dhparam,
      "}",
      "",
      "server {",
      `    if ($host = ${s.hostname}) {`,
      "        return 301 https://$host$request_uri;",
      `    } ${managed}`,
      "    listen 80;",
      ...(ipv6 ? ["    listen [::]:80;"] : []),
      `    server_name ${s.hostname};`,
      `    return 404; ${managed}`,
      "}",
    ].join("\n"),
  );
  return [
    "# bench:edge reference: plain proxy server blocks as `certbot --nginx --redirect` leaves them",
    "# (no upstream block, so no upstream keep-alive), with the certificate the generated config uses.",
    "",
    blocks.join("\n\n"),
    "",
  ].join("\n");
}

/** The stock nginx.conf with only the sites include (and the pid file) pointing at the reference. */
export function referenceNginxConf(stock: string, siteFile: string, pidFile: string): string {
  const include = /^(\s*)include \/etc\/nginx\/sites-enabled\/\*;/m;
  const pid = /^pid \/run\/nginx\.pid;/m;
  if (!include.test(stock) || !pid.test(stock)) throw new Error("the stock /etc/nginx/nginx.conf has no sites-enabled include or pid line to replace");
  return `# bench:edge reference: Debian's stock nginx.conf; only the sites include and the pid file differ.\n${stock
    .replace(include, `$1include ${siteFile};`)
    .replace(pid, `pid ${pidFile};`)}`;
}
