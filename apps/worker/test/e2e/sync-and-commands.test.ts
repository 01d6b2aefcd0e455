import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MirrorStatus } from '@tunasync/api-types';
import { TempDirs, type RsyncDaemon } from '@tunasync/test-utils';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import { processesMatching, startRuntime, waitFor } from '../helpers/worker-fixture';
import { BIG_TREE, ManagerFixture, SLOW, rsyncMirror, startUpstream } from './e2e-fixture';

jest.setTimeout(30_000);

const dirs = new TempDirs();
let upstream: RsyncDaemon;
let manager: ManagerFixture;
let runtime: WorkerRuntime | undefined;
let dir: string;

beforeEach(async () => {
  dir = await dirs.make('e2e-sync-');
  upstream = await startUpstream(path.join(dir, 'upstream'));
  manager = await new ManagerFixture(path.join(dir, 'db')).start();
});

afterEach(async () => {
  await runtime?.halt();
  runtime = undefined;
  await manager.stop();
  await upstream.stop();
  await dirs.cleanup();
});

test('statuses flow pre-syncing → syncing → success with the rsync size; /jobs and schedules show them', async () => {
  const started = Date.now();
  const w = await startRuntime(dir, {
    managers: [manager.url],
    mirrors: rsyncMirror('alpha', upstream.url('pub')),
  });
  runtime = w.runtime;
  const reported: string[] = [];
  runtime.onReport((s) => reported.push(`${s.name} ${s.status}`));

  const alpha = await manager.waitForMirror('alpha', (s) => s.status === 'success', 'success');
  // what the worker reported, in order (the first run starts after start() resolved)
  await waitFor('the reports', () => reported.includes('alpha success'));
  expect(reported).toEqual(['alpha pre-syncing', 'alpha syncing', 'alpha success']);
  expect(alpha).toMatchObject({ worker: 'w1', is_master: true, upstream: upstream.url('pub') });
  // the size is rsync's own "Total file size" of this run's log
  const log = await readFile(path.join(dir, 'log', 'alpha', 'latest'), 'utf8');
  const total = /Total file size: ([\d.]+[KMGTP]?) bytes/.exec(log)?.[1];
  expect(total).toBe('12.31K'); // 12316 bytes; rsync -h counts in units of 1000
  expect(alpha.size).toBe(total);
  // time-stamps come from the manager: pre-syncing set last_started, success the others
  const t = (s: MirrorStatus, k: 'last_started' | 'last_ended' | 'last_update') => Date.parse(s[k]);
  expect(t(alpha, 'last_started')).toBeGreaterThanOrEqual(started - 1000);
  expect(t(alpha, 'last_ended')).toBeGreaterThanOrEqual(t(alpha, 'last_started'));
  expect(t(alpha, 'last_update')).toBe(t(alpha, 'last_ended'));

  const scheduled = await manager.waitForMirror(
    'alpha',
    (s) => Date.parse(s.next_schedule) > Date.now(),
    'a next_schedule',
  );
  expect(Date.parse(scheduled.next_schedule) - t(alpha, 'last_ended')).toBeGreaterThan(59 * 60_000);

  const web = (await manager.jobs()).find((j) => j.name === 'alpha');
  expect(web).toMatchObject({ name: 'alpha', status: 'success', size: alpha.size });
  expect(web?.next_schedule_ts).toBe(Math.floor(Date.parse(scheduled.next_schedule) / 1000));
});

test('stop, disable, start, start --force beyond concurrent and restart through /cmd; a stopped run leaves no process', async () => {
  expect(BIG_TREE['big.iso'].length).toBeGreaterThan(1024 * 1024);
  const w = await startRuntime(dir, {
    managers: [manager.url],
    concurrent: 1,
    mirrors: [
      rsyncMirror('one', upstream.url('big'), SLOW),
      rsyncMirror('two', upstream.url('big'), SLOW),
    ].join('\n'),
  });
  runtime = w.runtime;
  const rsyncOf = (name: string) => processesMatching(path.join(dir, 'data', name));

  // both are due; `concurrent = 1` lets only one run
  await manager.waitForMirror('one', (s) => s.status === 'syncing', 'syncing');
  await waitFor('rsync of one', () => rsyncOf('one').length > 0);
  expect(runtime.job('two')?.running).toBe(true);
  expect((await manager.workerJobs()).find((s) => s.name === 'two')).toBeUndefined();

  expect(await manager.cmd('start', 'two')).toMatchObject({ status: 200 });
  expect((await manager.workerJobs()).find((s) => s.name === 'two')).toBeUndefined();
  expect(await manager.cmd('start', 'two', { force: true })).toMatchObject({ status: 200 });
  await manager.waitForMirror('two', (s) => s.status === 'syncing', 'syncing beside one');
  await waitFor('rsync of two', () => rsyncOf('two').length > 0);
  expect(rsyncOf('one').length).toBeGreaterThan(0);

  // The worker answers once a command is queued; it takes effect right after.
  expect(await manager.cmd('stop', 'one')).toMatchObject({ status: 200 });
  await waitFor('the rsync of one to be gone', () => rsyncOf('one').length === 0);
  await manager.waitForMirror('one', (s) => s.status === 'paused', 'paused');

  const before = rsyncOf('two');
  expect(await manager.cmd('restart', 'two')).toMatchObject({ status: 200 });
  await waitFor('the first rsync of two to be gone', () =>
    before.every((pid) => !rsyncOf('two').includes(pid)),
  );
  await waitFor('two to sync again', () => rsyncOf('two').length > 0);
  await manager.waitForMirror('two', (s) => s.status === 'syncing', 'syncing again');

  expect(await manager.cmd('disable', 'two')).toMatchObject({ status: 200 });
  await waitFor('the rsync of two to be gone', () => rsyncOf('two').length === 0);
  await manager.waitForMirror('two', (s) => s.status === 'disabled', 'disabled');
  expect(runtime.job('two')?.state).toBe('disabled');

  expect(await manager.cmd('start', 'one')).toMatchObject({ status: 200 });
  await manager.waitForMirror('one', (s) => s.status === 'syncing', 'syncing after start');
  await waitFor('rsync of one', () => rsyncOf('one').length > 0);

  expect(await manager.cmd('ping', 'one')).toMatchObject({ status: 200 });
  expect(await manager.cmd('start', 'nope')).toMatchObject({ status: 404 });

  await runtime.halt();
  runtime = undefined;
  expect(rsyncOf('one')).toEqual([]);
  await manager.waitForMirror('one', (s) => s.status === 'failed', 'failed by the halt');
});
