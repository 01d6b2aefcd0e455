import { formatRfc3339, ZERO_TIME_RFC3339 } from '@tunasync/api-types';
import type { MirrorStatus, WebMirrorStatus, WorkerStatus } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { report, startFakeWorker, startTestManager } from './helpers';
import type { FakeWorker, TestManager } from './helpers';

const dirs = new TempDirs();
let m: TestManager;
let worker: FakeWorker;

beforeEach(async () => {
  m = await startTestManager({ dirs });
  worker = await startFakeWorker();
});

afterEach(async () => {
  await m.close();
  await worker.close();
  await dirs.cleanup();
});

async function register(id: string, url = worker.url): Promise<void> {
  const r = await m.post('/workers', { id, url });
  expect(r.status).toBe(200);
}

describe('read routes', () => {
  test('GET /ping', async () => {
    const r = await m.get('/ping');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.json).toEqual({ message: 'pong' });
  });

  test('GET /jobs and GET /workers are empty arrays at first', async () => {
    expect((await m.get('/jobs')).text).toBe('[]');
    expect((await m.get('/workers')).text).toBe('[]');
  });
});

describe('workers', () => {
  test('register, list with REDACTED tokens, re-register, delete', async () => {
    const r = await m.post('/workers', { id: 'w1', url: 'http://h:6000/', token: 'secret' });
    expect(r.status).toBe(200);
    const now = formatRfc3339(m.clock.now);
    expect(r.json).toEqual({
      id: 'w1',
      url: 'http://h:6000/',
      token: 'REDACTED',
      last_online: now,
      last_register: now,
    });
    expect(m.logger.lines).toContain(
      'info: Worker <w1> registered at http://h:6000/ {"worker":"w1"}',
    );
    expect(m.logger.lines.join('\n')).not.toContain('secret');

    m.clock.advance(60_000);
    await m.post('/workers', { id: 'w1', url: 'https://h:6001/' });
    const list = (await m.get('/workers')).json as WorkerStatus[];
    expect(list).toEqual([
      {
        id: 'w1',
        url: 'https://h:6001/',
        token: 'REDACTED',
        last_online: formatRfc3339(m.clock.now),
        last_register: formatRfc3339(m.clock.now),
      },
    ]);
    expect((await m.store.getWorker('w1'))?.token).toBe('');

    const d = await m.del('/workers/w1');
    expect(d.status).toBe(200);
    expect(d.json).toEqual({ message: 'deleted' });
    expect((await m.get('/workers')).json).toEqual([]);
    const again = await m.del('/workers/w1');
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'invalid workerID w1' });
  });

  test.each([
    [{ id: '', url: 'http://h/' }, 'invalid worker id "": must not be empty'],
    [{ id: '../x', url: 'http://h/' }, 'invalid worker id "../x": must start with'],
    [{ id: 'w1', url: 'ftp://h/' }, 'worker url must be an http: or https: URL, got "ftp://h/"'],
    [{ id: 'w1', url: 'not a url' }, 'worker url must be an http: or https: URL'],
    [{ id: 'w1' }, 'worker url must be an http: or https: URL, got ""'],
    [{ id: 5, url: 'http://h/' }, 'invalid request body: id: must be a string'],
    [[1], 'invalid request body'],
  ])('a bad registration %j is a 400 and stores nothing', async (body, error) => {
    const r = await m.post('/workers', body);
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toContain(error);
    expect(await m.store.listWorkers()).toEqual([]);
  });

  test('every /workers/:id route refuses an unknown worker with the Go text', async () => {
    const expected = { error: 'invalid workerID ghost' };
    for (const r of [
      await m.get('/workers/ghost/jobs'),
      await m.post('/workers/ghost/jobs/m1', report('ghost', 'm1', 'success')),
      await m.post('/workers/ghost/jobs/m1/size', { name: 'm1', size: '1G' }),
      await m.post('/workers/ghost/schedules', { schedules: [] }),
      await m.post('/workers/ghost/heartbeat', {}),
      await m.get('/workers/ghost/jobs/m1/history'),
      await m.del('/workers/ghost'),
    ]) {
      expect(r.status).toBe(400);
      expect(r.json).toEqual(expected);
    }
    expect(await m.store.listAllMirrorStatuses()).toEqual([]);
  });
});

