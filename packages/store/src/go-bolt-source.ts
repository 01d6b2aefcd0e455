import type { Logger } from '@tunasync/api-types';
import { openBoltFile } from './bolt-file';
import { collectGoRecords } from './go-records';
import type { GoRecords } from './go-records';

/**
 * The records of a Go manager's bolt database (buckets `workers` and `mirror_status`; a
 * missing bucket holds nothing), read with the read-only bolt reader: the file is never
 * written nor locked. Errors: `TUNASYNC_E_STORE_LOCKED` (a Go manager is running on it),
 * `TUNASYNC_E_STORE_BOLT_CORRUPT`, `TUNASYNC_E_STORE_OPEN_FAILED`.
 */
export async function readGoBolt(path: string, logger: Logger): Promise<GoRecords> {
  const db = await openBoltFile(path);
  try {
    const none: Array<[Buffer, Buffer]> = [];
    return collectGoRecords(
      {
        workers: db.bucket('workers')?.entries() ?? none,
        statuses: db.bucket('mirror_status')?.entries() ?? none,
      },
      `Go bolt database ${path}`,
      logger,
    );
  } finally {
    db.close();
  }
}
