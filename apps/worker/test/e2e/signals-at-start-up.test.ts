import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TempDirs, findFreePort } from '@tunasync/test-utils';
import { commandMirror, waitFor, workerConf } from '../helpers/worker-fixture';

jest.setTimeout(30_000);

const BIN = path.join(__dirname, '..', '..', 'bin', 'tunasync-worker.js');
const dirs = new TempDirs();
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  await dirs.cleanup();
});

async function startWorkerWaitingForManager() {
  if (!existsSync(path.join(BIN, '..', '..', 'dist', 'cli.js'))) {
    throw new Error('apps/worker is not built: run `npx nx run @tunasync/worker:build`');
  }
  const dir = await dirs.make('e2e-signal-');
  const conf = path.join(dir, 'worker.conf');
  // A loopback port with nothing listening: a manager that is down.
  const managers = [`http://127.0.0.1:${await findFreePort()}`];
  await writeFile(conf, workerConf(dir, { managers, mirrors: commandMirror('m', 'true') }));
  const child = spawn(
    process.execPath,
    [BIN, '--config', conf, '--state-dir', path.join(dir, 'state'), '--with-systemd'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<[number | null, string | null]>((r) =>
    child.once('exit', (code, signal) => r([code, signal])),
  );
  // Start-up is now waiting (up to 10 s) for the manager that does not answer.
  await waitFor('the failed registration', () => /cannot register with manager/.test(output));
  return { child, output: () => output, exit };
}

test.each(['SIGTERM', 'SIGINT'] as const)(
  '%s while start-up waits for a manager halts cleanly and exits 0',
  async (signal) => {
    const worker = await startWorkerWaitingForManager();
    const sentAt = Date.now();
    worker.child.kill(signal);
    expect(await worker.exit).toEqual([0, null]);
    // The halt cut the 10 s wait for the manager short.
    expect(Date.now() - sentAt).toBeLessThan(9_000);
    expect(worker.output()).toContain(`${signal}: halting`);
  },
);

test('SIGHUP while start-up waits for a manager does not kill the worker; it reloads once started', async () => {
  const worker = await startWorkerWaitingForManager();
  worker.child.kill('SIGHUP');
  await waitFor('the deferred reload', () =>
    /SIGHUP during start-up: reloading once started/.test(worker.output()),
  );
  await waitFor(
    'the start-up to finish',
    () => /worker started with 1 mirror/.test(worker.output()),
    15_000,
  );
  await waitFor('the reload', () => /SIGHUP: reloading the configuration/.test(worker.output()));
  expect(worker.child.exitCode).toBeNull();
  // (A SIGTERM now would wait up to 10 s to deliver final statuses to the absent manager.)
  worker.child.kill('SIGKILL');
  expect(await worker.exit).toEqual([null, 'SIGKILL']);
});
