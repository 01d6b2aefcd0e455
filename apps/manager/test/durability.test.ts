import { formatRfc3339 } from '@tunasync/api-types';
import type { WebMirrorStatus } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { call, report, startTestManager } from './helpers';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

describe('concurrency and restarts', () => {
  test('200 concurrent status reports are all stored, and a restart keeps everything', async () => {
    const m = await startTestManager({ dirs });
    let dbDir: string;
    try {
      await m.post('/workers', { id: 'w1', url: 'http://127.0.0.1:1/' });
      await m.post('/workers', { id: 'w2', url: 'http://127.0.0.1:2/' });
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const w = i % 2 === 0 ? 'w1' : 'w2';
          return m.post(
            `/workers/${w}/jobs/m${i}`,
            report(w, `m${i}`, 'success', { size: `${i}G` }),
          );
        }),
      );
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(await m.store.listAllMirrorStatuses()).toHaveLength(200);
      const jobs = (await m.get('/jobs')).json as WebMirrorStatus[];
      expect(jobs).toHaveLength(200);
      expect(jobs.find((j) => j.name === 'm7')?.size).toBe('7G');
      dbDir = m.dbDir;
    } finally {
      await m.close();
    }

    const again = await startTestManager({ dirs, dbDir });
    try {
      expect(((await again.get('/jobs')).json as unknown[]).length).toBe(200);
      expect(((await again.get('/workers/w1/jobs')).json as unknown[]).length).toBe(100);
      expect(
        ((await again.get('/workers')).json as Array<{ id: string }>).map((w) => w.id),
      ).toEqual(['w1', 'w2']);
    } finally {
      await again.close();
    }
  });

  test('200 concurrent reports of one mirror leave one coherent status and history', async () => {
    const m = await startTestManager({ dirs, config: { historySize: 500 } });
    try {
      await m.post('/workers', { id: 'w1', url: 'http://127.0.0.1:1/' });
      const statuses = ['pre-syncing', 'syncing', 'success', 'failed'] as const;
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          m.post(
            '/workers/w1/jobs/m1',
            report('w1', 'm1', statuses[i % 4] as 'none', { size: `${i}` }),
          ),
        ),
      );
      const stored = await m.store.getMirrorStatus('w1', 'm1');
      const jobs = (await m.get('/jobs')).json as WebMirrorStatus[];
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.status).toBe(stored?.status);
      expect(jobs[0]?.size).toBe(stored?.size);
      // Whatever order the reports were stored in, every run is recorded once: as many
      // records as the run counters counted, each finishing report's size at most once.
      const runs = await m.store.listRunHistory('w1', 'm1');
      const counted = m.app.metrics.runsOf('w1', 'm1');
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.length).toBe(counted.success + counted.failed);
      expect(runs.filter((r) => r.result === 'success')).toHaveLength(counted.success);
      expect(new Set(runs.map((r) => r.size)).size).toBe(runs.length);
      for (const run of runs) expect(Number(run.size) % 4).toBe(run.result === 'success' ? 2 : 3);
      if (stored?.status === 'success' || stored?.status === 'failed') {
        expect(runs[0]?.size).toBe(stored.size);
      }
    } finally {
      await m.close();
    }
  });
});

describe('GET /jobs snapshot', () => {
  test('follows every write, answers 304 to a matching ETag, and adds worker fields on request', async () => {
    const m = await startTestManager({ dirs, config: { workerOfflineAfter: 600 } });
    try {
      await m.post('/workers', { id: 'w1', url: 'http://127.0.0.1:1/' });
      await m.post('/workers', { id: 'w2', url: 'http://127.0.0.1:2/' });
      await m.post('/workers/w1/jobs/b', report('w1', 'b', 'success'));
      const first = await m.get('/jobs');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^W\/"/);
      const cached = await call(`${m.url}/jobs`, 'GET', undefined, {
        headers: { 'if-none-match': etag },
      });
      expect(cached.status).toBe(304);

      m.clock.advance(601_000);
      await m.post('/workers/w2/jobs/a', report('w2', 'a', 'syncing'));
      const second = await m.get('/jobs');
      expect(second.headers.etag).not.toBe(etag);
      expect((second.json as WebMirrorStatus[]).map((j) => j.name)).toEqual(['a', 'b']);

      const withWorker = (await m.get('/jobs?with_worker=1')).json as Array<
        Record<string, unknown>
      >;
      expect(withWorker.map((j) => [j.name, j.worker, j.worker_online])).toEqual([
        ['a', 'w2', true],
        ['b', 'w1', false],
      ]);
      await m.del('/workers/w2');
      const gone = (await m.get('/jobs?with_worker=true')).json as Array<Record<string, unknown>>;
      expect(gone[0]?.worker_online).toBe(false);

      await m.post('/cmd', { cmd: 'disable', worker_id: 'w1', mirror_id: 'b' });
      expect(((await m.get('/jobs')).json as WebMirrorStatus[])[1]?.status).toBe('disabled');
      await m.del('/jobs/disabled');
      expect(((await m.get('/jobs')).json as WebMirrorStatus[]).map((j) => j.name)).toEqual(['a']);
      expect(m.app.snapshot.size).toBe(1);
      expect(m.app.snapshot.isOnline('w1', m.clock.now, 0)).toBe(true);
      expect(formatRfc3339(m.clock.now)).toBeDefined();
    } finally {
      await m.close();
    }
  });
});
