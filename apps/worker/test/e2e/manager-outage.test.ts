import { rm } from 'node:fs/promises';
import path from 'node:path';
import { TempDirs, type RsyncDaemon } from '@tunasync/test-utils';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import { startRuntime, waitFor } from '../helpers/worker-fixture';
import { ManagerFixture, rsyncMirror, startUpstream } from './e2e-fixture';

jest.setTimeout(30_000);

const dirs = new TempDirs();
let upstream: RsyncDaemon;
let manager: ManagerFixture;
let runtime: WorkerRuntime | undefined;
let dir: string;
let workerLog: () => string;

beforeEach(async () => {
  dir = await dirs.make('e2e-outage-');
  upstream = await startUpstream(path.join(dir, 'upstream'));
  manager = await new ManagerFixture(path.join(dir, 'db')).start();
  const w = await startRuntime(dir, {
    managers: [manager.url],
    mirrors: [rsyncMirror('a', upstream.url('pub')), rsyncMirror('b', upstream.url('pub'))].join(
      '\n',
    ),
  });
  runtime = w.runtime;
  workerLog = w.log;
  await manager.waitForMirror('a', (s) => s.status === 'success', 'success');
  await manager.waitForMirror('b', (s) => s.status === 'success', 'success');
  // The schedule list follows the statuses: delivered too, so nothing is in flight when the
  // manager goes down (a late one would make a wiped manager register the worker at once).
  for (const name of ['a', 'b']) {
    await manager.waitForMirror(name, (s) => Date.parse(s.next_schedule) > 0, 'a next_schedule');
  }
});

afterEach(async () => {
  await runtime?.halt();
  runtime = undefined;
  await manager.stop();
  await upstream.stop();
  await dirs.cleanup();
});

/** A command sent straight to the worker's control server (the manager is down). */
async function command(cmd: string, mirror: string): Promise<number> {
  const answer = await fetch((runtime as WorkerRuntime).controlUrl, {
    method: 'POST',
    body: JSON.stringify({ cmd, mirror_id: mirror, args: [], options: {} }),
  });
  return answer.status;
}

test('reports made while the manager is down all arrive, in order, when it is back', async () => {
  const reported: string[] = [];
  (runtime as WorkerRuntime).onReport((s) => reported.push(`${s.name} ${s.status}`));
  await manager.stop();
  const downAt = Date.now();

  expect(await command('start', 'a')).toBe(200);
  await waitFor('a to succeed again', () => reported.includes('a success'));
  expect(await command('stop', 'b')).toBe(200);
  await waitFor('b to be paused', () => reported.includes('b paused'));
  expect(reported).toEqual(['a pre-syncing', 'a syncing', 'a success', 'b paused']);

  await manager.start(); // same port, same database
  // the manager applies them in order: pre-syncing (last_started) before success (last_update)
  const a = await manager.waitForMirror(
    'a',
    (s) => Date.parse(s.last_update) > downAt,
    'the success made during the outage',
  );
  expect(a.status).toBe('success');
  expect(Date.parse(a.last_started)).toBeGreaterThan(downAt);
  expect(Date.parse(a.last_started)).toBeLessThanOrEqual(Date.parse(a.last_update));
  await manager.waitForMirror('b', (s) => s.status === 'paused', 'paused');
  await manager.waitForMirror(
    'a',
    (s) => Date.parse(s.next_schedule) > Date.now(),
    'the schedule list of after the outage',
  );
});

test('a manager whose database was wiped gets the worker registered again and every mirror back', async () => {
  await manager.stop();
  await rm(manager.dbDir, { recursive: true, force: true });
  await manager.start();
  expect(await manager.workers()).toEqual([]);

  // the next report meets "invalid workerID": the worker registers again and re-sends everything
  expect(await command('start', 'b')).toBe(200);
  await waitFor('the worker registered again', async () =>
    (await manager.workers()).some((w) => w.id === 'w1' && w.url === runtime?.controlUrl),
  );
  await manager.waitForMirror('a', (s) => s.status === 'success', 'a shown again');
  await manager.waitForMirror('b', (s) => s.status === 'success', 'b synced again');
  expect((await manager.jobs()).map((j) => j.name).sort()).toEqual(['a', 'b']);
  expect(workerLog()).toContain(
    'does not know this worker (invalid workerID w1); registering again',
  );
});
