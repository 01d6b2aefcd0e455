import type { ProviderProgress } from '@tunasync/core';
import { ManagerClient } from '../../src/reporting/manager-client';
import { ProgressReporter } from '../../src/reporting/progress-reporter';
import { LiveProgress, type ProgressSource } from '../../src/runtime/live-progress';
import { ManualClock } from '../helpers/manual-clock';
import { TinyManager } from '../helpers/tiny-manager';
import { memoryLogger, waitFor } from '../helpers/worker-fixture';

// Live progress on its own: the ticks run on a manual clock, the posts go through the real
// ProgressReporter to a real HTTP server. "Polling" is "a progress timer is armed".

let manager: TinyManager;
let client: ManagerClient;
let clock: ManualClock;
let intervalMs: number;
let halting: boolean;
let live: LiveProgress;

beforeEach(async () => {
  manager = await new TinyManager().start();
  client = new ManagerClient({ apiBase: manager.url, workerId: 'w1' });
  clock = new ManualClock();
  intervalMs = 1000;
  halting = false;
  const { logger } = memoryLogger();
  live = new LiveProgress({
    reporter: new ProgressReporter({ clients: [client], logger }),
    intervalMs: () => intervalMs,
    clock,
    halting: () => halting,
    logger,
  });
});
afterEach(async () => {
  await live.close();
  await client.close();
  await manager.stop();
});

/** A job whose provider tells `current` as its progress. */
function source(name: string, current: { value: ProviderProgress | undefined }): ProgressSource {
  return { name, provider: { progress: () => Promise.resolve(current.value) } };
}

const posts = () => manager.received.filter((r) => r.url.endsWith('/progress'));

it('polls a started source each interval and posts each change until stopped', async () => {
  const current = { value: { files: 3, bytes: 3000 } as ProviderProgress | undefined };
  const debian = source('debian', current);
  live.start(debian);
  expect(live.isRunning(debian)).toBe(true);
  expect(clock.pending()).toEqual([1000]);
  clock.advance(1000);
  await waitFor('the first progress post', () => posts().length === 1);
  expect(posts()[0]).toMatchObject({
    method: 'POST',
    url: '/workers/w1/jobs/debian/progress',
    body: { name: 'debian', files: 3, bytes: 3000 },
  });
  await waitFor('the next tick armed', () => clock.pending().length === 1);

  live.stop(debian);
  expect(live.isRunning(debian)).toBe(false);
  expect(clock.pending()).toEqual([]);
  live.stop(debian); // nothing more to stop
});

it('starts nothing when progress is off, while halting, or when the provider cannot tell', () => {
  const current = { value: undefined };
  intervalMs = 0;
  live.start(source('a', current));
  intervalMs = 1000;
  halting = true;
  live.start(source('b', current));
  halting = false;
  live.start({ name: 'c', provider: {} });
  expect(clock.pending()).toEqual([]);
});

it('keeps the ticker of a job that replaced another of the same mirror', () => {
  const current = { value: undefined };
  const old = source('debian', current);
  const successor = source('debian', current);
  live.start(old);
  live.start(successor);
  // The old job's late event stops its own ticker only.
  live.stop(old);
  expect(live.isRunning(successor)).toBe(true);
  expect(clock.pending()).toEqual([1000]);
});

it('restarts every running ticker with a new interval, and starts nothing once closed', async () => {
  const current = { value: undefined };
  const a = source('a', current);
  const b = source('b', current);
  live.start(a);
  live.start(b);
  intervalMs = 5000;
  live.restartAll();
  expect(clock.pending()).toEqual([5000, 5000]);
  await live.close();
  expect(clock.pending()).toEqual([]);
  live.start(a);
  expect(live.isRunning(a)).toBe(false);
});
