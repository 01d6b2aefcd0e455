import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs, startWorkerProcess, type WorkerProcess } from '@tunasync/test-utils';
import { BlackHole } from '../src/black-hole';
import { RestartableManager } from '../src/manager-calls';
import { RunWatch, pidsOf } from '../src/mirror-processes';
import { pollUntil } from '../src/poll';
import { runCtl } from '../src/tunasynctl';
import { shMirror, workerConfText } from '../src/worker-conf-text';

const dirs = new TempDirs();
let manager: RestartableManager | undefined;
let worker: WorkerProcess | undefined;
let hole: BlackHole | undefined;
let watch: RunWatch | undefined;

afterEach(async () => {
  watch?.stop();
  await worker?.stop();
  await hole?.close();
  await manager?.stop();
  await dirs.cleanup();
});

test('a worker started while no manager answers keeps a disabled and a paused mirror so, and the manager sees them so once back', async () => {
  const dir = await dirs.make('faults-no-manager-');
  manager = await new RestartableManager(join(dir, 'db')).start();
  const offMarker = `sleep 914.${process.pid}`;
  const heldMarker = `sleep 915.${process.pid}`;
  const markers = [offMarker, heldMarker];
  const conf = join(dir, 'worker.conf');
  await writeFile(
    conf,
    workerConfText({
      dir,
      managerUrl: manager.url,
      mirrors: [
        shMirror('off', `${offMarker} & wait`),
        shMirror('held', `${heldMarker} & wait`),
        shMirror('alive', 'echo synced'),
      ],
    }),
  );
  const stateDir = join(dir, 'state');
  const start = (timeoutMs?: number) =>
    startWorkerProcess({
      configFile: conf,
      stateDir,
      args: ['--with-systemd'],
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  const expectStatuses = (want: Record<string, string>, what: string, timeoutMs: number) =>
    pollUntil(
      what,
      async () => {
        const statuses = await manager!.statusMap();
        return Object.entries(want).every(
          ([name, status]) => statuses.get(name)?.status === status,
        );
      },
      timeoutMs,
    );

  worker = await start();
  await expectStatuses(
    { off: 'syncing', held: 'syncing', alive: 'success' },
    'the first runs',
    20_000,
  );
  await pollUntil('both long runs in /proc', () => pidsOf(markers).length >= 4, 10_000);

  // Through the manager's /cmd, as an operator does.
  const home = await dirs.make('faults-no-manager-home-');
  for (const [verb, name] of [
    ['disable', 'off'],
    ['stop', 'held'],
  ] as const) {
    const ctl = await runCtl([verb, '-w', 'w1', name], manager.portNumber, home);
    expect({ code: ctl.code, stderr: ctl.stderr }).toEqual({ code: 0, stderr: '' });
  }
  await expectStatuses({ off: 'disabled', held: 'paused' }, 'disabled and paused', 10_000);
  await pollUntil('the stopped runs to be gone', () => pidsOf(markers).length === 0, 10_000);
  expect(await worker.stop()).toBe(0);

  // The manager goes away; its port accepts connections and never answers.
  const port = manager.portNumber;
  await manager.stop();
  hole = await new BlackHole(port).start();
  watch = new RunWatch(markers);
  worker = await start(30_000);
  expect(worker.output()).toContain(
    'did not answer at start-up; starting from the local state file',
  );
  expect(hole.accepted).toBeGreaterThan(0);
  const local = JSON.parse(await readFile(join(stateDir, 'jobs.json'), 'utf8')) as {
    mirrors: Record<string, { status: string }>;
  };
  expect(local.mirrors.off?.status).toBe('disabled');
  expect(local.mirrors.held?.status).toBe('paused');

  // Back, with an empty database: it learns the states from the worker alone.
  await hole.close();
  await manager.start(join(dir, 'db-after'));
  const back = Date.now();
  await expectStatuses(
    { off: 'disabled', held: 'paused', alive: 'success' },
    'the manager to see off disabled and held paused',
    90_000,
  );
  const seenAfterMs = Date.now() - back;

  const report = watch.stop();
  expect(report.maxRuns.get(offMarker)).toBe(0);
  expect(report.maxRuns.get(heldMarker)).toBe(0);
  expect(worker.output()).not.toMatch(/start syncing (off|held)/);
  expect(await worker.stop()).toBe(0);
  process.stdout.write(
    `worker without a manager: ${report.samples} /proc samples, no run of off/held; the manager saw them ${seenAfterMs} ms after its return\n`,
  );
});
