// Where the nginx + certbot plug-in puts things on the server. Standard Debian/Ubuntu paths, so the
// rehearsal can bind-mount /etc/nginx, /etc/letsencrypt, /var/www and /opt/torrust and run the scripts as they are.
import { BIN } from "../../tracker/layout";

export const NGINX_CERTBOT_PATHS = {
  /** Phase 1: port 80 (ACME webroot + redirect). Enabled first. */
  httpSite: "/etc/nginx/sites-available/torrust-http.conf",
  /** Phase 2: port 443 server blocks. Enabled once the certificate exists. */
  tlsSite: "/etc/nginx/sites-available/torrust-https.conf",
  sitesEnabled: "/etc/nginx/sites-enabled",
  /** certbot --webroot writes challenges here; nginx serves /.well-known/acme-challenge/ from it. */
  webroot: "/var/www/certbot",
  /** The static hello page. */
  helloRoot: "/var/www/torrust-hello",
  letsencrypt: "/etc/letsencrypt",
  /** The master's PID: Debian/Ubuntu nginx.conf `pid /run/nginx.pid;` and nginx.service PIDFile=. */
  nginxPid: "/run/nginx.pid",
  /** One certificate for every hostname. */
  certName: "torrust",
  bootstrap: `${BIN}/nginx-certbot-bootstrap`,
  renew: `${BIN}/nginx-certbot-renew`,
  deployHook: "/etc/letsencrypt/renewal-hooks/deploy/torrust-nginx-reload",
  bootstrapUnit: "/etc/systemd/system/torrust-nginx-certbot-bootstrap.service",
  /** Drop-in ordering the distribution's nginx.service after the data volume (/etc/letsencrypt lives there). */
  nginxDropIn: "/etc/systemd/system/nginx.service.d/10-torrust-storage.conf",
  /** Drop-in giving the distribution's certbot.service the test CA's bundle. */
  certbotDropIn: "/etc/systemd/system/certbot.service.d/torrust-acme-ca.conf",
} as const;

export const NGINX_CERTBOT_GENERATOR = "constructs/proxies/nginx-certbot";

export function livePath(file: "fullchain.pem" | "privkey.pem"): string {
  return `${NGINX_CERTBOT_PATHS.letsencrypt}/live/${NGINX_CERTBOT_PATHS.certName}/${file}`;
}
