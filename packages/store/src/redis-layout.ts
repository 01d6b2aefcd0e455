/**
 * The key layout of the Redis store (documented in the package README). The Go manager's two
 * hashes, exactly as it writes them:
 *
 *   workers        field <worker id>          → WorkerStatus JSON
 *   mirror_status  field <mirror>/<worker id> → MirrorStatus JSON
 *
 * and what Go does not have, under `tunasync-ts:` (a Go manager reads no other key):
 *
 *   tunasync-ts:version                                 → "1"
 *   tunasync-ts:mirror_status  field <enc(w)>/<enc(m)>  → MirrorStatus JSON of a pair whose
 *                                                          worker or mirror contains "/"
 *   tunasync-ts:history:<enc(w)>/<enc(m)>               → list of RunRecord JSON, newest first
 *   tunasync-ts:history-index:<enc(w)>                  → set of <enc(m)> with a history list
 *   tunasync-ts:changes                                 → pub/sub channel of our writes
 */
import { decodeComponent, encodeComponent } from './key-layout';

export const REDIS_LAYOUT_VERSION = '1';
export const REDIS_PREFIX = 'tunasync-ts:';
export const WORKERS_HASH = 'workers';
export const GO_STATUS_HASH = 'mirror_status';
export const OWN_STATUS_HASH = `${REDIS_PREFIX}mirror_status`;
export const VERSION_KEY = `${REDIS_PREFIX}version`;
export const CHANGES_CHANNEL = `${REDIS_PREFIX}changes`;

/** Where one (worker, mirror) status is stored: a hash and a field. */
export interface StatusField {
  hash: string;
  field: string;
}

/** A lone surrogate has no UTF-8 form: Redis would store U+FFFD in its place. */
const LONE_SURROGATE = /\p{Cs}/u;

function goFieldPart(name: string): boolean {
  return !name.includes('/') && !LONE_SURROGATE.test(name);
}

/**
 * Go's field `<mirror>/<worker>` is unambiguous only when neither name contains "/" (a Go
 * manager cannot tell `a/b` on `c` from `a` on `b/c`), and representable only when both are
 * valid Unicode (no lone surrogate); other pairs go to our own hash with
 * encoded names instead, so no two pairs ever share a field.
 */
export function statusField(workerId: string, mirror: string): StatusField {
  if (goFieldPart(workerId) && goFieldPart(mirror)) {
    return { hash: GO_STATUS_HASH, field: `${mirror}/${workerId}` };
  }
  return {
    hash: OWN_STATUS_HASH,
    field: `${encodeComponent(workerId)}/${encodeComponent(mirror)}`,
  };
}

/** `[workerId, mirror]` of a field of `hash`, or undefined when the field is not one of ours. */
export function parseStatusField(hash: string, field: string): [string, string] | undefined {
  const parts = field.split('/');
  if (parts.length !== 2) return undefined;
  const [a, b] = parts as [string, string];
  return hash === GO_STATUS_HASH ? [b, a] : [decodeComponent(a), decodeComponent(b)];
}

export function historyListKey(workerId: string, mirror: string): string {
  return `${historyListPrefix(workerId)}${encodeComponent(mirror)}`;
}

/** The history list key of one worker's mirror is this prefix and `enc(mirror)`. */
export function historyListPrefix(workerId: string): string {
  return `${REDIS_PREFIX}history:${encodeComponent(workerId)}/`;
}

export function historyIndexKey(workerId: string): string {
  return `${REDIS_PREFIX}history-index:${encodeComponent(workerId)}`;
}

/** Lists are in the LevelDB store's key order: by encoded worker, then encoded mirror. */
export function compareNames(a: [string, string], b: [string, string]): number {
  const x = [encodeComponent(a[0]), encodeComponent(a[1])];
  const y = [encodeComponent(b[0]), encodeComponent(b[1])];
  for (let i = 0; i < 2; i += 1) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}
