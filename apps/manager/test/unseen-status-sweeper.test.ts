import { join } from 'node:path';
import { ZERO_TIME_RFC3339, formatRfc3339 } from '@tunasync/api-types';
import type { MirrorStatus, WorkerStatus } from '@tunasync/api-types';
import { LevelStore, RedisStore } from '@tunasync/store';
import type { Store } from '@tunasync/store';
import { TempDirs, startRedisServer } from '@tunasync/test-utils';
import type { RedisServer } from '@tunasync/test-utils';
import { UnseenStatusSweeper } from '../src/unseen-status-sweeper';
import { recordingLogger } from '@tunasync/test-utils';
import { TestClock } from './helpers';

const DAY = 86_400_000;
const dirs = new TempDirs();
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
  await dirs.cleanup();
});

function status(worker: string, name: string, at: Date): MirrorStatus {
  return {
    name,
    worker,
    is_master: true,
    status: 'success',
    last_update: formatRfc3339(at),
    last_started: formatRfc3339(at),
    last_ended: formatRfc3339(at),
    next_schedule: ZERO_TIME_RFC3339,
    upstream: 'rsync://up/x/',
    size: '1G',
    error_msg: '',
  };
}

function worker(id: string, lastOnline: Date): WorkerStatus {
  const at = formatRfc3339(lastOnline);
  return { id, url: `http://127.0.0.1:1/${id}`, token: '', last_online: at, last_register: at };
}

const backends: Array<[string, () => Promise<Store>]> = [
  ['LevelStore', async () => LevelStore.open({ location: join(await dirs.make('unseen-'), 'db') })],
  [
    'RedisStore',
    // The only user of this server: it starts empty.
    () => RedisStore.open({ url: redis.url() }),
  ],
];

describe.each(backends)('drop_unseen_after on a real %s', (_name, open) => {
  test('drops the statuses of workers deleted or unseen for longer, keeps the others', async () => {
    const store = await open();
    const clock = new TestClock(new Date('2026-03-10T00:00:00Z'));
    const now = clock.read();
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    try {
      // w-fresh: registered, seen an hour ago. w-away: registered, last seen 8 days ago.
      // w-gone: deleted, statuses last written 9 days ago. w-recent: deleted 1 day ago.
      await store.putWorker(worker('w-fresh', new Date(now.getTime() - 3600_000)));
      await store.putWorker(worker('w-away', ago(8)));
      await store.putMirrorStatus('w-fresh', 'debian', status('w-fresh', 'debian', ago(20)));
      await store.putMirrorStatus('w-away', 'debian', status('w-away', 'debian', ago(8)));
      await store.putMirrorStatus('w-away', 'ubuntu', status('w-away', 'ubuntu', ago(8)));
      await store.putMirrorStatus('w-gone', 'pypi', status('w-gone', 'pypi', ago(9)));
      await store.putMirrorStatus('w-recent', 'pypi', status('w-recent', 'pypi', ago(1)));
      const logger = recordingLogger();
      const sweeper = new UnseenStatusSweeper({
        store,
        dropAfterMs: 7 * DAY,
        clock: clock.read,
        logger,
        intervalMs: 0,
      });
      expect((await sweeper.sweep()).sort()).toEqual(['w-away', 'w-gone']);
      const left = (await store.listAllMirrorStatusEntries()).map(
        (e) => `${e.workerId}/${e.mirror}`,
      );
      expect(left).toEqual(['w-fresh/debian', 'w-recent/pypi']);
      // The registration of an unseen worker stays (it may come back); a deleted one stays gone.
      expect((await store.listWorkers()).map((w) => w.id).sort()).toEqual(['w-away', 'w-fresh']);
      expect(logger.lines).toContain(
        'info: dropped the 2 mirror status(es) of worker <w-away>, registered and not seen for more than 604800 s (drop_unseen_after) {"worker":"w-away"}',
      );
      expect(await sweeper.sweep()).toEqual([]);
      clock.advance(6 * DAY + 1);
      expect(await sweeper.sweep()).toEqual(['w-recent']);
      await sweeper.close();
    } finally {
      await store.close();
    }
  });
});
