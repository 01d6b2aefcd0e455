import type { Logger } from '@tunasync/api-types';
import { decodeMirrorStatus, decodeWorkerStatus } from './records';

/**
 * The data of a Go manager's database, in every backend the same layout: bucket (bolt) or
 * key prefix (goleveldb) `workers` — field the worker id, value the WorkerStatus JSON — and
 * `mirror_status` — field `<mirror>/<worker>`, value the MirrorStatus JSON. The JSON texts
 * are kept as Go wrote them (RFC 3339 times with nanoseconds, in the Go manager's zone).
 */
export interface GoRecords {
  workers: Array<{ workerId: string; text: string }>;
  statuses: Array<{ workerId: string; mirror: string; text: string }>;
  /** Records that could not be read, each told to the logger. */
  skipped: number;
}

/** Where the two kinds of record come from: `[field, value]` pairs of each bucket. */
export interface GoBuckets {
  workers: Iterable<[Buffer, Buffer]>;
  statuses: Iterable<[Buffer, Buffer]>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Checks every record of a Go database and keeps the readable ones. A status is filed under
 * the `worker` and `name` of its JSON (the Go manager writes both, and its field is made of
 * them); a status without them under its field, split at the last `/`. An unreadable
 * record (not JSON, an unknown status, no name) is skipped with a warning naming it.
 */
export function collectGoRecords(buckets: GoBuckets, source: string, logger: Logger): GoRecords {
  const records: GoRecords = { workers: [], statuses: [], skipped: 0 };
  const skip = (where: string, why: string) => {
    records.skipped += 1;
    logger.warn(`${source}: skipping ${where}: ${why}`);
  };
  for (const [field, value] of buckets.workers) {
    const workerId = field.toString('utf8');
    const text = value.toString('utf8');
    const worker = decodeWorkerStatus(parse(text));
    if (typeof worker === 'string') skip(`worker ${JSON.stringify(workerId)}`, worker);
    else if (workerId === '') skip('a worker with an empty id', 'no id');
    else records.workers.push({ workerId, text });
  }
  for (const [field, value] of buckets.statuses) {
    const key = field.toString('utf8');
    const text = value.toString('utf8');
    const status = decodeMirrorStatus(parse(text));
    const where = `mirror status ${JSON.stringify(key)}`;
    if (typeof status === 'string') {
      skip(where, status);
      continue;
    }
    const slash = key.lastIndexOf('/');
    const mirror = status.name || key.slice(0, Math.max(slash, 0));
    const workerId = status.worker || key.slice(slash + 1);
    if (mirror === '' || workerId === '') skip(where, 'no mirror name or worker id');
    else records.statuses.push({ workerId, mirror, text });
  }
  return records;
}
