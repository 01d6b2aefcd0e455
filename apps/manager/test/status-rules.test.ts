import { formatRfc3339, ZERO_TIME_RFC3339 } from '@tunasync/api-types';
import type { MirrorStatus } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { report, startTestManager } from './helpers';
import type { TestManager } from './helpers';

const dirs = new TempDirs();
let m: TestManager;

beforeEach(async () => {
  m = await startTestManager({ dirs });
  await m.post('/workers', { id: 'w1', url: 'http://127.0.0.1:1/' });
});

afterEach(async () => {
  await m.close();
  await dirs.cleanup();
});

async function send(status: MirrorStatus['status'], extra: Partial<MirrorStatus> = {}) {
  const r = await m.post('/workers/w1/jobs/m1', report('w1', 'm1', status, extra));
  expect(r.status).toBe(200);
  return r.json as MirrorStatus;
}

describe('timestamps come from the manager clock (SPEC §3)', () => {
  test('a whole run: pre-syncing, syncing, success, then a failed run', async () => {
    const t = (offset: number) => formatRfc3339(new Date(m.clock.now.getTime() + offset));
    const t0 = t(0);
    let s = await send('pre-syncing');
    expect(s.last_started).toBe(t0);
    expect(s.last_update).toBe(ZERO_TIME_RFC3339);
    expect(s.last_ended).toBe(ZERO_TIME_RFC3339);

    m.clock.advance(1000);
    s = await send('pre-syncing'); // staying in pre-syncing keeps last_started
    expect(s.last_started).toBe(t0);

    m.clock.advance(1000);
    s = await send('syncing');
    expect(s.last_started).toBe(t0);
    expect(s.last_ended).toBe(ZERO_TIME_RFC3339);

    m.clock.advance(60_000);
    const t1 = t(0);
    s = await send('success', { size: '3G' });
    expect(s).toMatchObject({ last_started: t0, last_update: t1, last_ended: t1, size: '3G' });

    m.clock.advance(60_000);
    const t2 = t(0);
    s = await send('pre-syncing');
    expect(s).toMatchObject({ last_started: t2, last_update: t1, last_ended: t1, size: '3G' });

    m.clock.advance(1000);
    const t3 = t(0);
    s = await send('failed', { error_msg: 'rsync exited with 23' });
    expect(s).toMatchObject({
      last_started: t2,
      last_update: t1,
      last_ended: t3,
      size: '3G',
      error_msg: 'rsync exited with 23',
      status: 'failed',
    });
  });

  test('times in the body are never trusted', async () => {
    const s = await send('success', {
      last_update: '2030-01-01T00:00:00Z',
      last_started: '2030-01-01T00:00:00Z',
      last_ended: '2030-01-01T00:00:00Z',
    });
    const now = formatRfc3339(m.clock.now);
    expect(s).toMatchObject({ last_update: now, last_ended: now, last_started: ZERO_TIME_RFC3339 });
  });

  test('next_schedule is kept from the stored value, not the report', async () => {
    await send('success');
    await m.post('/workers/w1/schedules', {
      schedules: [{ name: 'm1', next_schedule: '2026-06-01T00:00:00Z' }],
    });
    const s = await send('syncing', { next_schedule: '2040-01-01T00:00:00Z' });
    expect(s.next_schedule).toBe(formatRfc3339(new Date('2026-06-01T00:00:00Z')));
  });

  test('size: empty or unknown keeps a meaningful stored size; a new size replaces it', async () => {
    expect((await send('success', { size: 'unknown' })).size).toBe('unknown');
    expect((await send('success', { size: '' })).size).toBe('');
    expect((await send('success', { size: '1G' })).size).toBe('1G');
    expect((await send('syncing', { size: 'unknown' })).size).toBe('1G');
    expect((await send('syncing', { size: '' })).size).toBe('1G');
    expect((await send('success', { size: '2G' })).size).toBe('2G');
  });

  test('timestamps are written in the manager local offset format', async () => {
    const s = await send('success');
    expect(s.last_update).toMatch(/^2026-01-0\dT\d\d:\d\d:05(Z|[+-]\d\d:\d\d)$/);
  });
});
