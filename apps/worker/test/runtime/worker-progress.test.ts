import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MirrorProgressMessage, MirrorStatus } from '@tunasync/api-types';
import { TempDirs, type RsyncDaemon } from '@tunasync/test-utils';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import { SLOW, rsyncMirror, startUpstream } from '../e2e/e2e-fixture';
import { ManualClock } from '../helpers/manual-clock';
import { TinyManager } from '../helpers/tiny-manager';
import { commandMirror, startRuntime, waitFor, workerConf } from '../helpers/worker-fixture';

// The worker's progress ticks (SPEC §7.9) on an injected clock: a tick happens exactly when
// the test moves that clock on, and "the ticker stopped" is "no progress timer is armed".
jest.setTimeout(30_000);

const dirs = new TempDirs();
let upstream: RsyncDaemon;
let manager: TinyManager;
let runtime: WorkerRuntime | undefined;
let dir: string;
let clock: ManualClock;

beforeAll(async () => {
  upstream = await startUpstream(await dirs.make('progress-upstream-'));
});
afterAll(async () => {
  await upstream?.stop();
  await dirs.cleanup();
});

beforeEach(async () => {
  dir = await dirs.make('rt-progress-');
  clock = new ManualClock();
  manager = await new TinyManager().start();
  manager.respond = (req) =>
    req.method === 'GET' && req.url === '/workers/w1/jobs' ? { status: 200, body: [] } : undefined;
});
afterEach(async () => {
  await runtime?.halt();
  runtime = undefined;
  await manager.stop();
});

const INTERVAL = 1000;

/** Starts the worker; without `global`, ticks every `INTERVAL` ms of the manual clock. */
async function start(
  mirrors: string,
  global?: string,
): Promise<{ file: string; log: () => string }> {
  const started = await startRuntime(
    dir,
    { managers: [manager.url], mirrors, ...(global !== undefined ? { global } : {}) },
    { progressClock: clock, ...(global === undefined ? { progressIntervalMs: INTERVAL } : {}) },
  );
  runtime = started.runtime;
  return started;
}

const statuses = (name: string): string[] =>
  manager.requests
    .filter((r) => r.method === 'POST' && r.url === `/workers/w1/jobs/${name}`)
    .map((r) => (r.body as MirrorStatus).status);

const progressPosts = (name: string): MirrorProgressMessage[] =>
  manager.received
    .filter((r) => r.url === `/workers/w1/jobs/${name}/progress`)
    .map((r) => r.body as MirrorProgressMessage);

function countOf(name: string, status: string): number {
  return statuses(name).filter((s) => s === status).length;
}

/** Waits for the `n`th `syncing` report of `name` and its armed progress timer. */
async function syncing(name: string, n = 1): Promise<void> {
  await waitFor(`${name} syncing #${n}`, () => countOf(name, 'syncing') >= n);
  await waitFor(`the progress timer of ${name}`, () => clock.pending().length === 1);
  expect(clock.pending()).toEqual([INTERVAL]);
}

/** One tick: the provider's progress is read and, when it changed, posted. */
async function tick(name: string): Promise<MirrorProgressMessage> {
  const before = progressPosts(name).length;
  clock.advance(INTERVAL);
  await waitFor(`a progress post of ${name}`, () => progressPosts(name).length > before);
  return progressPosts(name)[progressPosts(name).length - 1] as MirrorProgressMessage;
}

async function rsyncListed(name: string, file: string): Promise<void> {
  const log = path.join(dir, 'log', name, 'latest');
  await waitFor(`rsync listing ${file}`, async () =>
    (await readFile(log, 'utf8').catch(() => '')).includes(file),
  );
}

test('a syncing rsync mirror posts its progress on each tick; the ticks stop with the run', async () => {
  // 12 KiB at 4 KiB/s: a few seconds.
  await start(rsyncMirror('small', upstream.url('pub'), 'rsync_options = ["--bwlimit=4"]'));
  await syncing('small');
  await rsyncListed('small', 'README');
  const first = await tick('small');
  expect(first.name).toBe('small');
  expect(first.files).toBeGreaterThanOrEqual(1);
  await waitFor('success', () => countOf('small', 'success') === 1);
  expect(clock.pending()).toEqual([]);
  const posted = progressPosts('small').length;
  clock.advance(10 * INTERVAL);
  expect(progressPosts('small')).toHaveLength(posted);
});