describe('status reports', () => {
  beforeEach(() => register('w1'));

  test('a report is stored, listed per worker and on /jobs, and refreshes last_online', async () => {
    m.clock.advance(5000);
    const r = await m.post(
      '/workers/w1/jobs/debian',
      report('w1', 'debian', 'success', { size: '1.5G' }),
    );
    expect(r.status).toBe(200);
    const now = formatRfc3339(m.clock.now);
    const stored = r.json as MirrorStatus;
    expect(stored).toEqual({
      ...report('w1', 'debian', 'success', { size: '1.5G' }),
      last_update: now,
      last_started: ZERO_TIME_RFC3339,
      last_ended: now,
      next_schedule: ZERO_TIME_RFC3339,
    });
    expect((await m.get('/workers/w1/jobs')).json).toEqual([stored]);
    expect((await m.store.getWorker('w1'))?.last_online).toBe(now);

    const jobs = (await m.get('/jobs')).json as WebMirrorStatus[];
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      name: 'debian',
      is_master: true,
      status: 'success',
      last_update_ts: Math.floor(m.clock.now.getTime() / 1000),
      last_started: '0001-01-01 00:00:00 +0000',
      last_started_ts: -62135596800,
      upstream: 'rsync://example.org/x/',
      size: '1.5G',
    });
    expect(Object.keys(jobs[0] as object)).not.toContain('worker');
    expect(Object.keys(jobs[0] as object)).not.toContain('error_msg');
    expect(m.logger.lines).toContain(
      'info: Job [debian] @<w1> success {"worker":"w1","mirror":"debian"}',
    );
  });

  test('the worker field comes from the URL', async () => {
    const r = await m.post('/workers/w1/jobs/arch', report('someone-else', 'arch', 'syncing'));
    expect((r.json as MirrorStatus).worker).toBe('w1');
    expect(m.logger.lines).toContain(
      'info: Job [arch] @<w1> starts syncing {"worker":"w1","mirror":"arch"}',
    );
  });

  test.each([
    ['malformed JSON', '{"name": "m1",', 400, 'malformed JSON body'],
    ['a JSON string', '"m1"', 400, 'malformed JSON body'],
    ['an array', '[]', 400, 'invalid request body: must be an object'],
    [
      'a wrong type',
      JSON.stringify({ ...report('w1', 'm1', 'success'), is_master: 'yes' }),
      400,
      'is_master: must be a boolean',
    ],
    [
      'an unknown status',
      JSON.stringify(report('w1', 'm1', 'running' as 'none')),
      400,
      'status: must be one of',
    ],
    [
      'a bad time',
      JSON.stringify({ ...report('w1', 'm1', 'success'), last_update: 'yesterday' }),
      400,
      'last_update: must be an RFC 3339 time',
    ],
    [
      'an empty name',
      JSON.stringify(report('w1', '', 'success')),
      400,
      'mirror Name should not be empty',
    ],
    [
      'a bad name',
      JSON.stringify(report('w1', 'a b', 'success')),
      400,
      'invalid mirror name "a b"',
    ],
    [
      'another mirror than the URL',
      JSON.stringify(report('w1', 'other', 'success')),
      400,
      'does not match "m1" in the URL',
    ],
    ['an empty body', '', 400, 'mirror Name should not be empty'],
  ])('%s is a 4xx JSON error and writes nothing', async (_what, raw, status, error) => {
    const r = await fetch(`${m.url}/workers/w1/jobs/m1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await r.json()) as { error: string };
    expect(body.error).toContain(error);
    expect(await m.store.listAllMirrorStatuses()).toEqual([]);
  });

  test('a body over 1 MiB is a 413 JSON error', async () => {
    const big = JSON.stringify({
      ...report('w1', 'm1', 'success'),
      error_msg: 'x'.repeat(1024 * 1024),
    });
    const r = await fetch(`${m.url}/workers/w1/jobs/m1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ error: 'request body is larger than 1 MiB' });
    expect(await m.store.listAllMirrorStatuses()).toEqual([]);
  });
});

