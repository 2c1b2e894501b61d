// Every third-party program the stack runs: its pinned version and the reviewed facts the
// renderers rely on, each with its source. See README.md for how to bump a version.
import { BUSYBOX } from "./busybox";
import { CADDY } from "./caddy";
import { GRAFANA } from "./grafana";
import { JSON_EXPORTER } from "./json-exporter";
import { MARIADB } from "./mariadb";
import { CERTBOT, NGINX } from "./nginx";
import { PINGOO } from "./pingoo";
import { PROMETHEUS } from "./prometheus";
import { TRACKER } from "./tracker";
import type { PinnedProgram } from "./types";

export * from "./types";
export * from "./metrics";
export { BUSYBOX, CADDY, CERTBOT, GRAFANA, JSON_EXPORTER, MARIADB, NGINX, PINGOO, PROMETHEUS, TRACKER };
export { TRACKER_STATS_FIELDS, type TrackerStatsField } from "./tracker";

/** Every pinned program, for the review test and the README table. */
export const PINNED_PROGRAMS: readonly PinnedProgram[] = [TRACKER, PROMETHEUS, GRAFANA, JSON_EXPORTER, BUSYBOX, CADDY, NGINX, CERTBOT, PINGOO, MARIADB];

/** The images a deployment file may choose, and the one reviewed tag of each. */
export const REVIEWED_IMAGES = {
  tracker: TRACKER.artifact,
  prometheus: PROMETHEUS.artifact,
  grafana: GRAFANA.artifact,
} as const;

/**
 * Warnings for images whose facts were not reviewed: the generated config is written for the
 * reviewed tag and may be wrong for another (routes, config keys, socket behaviour).
 */
export function unreviewedImageWarnings(d: { readonly [K in keyof typeof REVIEWED_IMAGES]: { readonly image: string } }): string[] {
  return (Object.keys(REVIEWED_IMAGES) as (keyof typeof REVIEWED_IMAGES)[])
    .filter((k) => d[k].image !== REVIEWED_IMAGES[k])
    .map(
      (k) =>
        `${k}.image is ${d[k].image}, but the generated configuration is written and reviewed for ${REVIEWED_IMAGES[k]} only ` +
        `(constructs/versions/): routes, config keys and socket behaviour may differ. Reviewed tags: ${REVIEWED_IMAGES[k]}.`,
    );
}
