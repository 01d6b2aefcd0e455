import { writeFile } from 'node:fs/promises';
import { TempDirs } from '@tunasync/test-utils';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import { TinyManager } from '../helpers/tiny-manager';
import {
  commandMirror,
  processesRunning,
  settledPids,
  startRuntime,
  waitFor,
  workerConf,
} from '../helpers/worker-fixture';

jest.setTimeout(30_000);

const dirs = new TempDirs();
const managers: TinyManager[] = [];
const runtimes: WorkerRuntime[] = [];

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.halt();
  for (const manager of managers.splice(0)) await manager.stop();
  await dirs.cleanup();
});

/** POSTs a WorkerCmd to the control server as the manager does. */
async function command(url: string, cmd: string, mirror: string) {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cmd, mirror_id: mirror, args: [], options: {} }),
  });
  return { status: answer.status, body: (await answer.json()) as unknown };
}

const OK = { status: 200, body: { msg: 'OK' } };
const alive = (pids: number[]) => processesRunning('sleep').filter((p) => pids.includes(p));

// The first run of `stubborn` ignores SIGTERM (so does the `sleep` it runs: an ignored signal
// stays ignored across exec), so stopping it takes the whole kill grace and ends with SIGKILL.
// Its later runs (`sleep 32.103`) die at once.
const stubbornMirror = (dir: string) =>
  commandMirror(
    'stubborn',
    `if [ -e ${dir}/again ]; then exec sleep 32.103; fi; touch ${dir}/again; trap \\"\\" TERM; sleep 32.101`,
  );
const QUICK = commandMirror('quick', 'sleep 32.102');

test('a stop waiting out its kill grace holds up no other mirror, and the control server answers at once', async () => {
  const dir = await dirs.make('rt-lanes-');
  const m = await new TinyManager().start();
  managers.push(m);
  const { runtime, file } = await startRuntime(
    dir,
    { managers: [m.url], mirrors: [stubbornMirror(dir), QUICK].join('\n') },
    // Long enough that everything below happens inside the grace, however slow the machine.
    { killGraceMs: 5000 },
  );
  runtimes.push(runtime);
  const url = runtime.controlUrl;
  const stubborn = await settledPids('stubborn to sync', () => processesRunning('sleep 32.101'));
  const quick = await settledPids('quick to sync', () => processesRunning('sleep 32.102'));

  expect(await command(url, 'stop', 'stubborn')).toEqual(OK);
  // Answered while the stop is still waiting for the stubborn run to die.
  expect(alive(stubborn)).toEqual(stubborn);
  await waitFor('stubborn to be paused', () => runtime.job('stubborn')?.state === 'paused');

  // Commands of the other mirror are answered and applied meanwhile.
  expect(await command(url, 'stop', 'quick')).toEqual(OK);
  await waitFor('quick to be gone', () => alive(quick).length === 0);
  expect(runtime.job('quick')?.state).toBe('paused');
  expect(await command(url, 'start', 'quick')).toEqual(OK);
  await waitFor('quick to sync again', () => processesRunning('sleep 32.102').length > 0);

  // A command of the same mirror is answered too, and applied after the stop, in order.
  expect(await command(url, 'start', 'stubborn')).toEqual(OK);
  expect(runtime.job('stubborn')?.state).toBe('paused');

  // A reload is answered once its file is read; it is applied once the running commands
  // are done (it replaces jobs), and commands asked for after it wait for it.
  await writeFile(
    file,
    workerConf(dir, {
      managers: [m.url],
      mirrors: [stubbornMirror(dir), QUICK, commandMirror('fresh', 'echo fresh')].join('\n'),
    }),
  );
  expect(await command(url, 'reload', '')).toEqual(OK);
  expect(runtime.hasMirror('fresh')).toBe(true);
  expect(await command(url, 'ping', 'fresh')).toEqual(OK);
  expect(runtime.job('fresh')).toBeUndefined();
  expect(alive(stubborn)).toEqual(stubborn); // all of the above inside the kill grace

  await waitFor('the stubborn run to be killed', () => alive(stubborn).length === 0, 15_000);
  await waitFor('the reload to be applied', () => runtime.job('fresh') !== undefined);
  await waitFor('stubborn to sync again', () => processesRunning('sleep 32.103').length > 0);
  expect(runtime.job('stubborn')?.state).toBe('ready');
});

test('a reload of a broken file is refused at once and changes nothing', async () => {
  const dir = await dirs.make('rt-lanes-reload-');
  const m = await new TinyManager().start();
  managers.push(m);
  const { runtime, file } = await startRuntime(dir, { managers: [m.url], mirrors: QUICK });
  runtimes.push(runtime);
  await writeFile(file, '[global]\nname = "w1"\nconcurrent = "many"\n');
  const answer = await command(runtime.controlUrl, 'reload', '');
  expect(answer.status).toBe(500);
  expect(answer.body).toEqual({ msg: expect.stringMatching(/concurrent/) as unknown });
  expect(runtime.hasMirror('quick')).toBe(true);
  expect(await command(runtime.controlUrl, 'stop', 'quick')).toEqual(OK);
  await waitFor('quick to be paused', () => runtime.job('quick')?.state === 'paused');
});
