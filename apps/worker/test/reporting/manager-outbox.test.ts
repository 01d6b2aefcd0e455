import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  silentLogger,
  ZERO_TIME_RFC3339,
  type MirrorStatus,
  type MirrorStatusReport,
} from '@tunasync/api-types';
import { systemClock, type Clock } from '@tunasync/core';
import { waitUntil } from '@tunasync/test-utils';
import { Backoff } from '../../src/reporting/backoff';
import { DurableQueue } from '../../src/reporting/durable-queue';
import { ManagerClient } from '../../src/reporting/manager-client';
import { ManagerOutbox } from '../../src/reporting/manager-outbox';
import { Reporter, outboxDirName } from '../../src/reporting/reporter';
import { ManagerHttpError, ManagerUnreachableError, OutboxClosedError } from '../../src/errors';
import { ManualClock } from '../helpers/manual-clock';
import { GIN_NOT_FOUND, TinyManager } from '../helpers/tiny-manager';

function status(name: string, s: MirrorStatus['status'], n = 0): MirrorStatus {
  return {
    name,
    worker: 'w1',
    is_master: true,
    status: s,
    last_update: ZERO_TIME_RFC3339,
    last_started: ZERO_TIME_RFC3339,
    last_ended: ZERO_TIME_RFC3339,
    next_schedule: ZERO_TIME_RFC3339,
    upstream: 'rsync://example.org/x/',
    size: 'unknown',
    error_msg: n === 0 ? '' : `attempt ${n}`,
  };
}

const FAST = { initialMs: 5, maxMs: 20 };
const FAST_PROBES = { intervalMs: 5, timeoutMs: 1000 };

/** Real timers, and a `now()` the test sets (the observation and sending times of reports). */
function settableNow(): Clock & { time: number } {
  const clock = { ...systemClock, time: 1_000_000, now: () => clock.time };
  return clock;
}

/** What a Go manager decodes of a report: every field of its MirrorStatus, not the age. */
function goView(body: unknown): MirrorStatus {
  const { observed_ago_ms: _age, ...rest } = body as MirrorStatusReport;
  return rest;
}

let tmp: string;
let manager: TinyManager;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'worker-outbox-'));
  manager = await new TinyManager().start();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await manager.stop();
  await rm(tmp, { recursive: true, force: true });
});

function makeOutbox(
  extra: Partial<ConstructorParameters<typeof ManagerOutbox>[0]> = {},
  token?: string,
) {
  const client = new ManagerClient({
    apiBase: `${manager.url}/`,
    workerId: 'w1',
    ...(token ? { token } : {}),
  });
  const outbox = new ManagerOutbox({
    dir: path.join(tmp, 'box'),
    client,
    logger: silentLogger,
    backoff: FAST,
    probe: FAST_PROBES,
    ...extra,
  });
  closers.push(async () => {
    await outbox.close();
    await client.close();
  });
  return { client, outbox };
}

test('a report is delivered with its age and the bearer token, and removed after the 2xx', async () => {
  const clock = settableNow();
  const { outbox } = makeOutbox({ clock }, 's3cret');
  await outbox.start();
  await outbox.enqueueStatus(status('debian', 'syncing'), clock.time - 4321);
  expect(await outbox.drained(5000)).toBe(true);
  expect(manager.requests).toEqual([
    {
      method: 'POST',
      url: '/workers/w1/jobs/debian',
      authorization: 'Bearer s3cret',
      body: { ...status('debian', 'syncing'), observed_ago_ms: 4321 },
    },
  ]);
  // A Go manager ignores the extra field: what it reads is the report as before.
  expect(goView(manager.requests[0]?.body)).toEqual(status('debian', 'syncing'));
  expect(outbox.pending).toBe(0);
  expect(await readFile(path.join(tmp, 'box/queue.jsonl'), 'utf8')).toBe('');
});

