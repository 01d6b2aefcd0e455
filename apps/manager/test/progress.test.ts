import { formatRfc3339, formatWebTime, toWebMirrorStatus } from '@tunasync/api-types';
import type { MirrorStatus } from '@tunasync/api-types';
import type { StoreChange } from '@tunasync/store';
import { TempDirs } from '@tunasync/test-utils';
import { registerWorker, report, startTestManager } from './helpers';
import type { TestManager } from './helpers';

const dirs = new TempDirs();
const managers: TestManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await dirs.cleanup();
});

async function start(options: Partial<Parameters<typeof startTestManager>[0]> = {}) {
  const t = await startTestManager({ dirs, ...options });
  managers.push(t);
  return t;
}

async function send(t: TestManager, name: string, status: MirrorStatus['status'], worker = 'w1') {
  const r = await t.post(`/workers/${worker}/jobs/${name}`, report(worker, name, status));
  expect(r.status).toBe(200);
}

function progress(name: string, files: number, bytes: number) {
  return { name, files, bytes };
}

type Item = Record<string, unknown>;

async function jobs(t: TestManager, query = ''): Promise<Item[]> {
  const r = await t.get(`/jobs${query}`);
  expect(r.status).toBe(200);
  return r.json as Item[];
}

async function workerJobs(t: TestManager, worker = 'w1'): Promise<Item[]> {
  const r = await t.get(`/workers/${worker}/jobs`);
  expect(r.status).toBe(200);
  return r.json as Item[];
}

const byName = (items: Item[], name: string) => items.find((i) => i.name === name);

const PROGRESS_KEYS = [
  'progress_files',
  'progress_bytes',
  'progress_updated',
  'progress_updated_ts',
];

function withoutProgress(item: Item | undefined): Item {
  return Object.fromEntries(Object.entries(item ?? {}).filter(([k]) => !PROGRESS_KEYS.includes(k)));
}