describe('size', () => {
  beforeEach(async () => {
    await register('w1');
    await m.post('/workers/w1/jobs/m1', report('w1', 'm1', 'success', { size: '1G' }));
  });

  test('a meaningful size is stored and the whole status returned', async () => {
    const r = await m.post('/workers/w1/jobs/m1/size', { name: 'm1', size: '5GB' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ name: 'm1', worker: 'w1', status: 'success', size: '5GB' });
    expect((await m.store.getMirrorStatus('w1', 'm1'))?.size).toBe('5GB');
    expect(((await m.get('/jobs')).json as WebMirrorStatus[])[0]?.size).toBe('5GB');
  });

  test('an empty or unknown size keeps the stored one', async () => {
    for (const size of ['', 'unknown']) {
      const r = await m.post('/workers/w1/jobs/m1/size', { name: 'm1', size });
      expect(r.status).toBe(200);
      expect((r.json as MirrorStatus).size).toBe('1G');
    }
  });

  test('the name may be left out of the body', async () => {
    const r = await m.post('/workers/w1/jobs/m1/size', { size: '2G' });
    expect((r.json as MirrorStatus).size).toBe('2G');
  });

  test('errors: unknown mirror 404, mismatch 400, missing size 400', async () => {
    const unknown = await m.post('/workers/w1/jobs/nope/size', { name: 'nope', size: '5GB' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: "no mirror 'nope' exists in worker 'w1'" });
    expect(await m.store.getMirrorStatus('w1', 'nope')).toBeUndefined();
    const mismatch = await m.post('/workers/w1/jobs/m1/size', {
      name: 'Invalid mirror',
      size: '5GB',
    });
    expect(mismatch.status).toBe(400);
    const missing = await m.post('/workers/w1/jobs/m1/size', { name: 'm1' });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error: 'invalid request body: size: is required' });
    expect((await m.store.getMirrorStatus('w1', 'm1'))?.size).toBe('1G');
  });
});

