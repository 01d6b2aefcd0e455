/**
 * The key layout of the LevelDB store (documented in the package README).
 *
 *   meta/version                                  → "1"
 *   meta/imported-from                            → where an imported database came from
 *   worker/<enc(workerId)>                        → WorkerStatus JSON
 *   status/<enc(workerId)>/<enc(mirror)>          → MirrorStatus JSON
 *   history/<enc(workerId)>/<enc(mirror)>/<seq>   → RunRecord JSON (SPEC §7.8)
 *
 * `<seq>` is the run's number in its mirror's history, 1, 2, 3, … written with
 * `HISTORY_SEQ_DIGITS` digits, so key order is run order: the newest N runs are a reverse
 * range read of one prefix limited to N, and the runs beyond the newest N are the keys below
 * one bound.
 *
 * `enc` keeps `A-Z a-z 0-9 . _ + -` as they are and writes every other UTF-16 code unit as
 * `~` and four hex digits. It is injective and never produces `/`, so components can never
 * run into each other whatever the names contain, and `status/<enc(w)>/` is a prefix of
 * exactly the statuses of worker `w`.
 */

export const LAYOUT_VERSION = '1';
export const VERSION_KEY = 'meta/version';
/** Written once by the import of a Go manager's database: where from, when, how many. */
export const IMPORT_NOTE_KEY = 'meta/imported-from';

const SAFE = /[A-Za-z0-9._+-]/;

export function encodeComponent(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    out += SAFE.test(ch) ? ch : `~${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return out;
}

export function decodeComponent(encoded: string): string {
  return encoded.replace(/~([0-9a-f]{4})/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/** The range `[gte, lt)` of every key that starts with `prefix`. */
export interface KeyRange {
  gte: string;
  lt: string;
}

/** Every key starting with `prefix` (which ends with `/`; `0` is the character after `/`). */
function prefixRange(prefix: string): KeyRange {
  return { gte: prefix, lt: `${prefix.slice(0, -1)}0` };
}

export function workerKey(workerId: string): string {
  return `worker/${encodeComponent(workerId)}`;
}

export const WORKER_RANGE: KeyRange = prefixRange('worker/');

export function statusKey(workerId: string, mirror: string): string {
  return `status/${encodeComponent(workerId)}/${encodeComponent(mirror)}`;
}

export const STATUS_RANGE: KeyRange = prefixRange('status/');

export function workerStatusRange(workerId: string): KeyRange {
  return prefixRange(`status/${encodeComponent(workerId)}/`);
}

/** `[workerId, mirror]` of a status key, or undefined when it is not one. */
export function parseStatusKey(key: string): [string, string] | undefined {
  const parts = key.split('/');
  if (parts.length !== 3 || parts[0] !== 'status') return undefined;
  return [decodeComponent(parts[1] as string), decodeComponent(parts[2] as string)];
}

/** Digits of a history record's `<seq>` (zero-padded: key order is number order). */
export const HISTORY_SEQ_DIGITS = 16;

const SEQ_PATTERN = new RegExp(`^\\d{${HISTORY_SEQ_DIGITS}}$`);

function historyPrefix(workerId: string, mirror: string): string {
  return `history/${encodeComponent(workerId)}/${encodeComponent(mirror)}/`;
}

/** The key of run number `seq` (1, 2, …) of a mirror's history. */
export function historyKey(workerId: string, mirror: string, seq: number): string {
  return `${historyPrefix(workerId, mirror)}${String(seq).padStart(HISTORY_SEQ_DIGITS, '0')}`;
}

/** Every history record of one mirror. */
export function mirrorHistoryRange(workerId: string, mirror: string): KeyRange {
  return prefixRange(historyPrefix(workerId, mirror));
}

/** Every history record of every mirror of one worker. */
export function workerHistoryRange(workerId: string): KeyRange {
  return prefixRange(`history/${encodeComponent(workerId)}/`);
}

/** The `<seq>` of a history key, or undefined when the key is not one. */
export function parseHistorySeq(key: string): number | undefined {
  const parts = key.split('/');
  const seq = parts[3];
  if (parts.length !== 4 || parts[0] !== 'history' || seq === undefined) return undefined;
  return SEQ_PATTERN.test(seq) ? Number(seq) : undefined;
}
