import type { ConfigLocator } from '@tunasync/config';
import { MIRRORZ_SITE_TEXT_KEYS, MANAGER_DEFAULTS, nameProblem } from '@tunasync/api-types';
import type {
  MirrorzConfigFile,
  MirrorzMirrorConfig,
  MirrorzSite,
  MirrorzSiteConfig,
} from '@tunasync/api-types';

/** What the manager serves `GET /mirrorz.json` with (only when `[mirrorz] enable = true`). */
export interface MirrorzSettings {
  /** The `site` object, empty texts left out. */
  site: MirrorzSite;
  /** Prefix of every mirror's default `url` (`<prefix>/<name>`), without a trailing slash. */
  mirrorUrlPrefix: string;
  /** `[mirrorz.mirrors.<name>]` by mirror name. */
  mirrors: Readonly<Record<string, MirrorzMirrorConfig>>;
}

/** `true` for an absolute `http:`/`https:` URL. */
function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The rule of the format for a mirror's `url` and `help` (and the site's `big` and logos): a
 * path that mirrorz joins to `site.url`, or an absolute http(s) URL. Undefined when `text`
 * keeps it.
 */
function linkProblem(text: string, trailingSlash: boolean): string | undefined {
  if (!text.startsWith('/') && !isHttpUrl(text)) {
    return `must be a path starting with "/" (joined to site.url) or an http(s) URL, got ${JSON.stringify(text)}`;
  }
  if (!trailingSlash && text.endsWith('/')) {
    return `must not end with "/" (mirrorz format), got ${JSON.stringify(text)}`;
  }
  return undefined;
}

function siteProblems(site: MirrorzSiteConfig, enabled: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key of ['abbr', 'url'] as const) {
    if (enabled && (site[key] ?? '') === '') {
      out.push([key, 'is required when mirrorz is enabled']);
    }
  }
  const url = site.url ?? '';
  if (url !== '') {
    if (!isHttpUrl(url)) {
      out.push(['url', `must be an absolute http(s) URL, got ${JSON.stringify(url)}`]);
    } else if (url.endsWith('/')) {
      out.push(['url', `must not end with "/" (mirrorz format), got ${JSON.stringify(url)}`]);
    }
  }
  for (const key of ['logo', 'logo_darkmode', 'big'] as const) {
    const value = site[key] ?? '';
    const problem = value === '' ? undefined : linkProblem(value, true);
    if (problem) out.push([key, problem]);
  }
  for (const key of ['logo', 'logo_darkmode'] as const) {
    if (/\.ico$/i.test(site[key] ?? '')) {
      out.push([key, 'mirrorz does not take an .ico logo: use SVG or PNG of at least 64x64']);
    }
  }
  if ((site.logo_darkmode ?? '') !== '' && (site.logo ?? '') === '') {
    out.push(['logo_darkmode', 'set logo too: mirrorz uses logo_darkmode only besides logo']);
  }
  return out;
}

function mirrorProblems(name: string, mirror: MirrorzMirrorConfig): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const bad = nameProblem(name);
  if (bad !== undefined) out.push(['', `mirror name ${bad}`]);
  if (mirror.cname !== undefined && mirror.cname.trim() === '') {
    out.push(['cname', 'must not be empty (leave it out to use the mirror name)']);
  }
  if (mirror.url !== undefined) {
    const problem = linkProblem(mirror.url, false);
    if (problem) out.push(['url', problem]);
  }
  if (mirror.help !== undefined && mirror.help !== '') {
    const problem = linkProblem(mirror.help, true);
    if (problem) out.push(['help', problem]);
  }
  return out;
}

function siteOf(config: MirrorzSiteConfig): MirrorzSite {
  const site: Record<string, string | boolean> = {};
  for (const key of MIRRORZ_SITE_TEXT_KEYS) {
    const value = config[key];
    if (value !== undefined && value !== '') site[key] = value;
  }
  if (config.disable !== undefined) site.disable = config.disable;
  return site as MirrorzSite;
}

/**
 * Checks the `[mirrorz]` section of manager.conf beyond its schema (SPEC §7.6, §7.10):
 * `site.abbr` and `site.url` when enabled, the link rules of the mirrorz format, and the
 * mirror names of `[mirrorz.mirrors.<name>]`. Every problem is pushed as
 * `file:line:key: reason` (see `ConfigLocator`). Answers the settings when the route is enabled and nothing is
 * wrong, else undefined.
 */
export function checkMirrorzConfig(
  section: MirrorzConfigFile | undefined,
  locator: ConfigLocator,
  problems: string[],
): MirrorzSettings | undefined {
  const config = section ?? {};
  const enabled = config.enable ?? MANAGER_DEFAULTS.mirrorz_enable;
  const before = problems.length;
  const at = (key: string, reason: string) =>
    problems.push(`${locator.place(`mirrorz.${key}`)}: ${reason}`);

  for (const [key, reason] of siteProblems(config.site ?? {}, enabled)) at(`site.${key}`, reason);
  const prefix = config.mirror_url_prefix ?? MANAGER_DEFAULTS.mirrorz_mirror_url_prefix;
  if (prefix !== '') {
    const problem = linkProblem(prefix, false);
    if (problem) at('mirror_url_prefix', problem);
  }
  for (const [name, mirror] of Object.entries(config.mirrors ?? {})) {
    for (const [key, reason] of mirrorProblems(name, mirror)) {
      at(`mirrors.${name}${key === '' ? '' : `.${key}`}`, reason);
    }
  }

  if (!enabled || problems.length > before) return undefined;
  return {
    site: siteOf(config.site ?? {}),
    mirrorUrlPrefix: prefix,
    mirrors: { ...config.mirrors },
  };
}
