import { join } from 'node:path';
import { formatRfc3339, toUnixSeconds } from '@tunasync/api-types';
import type { HistoryRecord, MirrorStatus } from '@tunasync/api-types';
import { startManagerProcess } from '@tunasync/test-utils';
import type { ManagerAppConfig } from '../src/app';
import { call, registerWorker, report, useTestManagers } from './helpers';
import type { TestManager } from './helpers';

const managers = useTestManagers();
const { dirs } = managers;

/** A manager with worker `w1` registered. */
async function start(config: ManagerAppConfig = {}): Promise<TestManager> {
  const t = await managers.start(config);
  await registerWorker(t, 'w1');
  return t;
}

async function send(
  t: TestManager,
  name: string,
  status: MirrorStatus['status'],
  extra: Partial<MirrorStatus> = {},
  worker = 'w1',
): Promise<void> {
  const r = await t.post(`/workers/${worker}/jobs/${name}`, report(worker, name, status, extra));
  expect(r.status).toBe(200);
}

/** One sync as a worker reports it: pre-syncing, syncing, then the end after `ms`. */
async function sync(
  t: TestManager,
  name: string,
  end: 'success' | 'failed',
  ms: number,
  extra: Partial<MirrorStatus> = {},
): Promise<void> {
  await send(t, name, 'pre-syncing');
  await send(t, name, 'syncing');
  t.clock.advance(ms);
  await send(t, name, end, extra);
}

async function history(t: TestManager, path: string): Promise<HistoryRecord[]> {
  const r = await t.get(path);
  expect({ status: r.status, body: r.json as unknown }).toMatchObject({ status: 200 });
  expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
  return r.json as HistoryRecord[];
}

