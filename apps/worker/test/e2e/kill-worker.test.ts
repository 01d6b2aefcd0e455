import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TempDirs, type RsyncDaemon } from '@tunasync/test-utils';
import { commandMirror, processesMatching, waitFor, workerConf } from '../helpers/worker-fixture';
import { ManagerFixture, SLOW, rsyncMirror, startUpstream } from './e2e-fixture';

jest.setTimeout(30_000);

const BIN = path.join(__dirname, '..', '..', 'bin', 'tunasync-worker.js');
const dirs = new TempDirs();
const children: ChildProcess[] = [];
let upstream: RsyncDaemon;
let manager: ManagerFixture;

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  await manager?.stop();
  await upstream?.stop();
  await dirs.cleanup();
});

/** The built `tunasync-worker` as a real child process. */
function spawnWorker(
  conf: string,
  stateDir: string,
): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  if (!existsSync(path.join(BIN, '..', '..', 'dist', 'cli.js'))) {
    throw new Error('apps/worker is not built: run `npx nx run @tunasync/worker:build`');
  }
  const child = spawn(
    process.execPath,
    [BIN, '--config', conf, '--state-dir', stateDir, '--with-systemd'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exit };
}

test('a worker killed with SIGKILL mid-rsync: the orphan is terminated at restart, the run shows failed, the next run succeeds', async () => {
  const dir = await dirs.make('e2e-kill-');
  upstream = await startUpstream(path.join(dir, 'upstream'));
  manager = await new ManagerFixture(path.join(dir, 'db')).start();
  const conf = path.join(dir, 'worker.conf');
  const state = path.join(dir, 'state');
  const rsyncOfBig = () => processesMatching(path.join(dir, 'data', 'big'));

  await writeFile(
    conf,
    workerConf(dir, {
      managers: [manager.url],
      mirrors: rsyncMirror('big', upstream.url('big'), SLOW),
    }),
  );
  const first = spawnWorker(conf, state);
  await manager.waitForMirror('big', (s) => s.status === 'syncing', 'syncing');
  await waitFor('the rsync of big', () => rsyncOfBig().length > 0);
  first.child.kill('SIGKILL');
  await first.exit;
  const orphans = rsyncOfBig();
  expect(orphans.length).toBeGreaterThan(0); // a killed worker leaves its rsync behind

  // Next life: a blocker holds the only slot until the test lets it go, so the
  // interrupted run's `failed` can be seen before big runs again.
  const flag = path.join(dir, 'go');
  await writeFile(
    conf,
    workerConf(dir, {
      managers: [manager.url],
      concurrent: 1,
      mirrors: [
        commandMirror('blocker', `while [ ! -e ${flag} ]; do sleep 0.05; done`),
        rsyncMirror('big', upstream.url('big')),
      ].join('\n'),
    }),
  );
  const second = spawnWorker(conf, state);
  const failed = await manager.waitForMirror('big', (s) => s.status === 'failed', 'failed');
  expect(failed.error_msg).toBe('big was interrupted: the worker stopped while it was syncing');
  expect(
    orphans.filter((pid) => processesMatching(path.join(dir, 'data', 'big')).includes(pid)),
  ).toEqual([]);
  expect(second.output()).toMatch(/terminating \d+ process\(es\) left running by a previous life/);

  await writeFile(flag, '');
  const done = await manager.waitForMirror('big', (s) => s.status === 'success', 'success');
  expect(done.size).toBe('3.15M'); // rsync -h counts in units of 1000

  second.child.kill('SIGTERM');
  expect(await second.exit).toBe(0);
  expect(second.output()).toContain('halted');
  expect(processesMatching(dir)).toEqual([]);
});
