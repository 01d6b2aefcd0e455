import { formatRfc3339, ZERO_TIME_RFC3339 } from '@tunasync/api-types';
import type { MirrorStatus, MirrorStatusReport } from '@tunasync/api-types';
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

async function send(status: MirrorStatus['status'], extra: Partial<MirrorStatusReport> = {}) {
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

describe('a report that waited in the worker outbox is dated now − observed_ago_ms', () => {
  const at = (offset: number) => formatRfc3339(new Date(m.clock.now.getTime() + offset));

  test('a whole run queued during an outage keeps the times the worker saw', async () => {
    // The manager is back now; the run started 5 min ago and ended 1 min ago.
    let s = await send('pre-syncing', { observed_ago_ms: 300_000 });
    expect(s.last_started).toBe(at(-300_000));
    s = await send('syncing', { observed_ago_ms: 299_990 });
    expect(s.last_started).toBe(at(-300_000));
    s = await send('success', { observed_ago_ms: 60_000, size: '2G' });
    expect(s).toMatchObject({
      last_started: at(-300_000),
      last_update: at(-60_000),
      last_ended: at(-60_000),
      size: '2G',
    });
    expect(Object.keys(s)).not.toContain('observed_ago_ms');
    const stored = await m.store.getMirrorStatus('w1', 'm1');
    expect(Object.keys(stored ?? {})).not.toContain('observed_ago_ms');
    expect(m.logger.lines).toContain(
      'info: Job [m1] @<w1> success (reported 60.0 s after the worker saw it) {"worker":"w1","mirror":"m1"}',
    );
  });

  test('a fresh report (age 0 or no age, as from a Go worker) keeps the manager clock', async () => {
    expect((await send('success', { observed_ago_ms: 0 })).last_update).toBe(at(0));
    m.clock.advance(1000);
    expect((await send('success')).last_update).toBe(at(0));
  });

  test('a time older than what is stored is raised to it (a report sent again keeps its time)', async () => {
    // The success, queued for 60 s, then the same status sent again 2 ms "earlier" (transit
    // jitter of a re-sent report): it keeps the stored time, neither earlier nor now.
    const first = await send('success', { observed_ago_ms: 60_000 });
    expect(first.last_update).toBe(at(-60_000));
    m.clock.advance(5000);
    const again = await send('success', { observed_ago_ms: 65_002 });
    expect(again).toMatchObject({ last_update: at(-65_000), last_ended: at(-65_000) });
    // A later observation is used as it is.
    m.clock.advance(1000);
    expect((await send('pre-syncing', { observed_ago_ms: 500 })).last_started).toBe(at(-500));
  });

  test('a stored time ahead of the manager clock never dates a report in the future', async () => {
    await send('success');
    m.clock.advance(-10_000); // the manager's clock stepped back
    const s = await send('failed', { observed_ago_ms: 1000 });
    expect(s.last_ended).toBe(at(0));
  });

  test('an age reaching before 1970 is not believed: the manager clock', async () => {
    const s = await send('success', { observed_ago_ms: Number.MAX_SAFE_INTEGER });
    expect(s.last_update).toBe(at(0));
  });

  test.each([
    [-1, 'observed_ago_ms: must be >= 0'],
    [1.5, 'observed_ago_ms: must be an integer'],
    ['5', 'observed_ago_ms: must be an integer'],
  ])('observed_ago_ms %p is a 400 naming the field, and nothing is stored', async (age, error) => {
    const r = await m.post('/workers/w1/jobs/m1', {
      ...report('w1', 'm1', 'success'),
      observed_ago_ms: age,
    });
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toContain(error);
    expect(await m.store.getMirrorStatus('w1', 'm1')).toBeUndefined();
  });
});