describe('GET /workers/:id/jobs/:job/history', () => {
  test('each finished run, newest first, with times, Unix seconds and duration', async () => {
    const t = await start();
    const first = t.clock.now;
    await sync(t, 'debian', 'success', 90_500, { size: '1.5G' });
    const firstEnd = t.clock.now;
    t.clock.advance(3_600_000);
    const second = t.clock.now;
    await sync(t, 'debian', 'failed', 2_000, { error_msg: 'rsync exited with 23' });
    const secondEnd = t.clock.now;

    expect(await history(t, '/workers/w1/jobs/debian/history')).toEqual([
      {
        name: 'debian',
        worker: 'w1',
        started: formatRfc3339(second),
        ended: formatRfc3339(secondEnd),
        started_ts: toUnixSeconds(second),
        ended_ts: toUnixSeconds(secondEnd),
        duration: 2,
        result: 'failed',
        size: '1.5G',
        error_msg: 'rsync exited with 23',
      },
      {
        name: 'debian',
        worker: 'w1',
        started: formatRfc3339(first),
        ended: formatRfc3339(firstEnd),
        started_ts: toUnixSeconds(first),
        ended_ts: toUnixSeconds(firstEnd),
        duration: 90.5,
        result: 'success',
        size: '1.5G',
        error_msg: '',
      },
    ]);
    // The field order is the documented one.
    const [newest] = await history(t, '/workers/w1/jobs/debian/history');
    expect(Object.keys(newest as object)).toEqual([
      'name',
      'worker',
      'started',
      'ended',
      'started_ts',
      'ended_ts',
      'duration',
      'result',
      'size',
      'error_msg',
    ]);
  });

  test('a terminal report delivered twice is one run; a mirror without runs is []', async () => {
    const t = await start();
    await send(t, 'arch', 'syncing');
    expect(await history(t, '/workers/w1/jobs/arch/history')).toEqual([]);
    await send(t, 'arch', 'success');
    await send(t, 'arch', 'success'); // the worker's outbox retried
    await send(t, 'arch', 'paused');
    await send(t, 'arch', 'failed', { error_msg: 'killed' });
    await send(t, 'arch', 'failed', { error_msg: 'killed' });
    const runs = await history(t, '/workers/w1/jobs/arch/history');
    expect(runs.map((r) => `${r.result}:${r.error_msg}`)).toEqual(['failed:killed', 'success:']);
    // A run whose start the manager never saw (no pre-syncing) has duration 0.
    expect(runs.map((r) => [r.started_ts, r.duration])).toEqual([
      [-62135596800, 0],
      [-62135596800, 0],
    ]);
  });

  test('history and /metrics run counters follow the one rule', async () => {
    const t = await start();
    const statuses: Array<MirrorStatus['status']> = [
      'success',
      'success',
      'pre-syncing',
      'syncing',
      'failed',
      'failed',
      'success',
      'disabled',
      'failed',
    ];
    for (const status of statuses) await send(t, 'm1', status);
    const runs = await history(t, '/workers/w1/jobs/m1/history');
    expect(runs.map((r) => r.result)).toEqual(['failed', 'success', 'failed', 'success']);
    expect(t.app.metrics.runsOf('w1', 'm1')).toEqual({ success: 2, failed: 2 });
  });

  test('?limit=K gives the newest K; history_size keeps the newest N', async () => {
    const t = await start({ historySize: 3 });
    for (let i = 0; i < 5; i += 1) await sync(t, 'm1', 'success', 1000, { size: `${i}G` });
    const sizes = async (query: string) =>
      (await history(t, `/workers/w1/jobs/m1/history${query}`)).map((r) => r.size);
    expect(await sizes('')).toEqual(['4G', '3G', '2G']);
    expect(await sizes('?limit=1')).toEqual(['4G']);
    expect(await sizes('?limit=2')).toEqual(['4G', '3G']);
    expect(await sizes('?limit=03')).toEqual(['4G', '3G', '2G']);
    expect(await t.store.listRunHistory('w1', 'm1')).toHaveLength(3);
  });

  test.each([
    ['0', 'invalid limit "0": must be an integer from 1 to 50 (history_size)'],
    ['51', 'invalid limit "51": must be an integer from 1 to 50 (history_size)'],
    ['-1', 'invalid limit "-1": must be an integer from 1 to 50 (history_size)'],
    ['1.5', 'invalid limit "1.5": must be an integer from 1 to 50 (history_size)'],
    ['abc', 'invalid limit "abc": must be an integer from 1 to 50 (history_size)'],
    ['', 'invalid limit "": must be an integer from 1 to 50 (history_size)'],
    ['1e1', 'invalid limit "1e1": must be an integer from 1 to 50 (history_size)'],
    ['99999999999999999999', 'invalid limit "99999999999999999999": must be an integer'],
    ['1&limit=2', 'invalid limit ["1","2"]: give it once, as one integer'],
  ])('?limit=%s is a 400 naming limit', async (query, error) => {
    const t = await start();
    await sync(t, 'm1', 'success', 1000);
    const r = await t.get(`/workers/w1/jobs/m1/history?limit=${query}`);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((r.json as { error: string }).error).toContain(error);
    expect(await t.store.listRunHistory('w1', 'm1')).toHaveLength(1);
  });

  test('errors: unknown worker 400 (Go text), unknown mirror 404, bad name 400', async () => {
    const t = await start();
    await sync(t, 'm1', 'success', 1000);
    const cases: Array<[string, number, string]> = [
      ['/workers/ghost/jobs/m1/history', 400, 'invalid workerID ghost'],
      ['/workers/ghost/jobs/m1/history?limit=x', 400, 'invalid workerID ghost'],
      ['/workers/w1/jobs/nosuch/history', 404, "no mirror 'nosuch' exists in worker 'w1'"],
      ['/workers/w1/jobs/..%2Fx/history', 400, 'invalid mirror name "../x": must start with'],
    ];
    for (const [path, status, error] of cases) {
      const r = await t.get(path);
      expect({ path, status: r.status }).toEqual({ path, status });
      expect((r.json as { error: string }).error).toContain(error);
    }
  });

  test('other methods are 405 JSON with Allow: GET', async () => {
    const t = await start();
    for (const r of [
      await t.post('/workers/w1/jobs/m1/history', {}),
      await t.del('/workers/w1/jobs/m1/history'),
    ]) {
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('GET');
      expect((r.json as { error: string }).error).toMatch(/^method (POST|DELETE) is not allowed/);
    }
  });

  test('a read route: public when a token is set', async () => {
    const t = await managers.start({ token: 's3cret' });
    const auth = { authorization: 'Bearer s3cret' };
    await t.post('/workers', { id: 'w1', url: 'http://127.0.0.1:9/' }, auth);
    await t.post('/workers/w1/jobs/m1', report('w1', 'm1', 'success'), auth);
    const runs = await history(t, '/workers/w1/jobs/m1/history');
    expect(runs.map((r) => r.result)).toEqual(['success']);
    const head = await call(`${t.url}/workers/w1/jobs/m1/history`, 'HEAD');
    expect({ status: head.status, text: head.text }).toEqual({ status: 200, text: '' });
    expect((await t.post('/workers/w1/jobs/m1/history', {})).status).toBe(401);
  });

  test('history_size = 0: nothing is recorded and the route says history is disabled', async () => {
    const t = await start({ historySize: 0 });
    await sync(t, 'm1', 'success', 1000);
    const r = await t.get('/workers/w1/jobs/m1/history');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      error: 'run history is disabled on this manager ([server] history_size = 0)',
    });
    expect(await t.store.listRunHistory('w1', 'm1')).toEqual([]);
    expect((await t.get('/workers/ghost/jobs/m1/history')).status).toBe(400);
  });

  test('deleting the worker deletes its history; a flush deletes the flushed mirror’s', async () => {
    const t = await start();
    await registerWorker(t, 'w2');
    await sync(t, 'a', 'success', 1000);
    await sync(t, 'b', 'failed', 1000);
    await send(t, 'a', 'success', {}, 'w2');
    expect((await t.del('/workers/w1')).status).toBe(200);
    await registerWorker(t, 'w1');
    // The statuses stay (as in Go), their runs are gone.
    expect(await history(t, '/workers/w1/jobs/a/history')).toEqual([]);
    expect(await history(t, '/workers/w1/jobs/b/history')).toEqual([]);
    expect(await history(t, '/workers/w2/jobs/a/history')).toHaveLength(1);

    await sync(t, 'a', 'success', 1000);
    await send(t, 'a', 'disabled');
    expect((await t.del('/jobs/disabled')).status).toBe(200);
    expect((await t.get('/workers/w1/jobs/a/history')).status).toBe(404);
    expect(await t.store.listRunHistory('w1', 'a')).toEqual([]);
    expect(await history(t, '/workers/w2/jobs/a/history')).toHaveLength(1);
  });

  test('a restart keeps the history', async () => {
    const t = await start();
    await sync(t, 'm1', 'success', 1000);
    const before = await history(t, '/workers/w1/jobs/m1/history');
    const dbDir = t.dbDir;
    await t.close();
    const again = await managers.start({}, { dbDir });
    expect(await history(again, '/workers/w1/jobs/m1/history')).toEqual(before);
    await sync(again, 'm1', 'failed', 1000);
    expect((await history(again, '/workers/w1/jobs/m1/history')).map((r) => r.result)).toEqual([
      'failed',
      'success',
    ]);
  });

  test('200 concurrent finishing reports of different mirrors are all recorded', async () => {
    const t = await start();
    await Promise.all(Array.from({ length: 200 }, (_, i) => send(t, `m${i}`, 'syncing')));
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        send(t, `m${i}`, i % 2 === 0 ? 'success' : 'failed', { size: `${i}M` }),
      ),
    );
    for (let i = 0; i < 200; i += 1) {
      const runs = await t.store.listRunHistory('w1', `m${i}`);
      expect(runs.map((r) => `${r.result}:${r.size}`)).toEqual([
        `${i % 2 === 0 ? 'success' : 'failed'}:${i}M`,
      ]);
    }
  });
});

