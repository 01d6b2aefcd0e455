import type { Redis } from 'ioredis';
import type { AlertCells } from './alert-cells';
import { REDIS_PREFIX } from './redis-layout';

/** `tunasync-ts:alerts` field <id> → AlertRecord JSON (the Redis layout, README). */
export const ALERTS_HASH = `${REDIS_PREFIX}alerts`;
/** The compare-and-set script publishes on a channel: this one nobody listens to. */
const ALERTS_CHANNEL = `${REDIS_PREFIX}alerts`;

/** The compare-and-set script of the Redis store (`WRITE_FIELD_LUA`), as a function. */
export type WriteField = (...args: string[]) => Promise<number>;

/**
 * The alert cells of a Redis store: each swap is the store's compare-and-set script, run
 * atomically by the server, so of several managers claiming one alert exactly one wins.
 */
export function redisAlertCells(
  client: Redis,
  writeField: WriteField,
  io: <T>(operation: string, action: () => Promise<T>) => Promise<T>,
  bad: (key: string, problem: string) => Error,
): AlertCells {
  return {
    get: async (id) =>
      (await io(`get ${ALERTS_HASH} ${id}`, () => client.hget(ALERTS_HASH, id))) ?? undefined,
    swap: async (id, expected, next) =>
      (await io(`write ${ALERTS_HASH} ${id}`, () =>
        writeField(
          ALERTS_HASH,
          ALERTS_HASH,
          ALERTS_HASH,
          id,
          expected === undefined ? 'absent' : 'equal',
          expected ?? '',
          'set',
          next,
          'none',
          '',
          '0',
          '',
          ALERTS_CHANNEL,
          '',
        ),
      )) === 1,
    all: async () => Object.entries(await io('list alerts', () => client.hgetall(ALERTS_HASH))),
    delete: (ids) => io(`del ${ALERTS_HASH}`, () => client.hdel(ALERTS_HASH, ...ids)),
    bad: (id, problem) => bad(`${ALERTS_HASH} ${id}`, problem),
  };
}
