import {
  MIRRORZ_VERSION,
  isZeroTime,
  parseRfc3339OrZero,
  toUnixSeconds,
} from '@tunasync/api-types';
import type { MirrorStatus, MirrorzDocument, MirrorzMirror, SyncStatus } from '@tunasync/api-types';
import type { JobsSnapshot } from './jobs-snapshot';
import type { MirrorzSettings } from './mirrorz-config';
import { isMeaningfulSize } from './status-rules';
import { RenderCache } from './render-cache';

/** The Content-Type of `GET /mirrorz.json`. */
export const MIRRORZ_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Unix seconds of a stored time; undefined for the zero time (or any time before 1970). */
function unixSeconds(text: string): number | undefined {
  const date = parseRfc3339OrZero(text);
  if (isZeroTime(date)) return undefined;
  const seconds = toUnixSeconds(date);
  return seconds > 0 ? seconds : undefined;
}

/** The main letters mirrorz-parser's tunasync converter maps; any other status is `U`. */
const MAIN_LETTER: Partial<Record<SyncStatus, string>> = {
  success: 'S',
  syncing: 'Y',
  failed: 'F',
  paused: 'P',
};

/**
 * The mirrorz `status` string of one stored status, exactly as mirrorz-parser's converter
 * of tunasync `/jobs` (`tunasync.js` in `mirrorz-org/mirrorz-parser`) writes it, so that a
 * site reads the same whether mirrorz converts its `/jobs` or reads this route (the README
 * of the manager has the table): `S`/`P` with the last success, `Y` with the last start and
 * `F` with the last end — each of these two followed by `O<last success>` only when there
 * was one —, `U` for every other status; then `N` when `isNew`, then `X<next schedule>`
 * whenever one is known. A time that was never set is left out.
 */
export function mirrorzStatus(status: MirrorStatus, isNew = false): string {
  const updated = unixSeconds(status.last_update);
  const main = MAIN_LETTER[status.status] ?? 'U';
  let text = main;
  if ((main === 'S' || main === 'P') && updated !== undefined) {
    text += String(updated);
  } else if (main === 'Y' || main === 'F') {
    const at = unixSeconds(main === 'Y' ? status.last_started : status.last_ended);
    if (at !== undefined) {
      text += String(at);
      if (updated !== undefined) text += `O${updated}`;
    }
  }
  if (isNew) text += 'N';
  const next = unixSeconds(status.next_schedule);
  if (next !== undefined) text += `X${next}`;
  return text;
}

/** Which status speaks for a mirror when last successes tie: the most useful first. */
const TIE_RANK: Record<SyncStatus, number> = {
  success: 0,
  syncing: 1,
  'pre-syncing': 2,
  failed: 3,
  none: 4,
  paused: 5,
  disabled: 6,
};

/**
 * The status that speaks for a mirror several workers serve: the freshest copy, i.e. the
 * latest `last_update` (last success); on a tie (also when none succeeded yet) the status
 * ranked first by success, syncing, pre-syncing, failed, none, paused, disabled; then the
 * lowest worker id.
 */
export function representativeStatus(statuses: readonly MirrorStatus[]): MirrorStatus {
  const rank = (s: MirrorStatus) => TIE_RANK[s.status];
  let best: MirrorStatus | undefined;
  for (const s of statuses) {
    if (best === undefined) {
      best = s;
      continue;
    }
    const a = unixSeconds(s.last_update) ?? -1;
    const b = unixSeconds(best.last_update) ?? -1;
    if (a !== b) {
      if (a > b) best = s;
    } else if (rank(s) !== rank(best)) {
      if (rank(s) < rank(best)) best = s;
    } else if (s.worker < best.worker) {
      best = s;
    }
  }
  if (best === undefined) throw new RangeError('representativeStatus needs at least one status');
  return best;
}

/**
 * The whole document for the given statuses (any order): one entry per mirror name, by
 * name, the `[mirrorz.mirrors.<name>]` overrides applied and hidden mirrors left out.
 */
export function renderMirrorzDocument(
  settings: MirrorzSettings,
  statuses: readonly MirrorStatus[],
): MirrorzDocument {
  const byName = new Map<string, MirrorStatus[]>();
  for (const s of statuses) {
    if (s.name === '') continue;
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const mirrors: MirrorzMirror[] = [];
  for (const name of [...byName.keys()].sort()) {
    const override = Object.hasOwn(settings.mirrors, name) ? settings.mirrors[name] : undefined;
    if (override?.hidden === true) continue;
    const chosen = representativeStatus(byName.get(name) as MirrorStatus[]);
    const entry: MirrorzMirror = {
      cname: override?.cname ?? name,
      desc: override?.desc ?? '',
      url: override?.url ?? `${settings.mirrorUrlPrefix}/${name}`,
      status: mirrorzStatus(chosen, override?.new === true),
      help: override?.help ?? '',
      upstream: override?.upstream ?? chosen.upstream,
      size: isMeaningfulSize(chosen.size) ? chosen.size : '',
    };
    // A disabled mirror is out of service (the format's `disable`, which mirrorz-monitor
    // stops tracking); an override's `disable` wins either way.
    const disable = override?.disable ?? (chosen.status === 'disabled' ? true : undefined);
    if (disable !== undefined) entry.disable = disable;
    mirrors.push(entry);
  }
  return { version: MIRRORZ_VERSION, site: { ...settings.site }, info: [], mirrors };
}

export interface MirrorzEndpointOptions {
  snapshot: JobsSnapshot;
  settings: MirrorzSettings;
}

/**
 * `GET /mirrorz.json` (SPEC §7.6): the mirrorz document of the `/jobs` snapshot, rendered
 * once per change of the snapshot; every other request reuses the text.
 */
export class MirrorzEndpoint {
  private readonly text = new RenderCache();

  constructor(private readonly options: MirrorzEndpointOptions) {}

  /** How many times the document was rendered (not answered from the cache). */
  get renders(): number {
    return this.text.renders;
  }

  /** A validator that changes whenever the body does. */
  etag(): string {
    return this.options.snapshot.statusEtag();
  }

  /** The JSON text of the document. */
  body(): string {
    const { snapshot, settings } = this.options;
    const key = snapshot.statusEtag();
    return this.text.get(key, () =>
      JSON.stringify(renderMirrorzDocument(settings, snapshot.ordered())),
    );
  }
}
