import type { Level } from 'level';
import type { AlertCells } from './alert-cells';
import { decodeComponent, encodeComponent } from './key-layout';
import type { KeyedMutex } from './keyed-mutex';

/** `alert/<enc(id)>` → AlertRecord JSON (the LevelDB layout, README). */
export const ALERT_PREFIX = 'alert/';

export function alertKey(id: string): string {
  return `${ALERT_PREFIX}${encodeComponent(id)}`;
}

/**
 * The alert cells of a LevelDB store: one process holds the database (its lock), so a
 * keyed mutex makes each compare-and-swap atomic.
 */
export function levelAlertCells(
  db: Level<string, string>,
  mutex: KeyedMutex,
  io: <T>(operation: string, action: () => Promise<T>) => Promise<T>,
  bad: (key: string, problem: string) => Error,
): AlertCells {
  return {
    get: (id) => io(`get ${alertKey(id)}`, () => db.get(alertKey(id))),
    swap: (id, expected, next) =>
      mutex.run(alertKey(id), () =>
        io(`put ${alertKey(id)}`, async () => {
          const current = await db.get(alertKey(id));
          if (current !== expected) return false;
          await db.put(alertKey(id), next, { sync: true });
          return true;
        }),
      ),
    all: () =>
      io('list alerts', async () => {
        const out: Array<[string, string]> = [];
        for await (const [key, value] of db.iterator({ gte: ALERT_PREFIX, lt: 'alert0' })) {
          out.push([decodeComponent(key.slice(ALERT_PREFIX.length)), value]);
        }
        return out;
      }),
    delete: (ids) =>
      io('delete alerts', async () => {
        let removed = 0;
        for (const id of ids) {
          await mutex.run(alertKey(id), async () => {
            if ((await db.get(alertKey(id))) === undefined) return;
            await db.del(alertKey(id), { sync: true });
            removed += 1;
          });
        }
        return removed;
      }),
    bad: (id, problem) => bad(alertKey(id), problem),
  };
}