describe('schedules', () => {
  beforeEach(async () => {
    await register('w1');
    await m.post('/workers/w1/jobs/m1', report('w1', 'm1', 'success'));
    await m.post('/workers/w1/jobs/m2', report('w1', 'm2', 'syncing'));
  });

  test('next_schedule of listed known mirrors is set, in the manager offset; unknown skipped', async () => {
    m.clock.advance(1000);
    const r = await m.post('/workers/w1/schedules', {
      schedules: [
        { name: 'm1', next_schedule: '2026-05-01T10:00:00+08:00' },
        { name: 'm2', next_schedule: '2026-05-01T02:30:00.5Z' },
        { name: 'unknown', next_schedule: '2026-05-01T02:30:00Z' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
    expect((await m.store.getMirrorStatus('w1', 'm1'))?.next_schedule).toBe(
      formatRfc3339(new Date('2026-05-01T02:00:00Z')),
    );
    expect((await m.store.getMirrorStatus('w1', 'm2'))?.next_schedule).toBe(
      formatRfc3339(new Date('2026-05-01T02:30:00.5Z')),
    );
    expect(await m.store.getMirrorStatus('w1', 'unknown')).toBeUndefined();
    expect((await m.store.getWorker('w1'))?.last_online).toBe(formatRfc3339(m.clock.now));
    const jobs = (await m.get('/jobs')).json as WebMirrorStatus[];
    expect(jobs.find((j) => j.name === 'm1')?.next_schedule_ts).toBe(
      new Date('2026-05-01T02:00:00Z').getTime() / 1000,
    );
  });

  test.each([
    [
      { schedules: [{ name: '', next_schedule: '2026-05-01T02:30:00Z' }] },
      'mirror Name should not be empty',
    ],
    [{ schedules: [{ name: 'm1', next_schedule: 'soon' }] }, 'must be an RFC 3339 time'],
    [{ schedules: [{ name: 'm1' }, { name: 'a/b' }] }, 'invalid mirror name "a/b"'],
    [{}, 'schedules: is required'],
    [{ schedules: 'm1' }, 'schedules: must be an array'],
  ])('a bad list %j is a 400 and changes nothing', async (body, error) => {
    const before = await m.store.listAllMirrorStatuses();
    const r = await m.post('/workers/w1/schedules', body);
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toContain(error);
    expect(await m.store.listAllMirrorStatuses()).toEqual(before);
  });
});

describe('flush', () => {
  test('DELETE /workers/:id keeps the statuses on /jobs; ?purge=1 removes them, also later', async () => {
    await register('w1');
    await register('w2');
    await m.post('/workers/w1/jobs/m1', report('w1', 'm1', 'success'));
    await m.post('/workers/w2/jobs/m1', report('w2', 'm1', 'success'));
    // What /jobs shows (one entry per status), and whose each status is.
    const jobs = async () => {
      const shown = ((await m.get('/jobs')).json as WebMirrorStatus[]).length;
      const owners = (await m.store.listAllMirrorStatuses()).map((s) => `${s.worker}/${s.name}`);
      expect(shown).toBe(owners.length);
      return owners;
    };
    expect((await m.del('/workers/w1')).json).toEqual({ message: 'deleted' });
    expect(await jobs()).toEqual(['w1/m1', 'w2/m1']);
    // The way out for a worker removed before: its statuses alone are enough to purge.
    expect(await m.del('/workers/w1?purge=1')).toMatchObject({
      status: 200,
      json: { message: 'deleted' },
    });
    expect(await jobs()).toEqual(['w2/m1']);
    expect(await m.del('/workers/w1?purge=1')).toMatchObject({
      status: 400,
      json: { error: 'invalid workerID w1' },
    });
    expect((await m.del('/workers/w2?purge=true')).status).toBe(200);
    expect(await jobs()).toEqual([]);
    expect((await m.get('/workers')).json).toEqual([]);
    expect(m.logger.lines.join('\n')).toContain('Worker <w2> deleted with its 1 mirror status(es)');
  });

  test('DELETE /jobs/disabled removes disabled statuses and nameless ones', async () => {
    await register('w1');
    await m.post('/workers/w1/jobs/m1', report('w1', 'm1', 'disabled'));
    await m.post('/workers/w1/jobs/m2', report('w1', 'm2', 'paused'));
    await m.store.putMirrorStatus('w1', 'x', report('w1', '', 'success'));
    expect(((await m.get('/jobs')).json as unknown[]).length).toBe(3);
    const r = await m.del('/jobs/disabled');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ message: 'flushed' });
    expect(((await m.get('/jobs')).json as WebMirrorStatus[]).map((j) => j.name)).toEqual(['m2']);
  });
});

describe('heartbeat', () => {
  test('POST /workers/:id/heartbeat refreshes last_online and writes nothing else', async () => {
    await register('w1');
    await m.post('/workers/w1/jobs/debian', report('w1', 'debian', 'success'));
    const before = await m.store.listAllMirrorStatuses();
    const registered = await m.store.getWorker('w1');
    m.clock.advance(30_000);
    const r = await m.post('/workers/w1/heartbeat', {});
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ message: 'alive' });
    expect(await m.store.getWorker('w1')).toEqual({
      ...registered,
      last_online: formatRfc3339(m.clock.now),
    });
    expect(await m.store.listAllMirrorStatuses()).toEqual(before);
    const get = await m.get('/workers/w1/heartbeat');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });
});

describe('unknown routes and methods', () => {
  test('an unknown route is a 404 JSON error', async () => {
    const r = await m.get('/nothing/here');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: 'no route GET /nothing/here' });
  });

  test('a wrong method is a 405 JSON error with Allow', async () => {
    const r = await m.post('/ping', {});
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET');
    expect(r.json).toEqual({ error: 'method POST is not allowed on /ping (allowed: GET)' });
    const put = await fetch(`${m.url}/workers`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    const get = await m.get('/jobs/disabled');
    expect(get.status).toBe(405);
  });

  test('a bad body encoding is a 4xx JSON error', async () => {
    const r = await fetch(`${m.url}/workers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=klingon' },
      body: '{}',
    });
    expect(r.status).toBe(415);
    expect(((await r.json()) as { error: string }).error).toMatch(/^bad request: /);
  });
});
