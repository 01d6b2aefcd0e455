import { join } from 'node:path';
import {
  makeTempDir,
  removeTempDir,
  startWorkerProcess,
  waitUntil,
  commandMirror,
  writeWorkerConf,
} from '@tunasync/test-utils';
import { BlackHole } from '../src/black-hole';
import { RestartableManager } from '../src/manager-calls';
import { RunWatch, pidsOf } from '../src/mirror-processes';
import { Teardown } from '../src/teardown';
import { runCtl } from '../src/tunasynctl';
import { readWorkerJobs } from '../src/worker-state';

const teardown = new Teardown();
afterEach(() => teardown.run());

test('a worker started while no manager answers keeps a disabled and a paused mirror so, and the manager sees them so once back', async () => {
  const dir = teardown.add(await makeTempDir('faults-no-manager-'), removeTempDir);
  const manager = teardown.add(await new RestartableManager(join(dir, 'db')).start(), (m) =>
    m.stop(),
  );
  const offMarker = `sleep 914.${process.pid}`;
  const heldMarker = `sleep 915.${process.pid}`;
  const markers = [offMarker, heldMarker];
  const conf = await writeWorkerConf(dir, {
    managers: [manager.url],
    mirrors: [
      commandMirror('off', `${offMarker} & wait`),
      commandMirror('held', `${heldMarker} & wait`),
      commandMirror('alive', 'echo synced'),
    ],
  });
  const stateDir = join(dir, 'state');
  const start = async (timeoutMs?: number) =>
    teardown.add(
      await startWorkerProcess({
        configFile: conf,
        stateDir,
        args: ['--with-systemd'],
        ...(timeoutMs ? { timeoutMs } : {}),
      }),
      (w) => w.stop(),
    );
  const expectStatuses = (want: Record<string, string>, what: string, timeoutMs: number) =>
    waitUntil(
      what,
      async () => {
        const statuses = await manager.statusMap();
        return Object.entries(want).every(
          ([name, status]) => statuses.get(name)?.status === status,
        );
      },
      timeoutMs,
    );

  let worker = await start();
  await expectStatuses(
    { off: 'syncing', held: 'syncing', alive: 'success' },
    'the first runs',
    20_000,
  );
  await waitUntil('both long runs in /proc', () => pidsOf(markers).length >= 4, 10_000);

  // Through the manager's /cmd, as an operator does.
  const home = join(dir, 'home');
  for (const [verb, name] of [
    ['disable', 'off'],
    ['stop', 'held'],
  ] as const) {
    const ctl = await runCtl([verb, '-w', 'w1', name], manager.portNumber, home);
    expect({ code: ctl.code, stderr: ctl.stderr }).toEqual({ code: 0, stderr: '' });
  }
  await expectStatuses({ off: 'disabled', held: 'paused' }, 'disabled and paused', 10_000);
  await waitUntil('the stopped runs to be gone', () => pidsOf(markers).length === 0, 10_000);
  expect(await worker.stop()).toBe(0);

  // The manager goes away; its port accepts connections and never answers.
  const port = manager.portNumber;
  await manager.stop();
  const hole = teardown.add(await new BlackHole(port).start(), (h) => h.close());
  const watch = teardown.add(new RunWatch(markers), (w) => w.stop());
  worker = await start(30_000);
  expect(worker.output()).toContain(
    'did not answer at start-up; starting from the local state file',
  );
  expect(hole.accepted).toBeGreaterThan(0);
  const local = await readWorkerJobs(stateDir);
  expect(local.off?.status).toBe('disabled');
  expect(local.held?.status).toBe('paused');

  // Back, with an empty database: it learns the states from the worker alone.
  await hole.close();
  await manager.start(join(dir, 'db-after'));
  const back = Date.now();
  // alive too: registered only after the start-up plan, the manager gets every status (it
  // once learnt only of off and held, and alive stayed missing until its next run).
  await expectStatuses(
    { off: 'disabled', held: 'paused', alive: 'success' },
    'the manager to see off disabled and held paused',
    90_000,
  ).catch(async (err: unknown) => {
    const seen = JSON.stringify([...(await manager.statusMap()).values()]);
    throw new Error(`${(err as Error).message}\nmanager: ${seen}\nworker:\n${worker.output()}`);
  });
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
