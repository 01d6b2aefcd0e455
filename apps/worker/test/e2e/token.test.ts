import path from 'node:path';
import { TempDirs } from '@tunasync/test-utils';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import { commandMirror, startRuntime } from '../helpers/worker-fixture';
import { ManagerFixture } from './e2e-fixture';

jest.setTimeout(30_000);

const dirs = new TempDirs();
const runtimes: WorkerRuntime[] = [];
let manager: ManagerFixture;

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.halt();
  await manager?.stop();
  await dirs.cleanup();
});

test('with a manager token, a worker with the wrong token is refused and says so; the right one works', async () => {
  const dir = await dirs.make('e2e-token-');
  manager = await new ManagerFixture(
    path.join(dir, 'db'),
    { config: '[server]\ntoken = "right-token"\n' },
    'right-token',
  ).start();

  const wrongDir = await dirs.make('e2e-token-wrong-');
  const wrong = await startRuntime(
    wrongDir,
    {
      name: 'intruder',
      managers: [manager.url],
      token: 'wrong-token',
      mirrors: commandMirror('m', 'echo x'),
    },
    { registerWaitMs: 300, haltDeliveryMs: 100 },
  );
  runtimes.push(wrong.runtime);
  expect(wrong.log()).toContain(`manager ${manager.url} refused this worker's token (HTTP 401`);
  expect(wrong.log()).toContain('check [manager] token in worker.conf');
  expect(wrong.log()).not.toContain('wrong-token');
  expect(await manager.workers()).toEqual([]);

  const right = await startRuntime(dir, {
    managers: [manager.url],
    token: 'right-token',
    mirrors: commandMirror('m', 'echo x'),
  });
  runtimes.push(right.runtime);
  await manager.waitForMirror('m', (s) => s.status === 'success', 'success');
  const workers = await manager.workers();
  expect(workers.map((w) => [w.id, w.token])).toEqual([['w1', 'REDACTED']]);
  // the manager reaches the worker's control server with the token
  expect(await manager.cmd('ping', 'm')).toMatchObject({ status: 200 });
  expect(right.log()).not.toContain('right-token');
});
