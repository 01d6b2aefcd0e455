import path from 'node:path';
import { TempDirs, type RsyncDaemon } from '@tunasync/test-utils';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import {
  processesMatching,
  settledPids,
  startRuntime,
  workerConf,
} from '../helpers/worker-fixture';
import { ManagerFixture, SLOW, rsyncMirror, startUpstream, write } from './e2e-fixture';

jest.setTimeout(30_000);

const dirs = new TempDirs();
let upstream: RsyncDaemon;
let manager: ManagerFixture;
let runtime: WorkerRuntime | undefined;

afterEach(async () => {
  await runtime?.halt();
  runtime = undefined;
  await manager?.stop();
  await upstream?.stop();
  await dirs.cleanup();
});

test('reload through /cmd adds, changes and removes mirrors while an unchanged running sync continues', async () => {
  const dir = await dirs.make('e2e-reload-');
  upstream = await startUpstream(path.join(dir, 'upstream'));
  manager = await new ManagerFixture(path.join(dir, 'db')).start();
  const conf = (mirrors: string[]) => ({ managers: [manager.url], mirrors: mirrors.join('\n') });
  const keep = rsyncMirror('keep', upstream.url('big'), SLOW);
  const w = await startRuntime(
    dir,
    conf([
      keep,
      rsyncMirror('change', upstream.url('pub')),
      rsyncMirror('gone', upstream.url('pub')),
    ]),
  );
  runtime = w.runtime;
  const rsyncOf = (name: string) => processesMatching(path.join(dir, 'data', name));
  await manager.waitForMirror('change', (s) => s.status === 'success', 'first success');
  await manager.waitForMirror('gone', (s) => s.status === 'success', 'first success');
  await manager.waitForMirror('keep', (s) => s.status === 'syncing', 'syncing');
  // rsync forks its receiver: wait for the full, settled set of its processes.
  const keepPids = await settledPids('rsync of keep', () => rsyncOf('keep'));
  const keepStarted = (await manager.workerJobs()).find((s) => s.name === 'keep')?.last_started;

  await write(
    w.file,
    workerConf(
      dir,
      conf([
        keep,
        rsyncMirror('change', upstream.url('pub2')),
        rsyncMirror('added', upstream.url('pub')),
      ]),
    ),
  );
  expect(await manager.cmd('reload', '')).toMatchObject({ status: 200 });

  await manager.waitForMirror('gone', (s) => s.status === 'disabled', 'disabled');
  await manager.waitForMirror('added', (s) => s.status === 'success', 'success');
  const changed = await manager.waitForMirror(
    'change',
    (s) => s.status === 'success' && s.upstream === upstream.url('pub2'),
    'success from the new upstream',
  );
  expect(changed.size).toBe('12.32K'); // pub2 has 3 more bytes
  expect(runtime.hasMirror('gone')).toBe(false);

  // the unchanged mirror was not touched: same rsync processes, same run
  expect(rsyncOf('keep').sort((a, b) => a - b)).toEqual(keepPids);
  const kept = (await manager.workerJobs()).find((s) => s.name === 'keep');
  expect(kept).toMatchObject({ status: 'syncing', last_started: keepStarted });

  // `tunasynctl flush` can now drop the removed mirror
  const flushed = await fetch(`${manager.url}/jobs/disabled`, { method: 'DELETE' });
  expect(flushed.status).toBe(200);
  expect((await manager.jobs()).map((j) => j.name).sort()).toEqual(['added', 'change', 'keep']);

  // a broken file: the command says why, the running config stays
  await write(w.file, '[global]\nname = "w1"\nconcurrent = "many"\n');
  const refused = await manager.cmd('reload', '');
  expect(refused.status).toBeGreaterThanOrEqual(500); // the manager passes the worker's 500 on
  expect(JSON.stringify(refused.body)).toContain('reload refused');
  expect(w.log()).toMatch(/reload: .*worker\.conf:3:global\.concurrent/);
  expect(rsyncOf('keep').sort((a, b) => a - b)).toEqual(keepPids);
});
