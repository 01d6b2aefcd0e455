import { writeFile } from 'node:fs/promises';
import { ConcurrencyGate, MirrorJob, Scheduler, type Provider } from '@tunasync/core';
import { TempDirs } from '@tunasync/test-utils';
import type { WorkerConfig } from '../../src/config/worker-config';
import { ReloadError, WorkerHaltedError } from '../../src/errors';
import { CommandLanes } from '../../src/runtime/command-lanes';
import type { JobEntry } from '../../src/runtime/job-entry';
import { Reload } from '../../src/runtime/reload';
import {
  loadConf,
  providerOf,
  reportingParts,
  type ReportingParts,
} from '../helpers/runtime-parts';
import { TinyManager } from '../helpers/tiny-manager';
import { commandMirror, workerConf, type WorkerConfOptions } from '../helpers/worker-fixture';

jest.setTimeout(20_000);

// Reload on its own: real files, real jobs, scheduler, gate and reports; the jobs table is
// the test's map.

const dirs = new TempDirs();
let dir: string;
let file: string;
let manager: TinyManager;
let parts: ReportingParts;
let config: WorkerConfig;
let configs: WorkerConfig[];
let jobs: Map<string, JobEntry>;
let scheduler: Scheduler<MirrorJob>;
let gate: ConcurrencyGate;
let restarts: number;
let halting: boolean;
let reload: Reload;

const conf = (o: Partial<WorkerConfOptions>): WorkerConfOptions => ({
  managers: [manager.url],
  mirrors: commandMirror('a', 'true') + commandMirror('b', 'true') + commandMirror('c', 'true'),
  ...o,
});

function addJob(
  mirror: WorkerConfig['mirrors'][number],
  state: 'none' | 'paused' | 'disabled',
  provider: Provider = providerOf(config, mirror.name),
) {
  const job = new MirrorJob(provider, { gate, state });
  const entry: JobEntry = { mirror, job, quiet: false, detach: () => undefined };
  jobs.set(mirror.name, entry);
  return entry;
}

beforeEach(async () => {
  dir = await dirs.make('reload-');
  manager = await new TinyManager().start();
  ({ file, config } = await loadConf(dir, conf({})));
  parts = await reportingParts(dir, manager);
  configs = [];
  jobs = new Map();
  scheduler = new Scheduler<MirrorJob>({ onDue: () => undefined });
  gate = new ConcurrencyGate(config.global.concurrent);
  restarts = 0;
  halting = false;
  for (const mirror of config.mirrors) addJob(mirror, 'none');
  reload = new Reload({
    file: () => file,
    strict: false,
    config: () => config,
    setConfig: (next) => {
      configs.push(next);
      config = next;
    },
    makeProvider: (mirror, next) => providerOf(next, mirror.name),
    jobs: {
      get: (name) => jobs.get(name),
      add: (mirror, provider, state) => addJob(mirror, state, provider),
      retire: async (entry) => {
        entry.quiet = true;
        scheduler.remove(entry.job);
        await entry.job.disable();
      },
      delete: (name) => jobs.delete(name),
    },
    lanes: new CommandLanes(),
    reports: parts.reports,
    scheduler,
    gate,
    progress: { restartAll: () => (restarts += 1) },
    halting: () => halting,
    logger: parts.logger,
  });
});
afterEach(async () => {
  scheduler.close();
  await Promise.all([...jobs.values()].map((e) => e.job.halt()));
  await parts.close();
  await manager.stop();
  await dirs.cleanup();
});

async function applied(): Promise<void> {
  const queued = await reload.queue();
  await queued.applied;
}

it('refuses a broken file with every problem and keeps the running configuration', async () => {
  await writeFile(file, workerConf(dir, conf({})).replace('concurrent = 10', 'concurrent = "ten"'));
  const before = reload.accepted;
  const refused = reload.queue();
  await expect(refused).rejects.toBeInstanceOf(ReloadError);
  const err = (await refused.catch((e: unknown) => e)) as ReloadError;
  expect(err.problems.join('\n')).toContain('concurrent');
  expect(reload.accepted).toBe(before);
  expect(configs).toEqual([]);
  expect([...jobs.keys()]).toEqual(['a', 'b', 'c']);
  expect(parts.log()).toContain(`reload of ${file} refused; the running configuration is kept`);
});

it('adds, replaces and drops jobs as the file says, and applies the new limits', async () => {
  const old = { a: jobs.get('a'), b: jobs.get('b'), c: jobs.get('c') };
  parts.reports.records.set('c', { status: 'success', error_msg: '', size: '1G' });
  await writeFile(
    file,
    workerConf(
      dir,
      conf({
        concurrent: 3,
        global: 'progress_interval = 7',
        mirrors:
          commandMirror('a', 'true') + commandMirror('b', 'exit 0') + commandMirror('d', 'true'),
      }),
    ),
  );
  await applied();
  expect([...jobs.keys()]).toEqual(['a', 'b', 'd']);
  expect(jobs.get('a')).toBe(old.a); // unchanged: kept as it is
  expect(jobs.get('b')).not.toBe(old.b);
  expect(old.b?.quiet).toBe(true);
  expect(old.b?.job.state).toBe('disabled');
  expect(old.c?.job.state).toBe('disabled');
  expect(parts.reported).toMatchObject([{ name: 'c', status: 'disabled', size: '1G' }]);
  expect(parts.reports.records.has('c')).toBe(false);
  expect(parts.reports.records.get('d')).toEqual({ status: 'none', error_msg: '' });
  expect(scheduler.list().map((e) => e.name)).toEqual(['b', 'd']);
  expect(gate.limit).toBe(3);
  expect(configs).toHaveLength(1);
  expect(reload.accepted).toBe(configs[0]);
  expect(restarts).toBe(1);
  expect(parts.log()).toContain(`reloaded ${file}: 1 added, 1 changed, 1 removed, 1 unchanged`);
});

it('warns that [manager] and [server] changes wait for a restart', async () => {
  await writeFile(
    file,
    workerConf(dir, conf({})).replace('hostname = "127.0.0.1"', 'hostname = "localhost"'),
  );
  await applied();
  expect(parts.log()).toContain('reload: changes of [server] take effect after a restart');
  expect(parts.log()).not.toContain('changes of [manager]');
  expect(restarts).toBe(0);
});

it('refuses while halting', async () => {
  halting = true;
  await expect(reload.queue()).rejects.toBeInstanceOf(WorkerHaltedError);
  expect(configs).toEqual([]);
});