describe('POST /workers/:id/jobs/:job/progress', () => {
  test('shows progress as extra fields on /jobs and /workers/:id/jobs while syncing', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'debian', 'syncing');
    await send(t, 'arch', 'success');
    const before = await jobs(t);
    const workerBefore = await workerJobs(t);

    t.clock.advance(1_500);
    const r = await t.post('/workers/w1/jobs/debian/progress', progress('debian', 1234, 5678));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      name: 'debian',
      files: 1234,
      bytes: 5678,
      updated: formatRfc3339(t.clock.now),
    });

    const after = await jobs(t);
    const debian = byName(after, 'debian');
    expect(debian).toMatchObject({
      progress_files: 1234,
      progress_bytes: 5678,
      progress_updated: formatWebTime(t.clock.now),
      progress_updated_ts: Math.floor(t.clock.now.getTime() / 1000),
    });
    // Extra fields only, after the compatible ones, which do not change.
    expect(Object.keys(debian ?? {}).slice(-4)).toEqual(PROGRESS_KEYS);
    expect(withoutProgress(debian)).toEqual(byName(before, 'debian'));
    expect(byName(after, 'arch')).toEqual(byName(before, 'arch'));
    expect(Object.keys(byName(after, 'arch') ?? {})).toEqual(
      Object.keys(toWebMirrorStatus(report('w1', 'arch', 'success'))),
    );

    const withWorker = byName(await jobs(t, '?with_worker=1'), 'debian');
    expect(withWorker).toMatchObject({ progress_files: 1234, worker: 'w1', worker_online: true });

    const own = await workerJobs(t);
    expect(byName(own, 'debian')).toEqual({
      ...byName(workerBefore, 'debian'),
      progress_files: 1234,
      progress_bytes: 5678,
      progress_updated: formatRfc3339(t.clock.now),
    });
    expect(byName(own, 'arch')).toEqual(byName(workerBefore, 'arch'));

    // The latest value wins.
    t.clock.advance(15_000);
    await t.post('/workers/w1/jobs/debian/progress', progress('debian', 2000, 9999));
    expect(byName(await jobs(t), 'debian')).toMatchObject({
      progress_files: 2000,
      progress_bytes: 9999,
      progress_updated_ts: Math.floor(t.clock.now.getTime() / 1000),
    });
  });

  test('is dropped when the status changes, kept when a report repeats it', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'debian', 'syncing');
    await t.post('/workers/w1/jobs/debian/progress', progress('debian', 10, 100));
    await send(t, 'debian', 'syncing'); // delivered twice: still the same sync
    await t.post('/workers/w1/schedules', {
      schedules: [{ name: 'debian', next_schedule: formatRfc3339(t.clock.now) }],
    });
    expect(byName(await jobs(t), 'debian')).toMatchObject({ progress_files: 10 });

    await send(t, 'debian', 'success');
    expect(withoutProgress(byName(await jobs(t), 'debian'))).toEqual(
      byName(await jobs(t), 'debian'),
    );
    // The next sync does not bring the old numbers back.
    await send(t, 'debian', 'pre-syncing');
    await send(t, 'debian', 'syncing');
    expect(Object.keys(byName(await jobs(t), 'debian') ?? {})).not.toContain('progress_files');
    expect(Object.keys(byName(await workerJobs(t), 'debian') ?? {})).not.toContain(
      'progress_files',
    );

    // A failed attempt drops it too.
    await t.post('/workers/w1/jobs/debian/progress', progress('debian', 3, 4));
    await send(t, 'debian', 'failed');
    await send(t, 'debian', 'syncing');
    expect(Object.keys(byName(await jobs(t), 'debian') ?? {})).not.toContain('progress_files');
  });

  test('is dropped with its worker (its statuses stay)', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await registerWorker(t, 'w2');
    await send(t, 'debian', 'syncing', 'w1');
    await send(t, 'debian', 'syncing', 'w2');
    await t.post('/workers/w1/jobs/debian/progress', progress('debian', 1, 1));
    await t.post('/workers/w2/jobs/debian/progress', progress('debian', 2, 2));
    const etag = (await t.get('/jobs')).headers.etag;
    expect((await t.del('/workers/w1')).status).toBe(200);
    const r = await t.get('/jobs');
    expect(r.headers.etag).not.toBe(etag);
    const items = r.json as Item[];
    expect(items.map((i) => i.progress_files)).toEqual([undefined, 2]);
    expect(items.map((i) => i.status)).toEqual(['syncing', 'syncing']);
  });

  test('nothing is stored: no store write, no last_online refresh; a restart loses it', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'debian', 'syncing');
    const changes: StoreChange[] = [];
    const unsubscribe = t.store.onChange((c) => changes.push(c));
    const worker = await t.store.getWorker('w1');
    t.clock.advance(60_000);
    expect(
      (await t.post('/workers/w1/jobs/debian/progress', progress('debian', 5, 6))).status,
    ).toBe(200);
    unsubscribe();
    expect(changes).toEqual([]);
    expect(await t.store.getWorker('w1')).toEqual(worker);
    expect(byName(await jobs(t), 'debian')).toMatchObject({ progress_files: 5 });

    const dbDir = t.dbDir;
    await managers.pop()?.close();
    const again = await start({ dbDir });
    const debian = byName(await jobs(again), 'debian');
    expect(debian).toMatchObject({ status: 'syncing' });
    expect(Object.keys(debian ?? {})).not.toContain('progress_files');
  });

  test('/jobs is rendered once per change, not per request', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'debian', 'syncing');
    await jobs(t);
    const renders = t.app.snapshot.renders;
    await jobs(t);
    await jobs(t);
    expect(t.app.snapshot.renders).toBe(renders);
    // Two changes without a reader in between: one render, at the next request.
    await t.post('/workers/w1/jobs/debian/progress', progress('debian', 1, 1));
    await t.post('/workers/w1/jobs/debian/progress', progress('debian', 2, 2));
    expect(t.app.snapshot.renders).toBe(renders);
    const first = await t.get('/jobs');
    await jobs(t);
    await jobs(t);
    expect(t.app.snapshot.renders).toBe(renders + 1);
    expect(byName(first.json as Item[], 'debian')).toMatchObject({ progress_files: 2 });
    // The ETag follows: a client with the old one gets the new body, with the new one a 304.
    const cached = await t.get('/jobs');
    expect(cached.headers.etag).toBe(first.headers.etag);
    await t.post('/workers/w1/jobs/debian/progress', progress('debian', 3, 3));
    const next = await t.get('/jobs');
    expect(next.headers.etag).not.toBe(first.headers.etag);
    expect(t.app.snapshot.renders).toBe(renders + 2);
  });

  test('refuses what it cannot record, each with a clear error, changing nothing', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'debian', 'syncing');
    await send(t, 'arch', 'success');
    const before = (await t.get('/jobs')).text;
    const post = (path: string, body: unknown) => t.post(path, body);
    const cases: Array<[string, unknown, number, string]> = [
      ['/workers/w9/jobs/debian/progress', progress('debian', 1, 1), 400, 'invalid workerID w9'],
      [
        '/workers/w1/jobs/debian/progress',
        { name: 'debian', files: -1, bytes: 'many' },
        400,
        'invalid request body: files: must be >= 0; bytes: must be an integer',
      ],
      [
        '/workers/w1/jobs/debian/progress',
        { files: 1, bytes: 1 },
        400,
        'invalid request body: name: is required',
      ],
      [
        '/workers/w1/jobs/debian/progress',
        progress('arch', 1, 1),
        400,
        'mirror name "arch" in the body does not match "debian" in the URL',
      ],
      [
        '/workers/w1/jobs/bad%20name/progress',
        progress('bad name', 1, 1),
        400,
        'invalid mirror name "bad name": ',
      ],
      [
        '/workers/w1/jobs/fedora/progress',
        progress('fedora', 1, 1),
        404,
        "no mirror 'fedora' exists in worker 'w1'",
      ],
      [
        '/workers/w1/jobs/arch/progress',
        progress('arch', 1, 1),
        409,
        "mirror 'arch' of worker 'w1' is not syncing (status success): progress not recorded",
      ],
    ];
    for (const [path, body, status, error] of cases) {
      const r = await post(path, body);
      expect([path, r.status]).toEqual([path, status]);
      expect(String((r.json as { error: string }).error)).toContain(error);
    }
    const malformed = await t.post('/workers/w1/jobs/debian/progress', undefined, {
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    const raw = await fetch(`${t.url}/workers/w1/jobs/debian/progress`, {
      method: 'POST',
      body: '{"name": "debian", "files": 1,',
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: string }).error).toMatch(/^malformed JSON body/);
    expect((await t.get('/workers/w1/jobs/debian/progress')).status).toBe(405);
    expect((await t.get('/jobs')).text).toBe(before);
    expect(t.logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  test('needs the bearer token when one is set', async () => {
    const t = await start({ config: { token: 's3cret' } });
    const auth = { authorization: 'Bearer s3cret' };
    expect((await t.post('/workers', { id: 'w1', url: 'http://127.0.0.1:9/' }, auth)).status).toBe(
      200,
    );
    expect(
      (await t.post('/workers/w1/jobs/debian', report('w1', 'debian', 'syncing'), auth)).status,
    ).toBe(200);
    const denied = await t.post('/workers/w1/jobs/debian/progress', progress('debian', 1, 1));
    expect(denied.status).toBe(401);
    expect(denied.json).toEqual({ error: 'missing or invalid bearer token' });
    const wrong = await t.post('/workers/w1/jobs/debian/progress', progress('debian', 1, 1), {
      authorization: 'Bearer nope',
    });
    expect(wrong.status).toBe(401);
    expect(Object.keys(byName(await jobs(t), 'debian') ?? {})).not.toContain('progress_files');
    const ok = await t.post('/workers/w1/jobs/debian/progress', progress('debian', 1, 1), auth);
    expect(ok.status).toBe(200);
    expect(byName(await jobs(t), 'debian')).toMatchObject({ progress_files: 1 });
    expect(t.logger.lines.join('\n')).not.toContain('s3cret');
  });
});
