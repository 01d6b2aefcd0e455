import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
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

test('with a token of its own (worker_tokens_file) the worker reports and is called back with it; another id is refused', async () => {
  const dir = await dirs.make('e2e-worker-token-');
  const line = (name: string, token: string) =>
    `${name} sha256:${createHash('sha256').update(token).digest('hex')}\n`;
  await writeFile(path.join(dir, 'workers'), line('w1', 'own-token-of-w1'));
  await writeFile(path.join(dir, 'admins'), line('alice', 'admin-token'));
  manager = await new ManagerFixture(
    path.join(dir, 'db'),
    {
      config:
        `[server]\nworker_tokens_file = ${JSON.stringify(path.join(dir, 'workers'))}\n` +
        `admin_tokens_file = ${JSON.stringify(path.join(dir, 'admins'))}\n`,
    },
    'admin-token',
  ).start();

  const w1 = await startRuntime(dir, {
    managers: [manager.url],
    token: 'own-token-of-w1',
    mirrors: commandMirror('m', 'echo x'),
  });
  runtimes.push(w1.runtime);
  await manager.waitForMirror('m', (s) => s.status === 'success', 'success');
  // The manager calls w1 with the token w1 presented; w1's control server checks it.
  expect(await manager.cmd('ping', 'm')).toMatchObject({ status: 200 });

  const otherDir = await dirs.make('e2e-worker-token-other-');
  const other = await startRuntime(
    otherDir,
    {
      name: 'w2',
      managers: [manager.url],
      token: 'own-token-of-w1',
      mirrors: commandMirror('m', 'echo x'),
    },
    { registerWaitMs: 300, haltDeliveryMs: 100 },
  );
  runtimes.push(other.runtime);
  expect(other.log()).toContain(
    `manager ${manager.url} refused this worker's token (HTTP 403: the token of worker w1 registers only worker w1, not w2)`,
  );
  expect((await manager.workers()).map((w) => w.id)).toEqual(['w1']);
  expect(`${w1.log()}${other.log()}${manager.output()}`).not.toMatch(/own-token-of-w1|admin-token/);
});
