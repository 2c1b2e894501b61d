// nginx and certbot: Ubuntu 24.04 packages on the host (validated here with Debian 12's nginx -t).
import { fact, type PinnedProgram } from "./types";

export const NGINX = {
  program: "nginx",
  version: "1.24.0",
  artifact: "Ubuntu 24.04 package nginx (1.24.0-2ubuntu7)",
  reviewedVersion: "1.24.0",
  facts: {
    unit: fact("nginx.service", "Ubuntu 24.04 nginx-common: debian/nginx-common.nginx.service"),
    accessLogDirective: fact(
      "access_log off",
      "nginx.org/en/docs/http/ngx_http_log_module.html#access_log (the default combined format logs $request, i.e. the URI with its query)",
    ),
    serverNameIgnoresPort: fact(true, "nginx.org/en/docs/http/request_processing.html (server_name is matched against the Host without the port)"),
  },
} as const satisfies PinnedProgram;

export const CERTBOT = {
  program: "certbot",
  version: "2.9.0",
  artifact: "Ubuntu 24.04 package certbot (2.9.0-1)",
  reviewedVersion: "2.9.0",
  facts: {
    configDir: fact("/etc/letsencrypt", "certbot/certbot@v2.9.0:certbot/certbot/_internal/constants.py (config_dir default)"),
    timer: fact("certbot.timer", "Ubuntu 24.04 certbot: debian/certbot.timer"),
  },
} as const satisfies PinnedProgram;