test('while the manager is down reports wait on disk; when it is back they arrive in order, each with its age', async () => {
  const clock = settableNow();
  const { outbox } = makeOutbox({ clock });
  await outbox.start();
  await manager.stop();
  const sent: MirrorStatus[] = [];
  for (let i = 1; i <= 20; i++) {
    const s = status(`m${i % 3}`, i % 2 ? 'syncing' : 'success', i);
    sent.push(s);
    clock.time += 1000;
    await outbox.enqueueStatus(s);
  }
  clock.time += 60_000;
  await outbox.setSchedules({ schedules: [{ name: 'm0', next_schedule: '2026-01-01T00:00:00Z' }] });
  await outbox.setSchedules({ schedules: [{ name: 'm0', next_schedule: '2026-01-02T00:00:00Z' }] });
  expect(await outbox.drained(100)).toBe(false);
  expect(outbox.pending).toBe(21);
  const lines = (await readFile(path.join(tmp, 'box/queue.jsonl'), 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(20);

  await manager.start();
  expect(await outbox.drained(10_000)).toBe(true);
  const posted = manager.requests;
  expect(posted.slice(0, 20).map((r) => goView(r.body))).toEqual(sent);
  // Sent once the manager is back (time stands still meanwhile): 79 s … 60 s old.
  expect(posted.slice(0, 20).map((r) => (r.body as MirrorStatusReport).observed_ago_ms)).toEqual(
    sent.map((_s, i) => 60_000 + (19 - i) * 1000),
  );
  // schedules are coalesced: only the latest list, after the reports
  expect(posted.slice(20)).toEqual([
    {
      method: 'POST',
      url: '/workers/w1/schedules',
      authorization: undefined,
      body: { schedules: [{ name: 'm0', next_schedule: '2026-01-02T00:00:00Z' }] },
    },
  ]);
});

test('reports survive a restart of the worker (a new outbox on the same directory)', async () => {
  await manager.stop();
  const first = makeOutbox();
  await first.outbox.start();
  await first.outbox.enqueueStatus(status('a', 'pre-syncing'));
  await first.outbox.enqueueStatus(status('a', 'syncing'));
  await first.outbox.setSchedules({ schedules: [{ name: 'a', next_schedule: ZERO_TIME_RFC3339 }] });
  await first.outbox.close();
  await first.client.close();

  await manager.start();
  const second = makeOutbox();
  await second.outbox.start();
  expect(await second.outbox.drained(10_000)).toBe(true);
  expect(manager.requests.map((r) => [r.url, (r.body as { status?: string }).status])).toEqual([
    ['/workers/w1/jobs/a', 'pre-syncing'],
    ['/workers/w1/jobs/a', 'syncing'],
    ['/workers/w1/schedules', undefined],
  ]);
});

test('"invalid workerID" makes the worker register again, then the report is sent again', async () => {
  let registered = false;
  manager.respond = (req) => {
    if (req.url === '/workers') {
      registered = true;
      return undefined;
    }
    return registered ? undefined : { status: 400, body: { error: 'invalid workerID w1' } };
  };
  const calls: string[] = [];
  const { outbox, client } = makeOutbox({
    onUnknownWorker: async () => {
      calls.push('unknown');
      await client.register('http://worker:6000/');
      await outbox.enqueueStatus(status('b', 'success'));
    },
  });
  await outbox.start();
  await outbox.enqueueStatus(status('a', 'failed', 1));
  expect(await outbox.drained(5000)).toBe(true);
  expect(calls).toEqual(['unknown']);
  expect(manager.requests.map((r) => r.url)).toEqual([
    '/workers',
    '/workers/w1/jobs/a',
    '/workers/w1/jobs/b',
  ]);
  expect(manager.requests[0]?.body).toEqual({ id: 'w1', url: 'http://worker:6000/' });
});

test('a report the manager refuses for good is dropped so the rest keeps flowing; a wrong token is retried', async () => {
  let tokenOk = false;
  manager.respond = (req) => {
    if (!tokenOk) return { status: 401, body: { error: 'unauthorized' } };
    if (req.url.endsWith('/bad')) return { status: 400, body: { error: 'invalid mirror status' } };
    return undefined;
  };
  const { outbox } = makeOutbox();
  await outbox.start();
  await outbox.enqueueStatus(status('bad', 'success'));
  await outbox.enqueueStatus(status('good', 'success'));
  expect(await outbox.drained(100)).toBe(false);
  expect(outbox.pending).toBe(2);
  tokenOk = true;
  expect(await outbox.drained(5000)).toBe(true);
  expect(manager.requests.map((r) => r.url)).toEqual(['/workers/w1/jobs/good']);
});

test('a torn last line (a crash in the middle of a write) is dropped; the rest is kept', async () => {
  const dir = path.join(tmp, 'torn');
  const q1 = await DurableQueue.open<{ n: number }>(dir, silentLogger);
  await q1.append({ n: 1 });
  await q1.append({ n: 2 });
  await q1.append({ n: 3 });
  await q1.ack();
  await q1.close();
  await appendFile(path.join(dir, 'queue.jsonl'), '{"n":4');
  const q2 = await DurableQueue.open<{ n: number }>(dir, silentLogger);
  expect(q2.items()).toEqual([{ n: 2 }, { n: 3 }]);
  await q2.append({ n: 5 });
  await q2.close();
  const q3 = await DurableQueue.open<{ n: number }>(dir, silentLogger);
  expect(q3.items()).toEqual([{ n: 2 }, { n: 3 }, { n: 5 }]);
  await q3.ack();
  await q3.ack();
  await q3.ack();
  expect(q3.length).toBe(0);
  await q3.close();
  expect(await readFile(path.join(dir, 'queue.jsonl'), 'utf8')).toBe('');
  await expect(q3.append({ n: 6 })).rejects.toBeInstanceOf(OutboxClosedError);
  // an unreadable complete line is skipped, a cursor beyond the end is reset
  await writeFile(path.join(dir, 'queue.jsonl'), 'garbage\n{"n":7}\n');
  await writeFile(path.join(dir, 'cursor'), '0');
  const q4 = await DurableQueue.open<{ n: number }>(dir, silentLogger);
  expect(q4.items()).toEqual([{ n: 7 }]);
  await q4.close();
});

test('the client maps failures to typed errors', async () => {
  const client = new ManagerClient({ apiBase: manager.url, workerId: 'w 1', timeoutMs: 2000 });
  closers.push(() => client.close());
  manager.respond = (req) =>
    req.method === 'GET'
      ? { status: 200, body: [status('a', 'success')] }
      : { status: 500, body: 'boom' };
  expect(await client.listJobs()).toEqual([status('a', 'success')]);
  expect(manager.requests[0]?.url).toBe('/workers/w%201/jobs');
  const err = await client.reportStatus(status('a', 'failed')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ManagerHttpError);
  expect((err as ManagerHttpError).status).toBe(500);
  expect((err as ManagerHttpError).reason).toBe('"boom"');
  expect((err as ManagerHttpError).isUnknownWorker).toBe(false);
  await manager.stop();
  await expect(client.listJobs()).rejects.toBeInstanceOf(ManagerUnreachableError);
});

test('the reporter fans out to every manager, each with its own outbox', async () => {
  const second = await new TinyManager().start();
  closers.push(() => second.stop());
  const reporter = new Reporter({
    stateDir: tmp,
    apiBases: [manager.url, second.url],
    workerId: 'w1',
    logger: silentLogger,
    backoff: FAST,
    probe: FAST_PROBES,
  });
  closers.push(() => reporter.close());
  await reporter.start();
  await second.stop();
  await reporter.reportStatus(status('a', 'success'));
  await reporter.reportSchedules({ schedules: [] });
  await manager.waitFor(2);
  expect(await reporter.drained(50)).toBe(false);
  await second.start();
  expect(await reporter.drained(10_000)).toBe(true);
  expect(second.requests.map((r) => r.url)).toEqual([
    '/workers/w1/jobs/a',
    '/workers/w1/schedules',
  ]);
  expect(outboxDirName('http://127.0.0.1:14242/')).toBe('http_127.0.0.1_14242');
});

/** Polls `condition` until it holds (a deadline, never a fixed sleep). */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  await waitUntil('the condition', condition, timeoutMs, 2);
}

const statuses = (m: TinyManager) => m.requests.map((r) => (r.body as { status?: string }).status);

/** An outbox on a manual clock whose manager is down, with one report waiting for a probe. */
async function waitingForProbe(intervalMs: number) {
  const clock = new ManualClock();
  const { outbox } = makeOutbox({ clock, probe: { intervalMs, timeoutMs: 1000 } });
  await outbox.start();
  await manager.stop();
  await outbox.enqueueStatus(status('a', 'syncing'));
  await until(() => clock.pending().length === 1);
  return { clock, outbox };
}

describe('waits after a failed send (finding 9: delivery soon after the manager is back)', () => {
  test('after an HTTP error a new report ends the back-off at once', async () => {
    const clock = new ManualClock();
    let fail = true;
    manager.respond = () => (fail ? { status: 503, body: { error: 'store busy' } } : undefined);
    const { outbox } = makeOutbox({ clock, backoff: { initialMs: 3_600_000 } });
    await outbox.start();
    await outbox.enqueueStatus(status('a', 'syncing'));
    await until(() => clock.pending().length === 1);
    expect(clock.pending()).toEqual([3_600_000]);
    fail = false;
    await outbox.enqueueStatus(status('a', 'success'));
    expect(await outbox.drained(5000)).toBe(true);
    expect(statuses(manager)).toEqual(['syncing', 'success']);
  });

  test('while the manager does not answer only probes go out; the first answered probe resumes delivery', async () => {
    const { clock, outbox } = await waitingForProbe(1000);
    // No back-off: the next probe, one interval on.
    expect(clock.pending()).toEqual([1000]);
    clock.advance(1000); // a probe, refused; the next one is armed when it has failed
    await until(() => clock.pending().length === 1);
    expect(clock.pending()).toEqual([1000]);
    await manager.start();
    expect(manager.received).toEqual([]);
    clock.advance(1000);
    expect(await outbox.drained(5000)).toBe(true);
    expect(manager.pings).toBe(1);
    expect(statuses(manager)).toEqual(['syncing']);
  });

  test('while the manager does not answer a new report probes at once', async () => {
    const { outbox } = await waitingForProbe(60_000);
    await manager.start();
    await outbox.enqueueStatus(status('a', 'success'));
    expect(await outbox.drained(5000)).toBe(true);
    expect(manager.pings).toBe(1);
    expect(statuses(manager)).toEqual(['syncing', 'success']);
  });

  test('close() ends a probe wait at once and leaves no timer', async () => {
    const { clock, outbox } = await waitingForProbe(60_000);
    await outbox.close();
    expect(clock.pending()).toEqual([]);
    expect(outbox.pending).toBe(1);
  });

  test('a probe counts any HTTP answer (a proxy 404 too); no answer is false', async () => {
    const { client } = makeOutbox();
    expect(await client.ping(1000)).toBe(true);
    manager.respond = () => GIN_NOT_FOUND;
    expect(await client.ping(1000)).toBe(true);
    await manager.stop();
    expect(await client.ping(1000)).toBe(false);
  });

  test('the back-off after HTTP errors doubles from 1 s and is capped at 10 s', () => {
    const backoff = new Backoff();
    expect(Array.from({ length: 7 }, () => backoff.take())).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
    backoff.reset();
    expect(backoff.currentMs).toBe(1000);
  });
});

test('a queued line of an older worker (no observation time) or with an unusable one is sent without an age', async () => {
  const box = path.join(tmp, 'box');
  await DurableQueue.open(box, silentLogger).then((q) => q.close());
  await writeFile(
    path.join(box, 'queue.jsonl'),
    [
      JSON.stringify({ kind: 'status', body: status('old', 'success') }),
      JSON.stringify({ kind: 'status', body: status('odd', 'success'), observed: null }),
      '',
    ].join('\n'),
  );
  const { outbox } = makeOutbox();
  await outbox.start();
  expect(await outbox.drained(5000)).toBe(true);
  expect(manager.requests.map((r) => r.body)).toEqual([
    status('old', 'success'),
    status('odd', 'success'),
  ]);
});