test('stop, restart and disable stop the ticker of the killed run', async () => {
  await start(rsyncMirror('big', upstream.url('big'), SLOW));
  await syncing('big');
  await rsyncListed('big', 'big.iso');
  // big.iso is in transfer: listed (1 file), not complete yet (0 bytes).
  expect(await tick('big')).toEqual({ name: 'big', files: 1, bytes: 0 });
  expect(clock.pending()).toEqual([INTERVAL]);
  // The same value again is not posted.
  clock.advance(INTERVAL);
  await waitFor('the tick to be armed again', () => clock.pending().length === 1);
  expect(progressPosts('big')).toHaveLength(1);

  await runtime!.stop('big');
  expect(clock.pending()).toEqual([]);
  clock.advance(10 * INTERVAL);
  expect(progressPosts('big')).toHaveLength(1);

  await runtime!.start('big', { force: false });
  await syncing('big', 2);
  await runtime!.restart('big');
  await syncing('big', 3); // one ticker: the killed run's is gone
  await runtime!.disable('big');
  expect(clock.pending()).toEqual([]);
  clock.advance(10 * INTERVAL);
  expect(progressPosts('big')).toHaveLength(1);
});

test('a reload that changes or removes the mirror stops its ticker; halt stops every one', async () => {
  const { file } = await start(
    [
      rsyncMirror('big', upstream.url('big'), SLOW),
      rsyncMirror('big2', upstream.url('big'), SLOW),
    ].join('\n'),
  );
  await waitFor(
    'both syncing',
    () => countOf('big', 'syncing') === 1 && countOf('big2', 'syncing') === 1,
  );
  await waitFor('two progress timers', () => clock.pending().length === 2);

  // big changes (runs again at once, with a ticker of its own), big2 is removed.
  const conf = workerConf(dir, {
    managers: [manager.url],
    mirrors: rsyncMirror('big', upstream.url('big'), 'rsync_options = ["--bwlimit=63"]'),
  });
  await writeFile(file, conf);
  await runtime!.reload();
  expect(clock.pending().length).toBeLessThanOrEqual(1); // big2's and the old big's are gone
  await syncing('big', 2);

  await runtime!.halt();
  expect(clock.pending()).toEqual([]);
});

test('a reload that changes only progress_interval keeps the sync and re-times its ticks', async () => {
  const mirrors = rsyncMirror('big', upstream.url('big'), SLOW);
  const { file } = await start(mirrors, 'progress_interval = 5');
  await waitFor('syncing', () => countOf('big', 'syncing') === 1);
  await waitFor('the progress timer', () => clock.pending().length === 1);
  expect(clock.pending()).toEqual([5000]);
  await writeFile(
    file,
    workerConf(dir, { managers: [manager.url], mirrors, global: 'progress_interval = 7' }),
  );
  await runtime!.reload();
  expect(clock.pending()).toEqual([7000]);
  expect(statuses('big')).toEqual(['pre-syncing', 'syncing']); // not restarted
  await writeFile(
    file,
    workerConf(dir, { managers: [manager.url], mirrors, global: 'progress_interval = 0' }),
  );
  await runtime!.reload();
  expect(clock.pending()).toEqual([]);
  expect(statuses('big')).toEqual(['pre-syncing', 'syncing']);
});

test('progress_interval = 0 and command mirrors arm no ticker', async () => {
  await start(
    [rsyncMirror('big', upstream.url('big'), SLOW), commandMirror('cmd', 'sleep 30')].join('\n'),
    'progress_interval = 0',
  );
  expect(runtime!.currentConfig.global.progress_interval).toBe(0);
  await waitFor(
    'both syncing',
    () => countOf('big', 'syncing') === 1 && countOf('cmd', 'syncing') === 1,
  );
  expect(clock.pending()).toEqual([]);
});

test('a command mirror arms no ticker, even with progress on', async () => {
  await start(commandMirror('cmd', 'sleep 30'));
  await waitFor('syncing', () => countOf('cmd', 'syncing') === 1);
  expect(clock.pending()).toEqual([]);
});
