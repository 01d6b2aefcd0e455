/**
 * The mirrorz document (`mirrorz.json`, data format v1.7 of the mirrorz project): how a
 * mirror site describes itself and its mirrors to the mirrorz aggregator (SPEC §7.6).
 */

/** The format version this package describes. */
export const MIRRORZ_VERSION = 1.7;

/**
 * The main status letters of `mirrors[].status` (exactly one per entry): success, pending,
 * syncing, failed, paused, reverse proxy with cache, reverse proxy without cache, unknown.
 */
export const MIRRORZ_MAIN_STATUSES = ['S', 'D', 'Y', 'F', 'P', 'C', 'R', 'U'] as const;
export type MirrorzMainStatus = (typeof MIRRORZ_MAIN_STATUSES)[number];

/** The auxiliary letters: next schedule, new mirror, last success (while syncing or failed). */
export const MIRRORZ_AUX_STATUSES = ['X', 'N', 'O'] as const;
export type MirrorzAuxStatus = (typeof MIRRORZ_AUX_STATUSES)[number];

/** The text fields of the `site` object, in the order the format lists them. */
export const MIRRORZ_SITE_TEXT_KEYS = [
  'url',
  'logo',
  'logo_darkmode',
  'abbr',
  'name',
  'homepage',
  'issue',
  'request',
  'email',
  'group',
  'disk',
  'note',
  'big',
] as const;
export type MirrorzSiteTextKey = (typeof MIRRORZ_SITE_TEXT_KEYS)[number];

/** `site`: only `url` (no trailing slash) and `abbr` are mandatory. */
export type MirrorzSite = { url: string; abbr: string } & Partial<
  Record<Exclude<MirrorzSiteTextKey, 'url' | 'abbr'>, string>
> & {
    /** The site is out of service (mirrorz marks it, and redirects nothing to it). */
    disable?: boolean;
  };

/** One entry of `mirrors` (the list view of mirrorz). */
export interface MirrorzMirror {
  cname: string;
  desc: string;
  /** A path (joined to `site.url`) or an absolute URL; no trailing slash. */
  url: string;
  /** One main status letter and any auxiliary ones, each optionally followed by Unix seconds. */
  status: string;
  help: string;
  upstream: string;
  size: string;
  /** The mirror is out of service. */
  disable?: boolean;
}

/** One entry of `info` (the category view): downloads of a distribution. */
export interface MirrorzInfo {
  distro: string;
  category: string;
  urls: Array<{ name: string; url: string }>;
}

/** The whole document. */
export interface MirrorzDocument {
  version: number;
  site: MirrorzSite;
  info: MirrorzInfo[];
  mirrors: MirrorzMirror[];
}