describe('the built manager killed with SIGKILL while runs finish', () => {
  test('every status that finished a run has its record and no record lacks its status', async () => {
    const dbDir = join(await dirs.make('tunasync-history-kill-'), 'db');
    const config = '[server]\nhistory_size = 1000\n';
    const first = await startManagerProcess({ dbDir, config });
    const acknowledged = new Map<string, number>();
    try {
      const url = first.url;
      expect(
        (await call(`${url}/workers`, 'POST', { id: 'w1', url: 'http://127.0.0.1:9/' })).status,
      ).toBe(200);
      const mirrors = Array.from({ length: 10 }, (_, j) => `m${j}`);
      let finished = 0;
      const killed = new Promise<void>((resolve) => {
        first.child.once('exit', () => resolve());
      });
      // Each mirror syncs again and again: syncing, then success with size `<k>K` (k = 0, 1,
      // …), until the manager dies; killed after 150 acknowledged runs, mid-stream.
      const loops = mirrors.map(async (name) => {
        for (let k = 0; ; k += 1) {
          const post = (status: MirrorStatus['status'], size: string) =>
            call(`${url}/workers/w1/jobs/${name}`, 'POST', report('w1', name, status, { size }));
          try {
            if ((await post('syncing', 'unknown')).status !== 200) return;
            if ((await post('success', `${k}K`)).status !== 200) return;
          } catch {
            return; // the manager is gone
          }
          acknowledged.set(name, k);
          finished += 1;
          if (finished === 150) first.child.kill('SIGKILL');
        }
      });
      await Promise.all(loops);
      await killed;
      expect(first.child.signalCode).toBe('SIGKILL');
    } finally {
      await first.stop();
    }

    const again = await startManagerProcess({ dbDir, config });
    try {
      const statuses = (await call(`${again.url}/workers/w1/jobs`, 'GET')).json as MirrorStatus[];
      expect(statuses).toHaveLength(10);
      for (const status of statuses) {
        const r = await call(`${again.url}/workers/w1/jobs/${status.name}/history`, 'GET');
        const runs = r.json as HistoryRecord[];
        // Runs k = 0…n, newest first, each once; the status carries the newest one's size
        // and end (a syncing status keeps both from the run before).
        const n = status.size === 'unknown' ? -1 : Number(status.size.replace(/K$/, ''));
        expect(runs.map((run) => run.size)).toEqual(
          Array.from({ length: n + 1 }, (_, i) => `${n - i}K`),
        );
        if (n >= 0) expect(runs[0]?.ended).toBe(status.last_ended);
        // Nothing the manager acknowledged is lost.
        expect(n).toBeGreaterThanOrEqual(acknowledged.get(status.name) ?? -1);
      }
    } finally {
      await again.stop();
    }
  });
});
