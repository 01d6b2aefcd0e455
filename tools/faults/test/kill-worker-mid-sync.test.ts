import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  makeTempDir,
  removeTempDir,
  requireTool,
  startRsyncDaemon,
  startWorkerProcess,
  writeTree,
  waitUntil,
  commandMirror,
  rsyncMirror,
  writeWorkerConf,
} from '@tunasync/test-utils';
import { RestartableManager } from '../src/manager-calls';
import { RunWatch, pidsOf, runsByMarker } from '../src/mirror-processes';
import { Teardown } from '../src/teardown';

const ROUNDS = 6;
const INTERRUPTED = (name: string) =>
  `${name} was interrupted: the worker stopped while it was syncing`;

const teardown = new Teardown();
afterEach(() => teardown.run());

test(`kill -9 of a worker mid-sync, ${ROUNDS} rounds: no run outlives the next start, none runs twice, each is reported failed (interrupted) and re-run`, async () => {
  requireTool('rsync', 'apt-get install -y rsync');
  const dir = teardown.add(await makeTempDir('faults-kill-worker-'), removeTempDir);
  // 3 MiB at 64 KiB/s: a sync lasts far longer than a round. Random bytes: the partial file
  // an interrupted run leaves (`--delay-updates`) must not let the next run match every block.
  await writeTree(join(dir, 'upstream', 'big'), { 'big.iso': randomBytes(3 * 1024 * 1024) });
  const upstream = await startRsyncDaemon({
    modules: [{ name: 'big', path: join(dir, 'upstream', 'big') }],
  });
  teardown.add(upstream, (d) => d.stop());
  const manager = teardown.add(await new RestartableManager(join(dir, 'db')).start(), (m) =>
    m.stop(),
  );

  // Markers: rsync's command line names its destination; the command job's shell and its
  // grandchild `sleep` carry a number no other process on the machine has.
  const sleepMarker = `sleep 913.${process.pid}`;
  const rsyncMarker = join(dir, 'data', 'big');
  const markers = [rsyncMarker, sleepMarker];
  const conf = await writeWorkerConf(dir, {
    managers: [manager.url],
    mirrors: [
      rsyncMirror('big', upstream.url('big'), 'rsync_options = ["--bwlimit=64"]'),
      commandMirror('tree', `${sleepMarker} & wait`),
    ],
  });
  const stateDir = join(dir, 'state');
  const watch = teardown.add(new RunWatch(markers), (w) => w.stop());

  const start = async () =>
    teardown.add(
      await startWorkerProcess({ configFile: conf, stateDir, args: ['--with-systemd'] }),
      (w) => w.stop(),
    );
  /** Both jobs syncing (manager) with a run of their own (in /proc); their process groups. */
  const syncing = async (notGroups: number[]) =>
    waitUntil(
      'big and tree to sync',
      async () => {
        const statuses = await manager.statusMap();
        if (statuses.get('big')?.status !== 'syncing') return undefined;
        if (statuses.get('tree')?.status !== 'syncing') return undefined;
        const runs = runsByMarker(markers);
        const groups = markers.map((m) => [...(runs.get(m)?.keys() ?? [])]);
        if (groups.some((g) => g.length !== 1 || notGroups.includes(g[0] as number))) {
          return undefined;
        }
        // The command job's grandchild is there too.
        if (!(runs.get(sleepMarker)?.values().next().value?.length ?? 0)) return undefined;
        return groups.flat();
      },
      30_000,
    );

  let worker = await start();
  let groups = await syncing([]);
  for (let round = 1; round <= ROUNDS; round++) {
    // Kill at a different moment of the sync each round.
    await new Promise((r) => setTimeout(r, (round - 1) * 400));
    const orphans = pidsOf(markers);
    await worker.kill9();
    // The design leaves the runs of a killed worker until its next start (no supervisor).
    const left = pidsOf(markers).filter((pid) => orphans.includes(pid));
    expect(left.length).toBeGreaterThan(0);

    worker = await start();
    // Leftovers are terminated before anything is scheduled: gone by the start-up line.
    expect(pidsOf(markers).filter((pid) => orphans.includes(pid))).toEqual([]);
    expect(worker.output()).toMatch(
      /terminating \d+ process\(es\) left running by a previous life/,
    );

    for (const name of ['big', 'tree']) {
      const runs = await waitUntil(
        `the interrupted run of ${name} in the history (round ${round})`,
        async () => {
          const history = await manager.history(name).catch(() => []);
          const failed = history.filter((r) => r.result === 'failed');
          return failed.length >= round ? failed : undefined;
        },
        20_000,
      ).catch(async (err: unknown) => {
        const history = await manager.history(name).catch(() => []);
        throw new Error(
          `${(err as Error).message}\nhistory: ${JSON.stringify(history)}\nworker:\n${worker.output()}`,
        );
      });
      expect(runs).toHaveLength(round);
      expect(runs.every((r) => r.error_msg === INTERRUPTED(name))).toBe(true);
    }
    // Re-run: syncing again, in new process groups.
    groups = await syncing(groups);
  }

  expect(await worker.stop()).toBe(0);
  expect(pidsOf(markers)).toEqual([]);
  const statuses = await manager.statusMap();
  expect(statuses.get('big')?.status).toBe('failed');
  expect(statuses.get('tree')?.status).toBe('failed');
  const report = watch.stop();
  expect(report.doubleRuns).toEqual([]);
  expect(report.maxRuns.get(sleepMarker)).toBe(1);
  expect(report.maxRuns.get(rsyncMarker)).toBe(1);
  process.stdout.write(
    `kill -9 mid-sync: ${ROUNDS} rounds, ${report.samples} /proc samples, never two runs of a job\n`,
  );
});
