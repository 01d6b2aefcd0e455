import { MirrorJob, Scheduler } from '@tunasync/core';
import { TempDirs } from '@tunasync/test-utils';
import { UnknownMirrorError, WorkerHaltedError } from '../../src/errors';
import { CommandLanes } from '../../src/runtime/command-lanes';
import { JobCommands, type CommandTarget } from '../../src/runtime/job-commands';
import { loadConf, providerOf } from '../helpers/runtime-parts';
import { commandMirror, memoryLogger, waitFor } from '../helpers/worker-fixture';

jest.setTimeout(20_000);

// The job commands on their own: real jobs running `sh -c`, real lanes and scheduler.

const dirs = new TempDirs();
let targets: Map<string, CommandTarget>;
let scheduler: Scheduler<MirrorJob>;
let halting: boolean;
let accepted: Set<string>;
let events: string[];
let commands: JobCommands;
let log: () => string;

beforeEach(async () => {
  const dir = await dirs.make('job-commands-');
  const { config } = await loadConf(dir, {
    managers: ['http://127.0.0.1:9'],
    mirrors: commandMirror('slow', 'sleep 30') + commandMirror('quick', 'true'),
  });
  targets = new Map(
    config.mirrors.map((mirror) => [
      mirror.name,
      { mirror, job: new MirrorJob(providerOf(config, mirror.name)) },
    ]),
  );
  scheduler = new Scheduler<MirrorJob>({ onDue: () => undefined });
  halting = false;
  accepted = new Set(['slow', 'quick']);
  events = [];
  const logged = memoryLogger();
  log = logged.text;
  commands = new JobCommands({
    lanes: new CommandLanes(),
    hasMirror: (name) => accepted.has(name),
    target: (name) => targets.get(name),
    scheduler,
    schedulesChanged: () => events.push('schedules changed'),
    stopProgress: (job) => events.push(`progress of ${job.name} stopped`),
    halting: () => halting,
    logger: logged.logger,
  });
});
afterEach(async () => {
  scheduler.close();
  await Promise.all([...targets.values()].map((t) => t.job.halt()));
  await dirs.cleanup();
});

const job = (name: string): MirrorJob => (targets.get(name) as CommandTarget).job;

it('refuses at once while halting and for a mirror not in the accepted configuration', () => {
  expect(() => commands.queue('nope', 'start', { force: false })).toThrow(UnknownMirrorError);
  halting = true;
  expect(() => commands.queue('slow', 'start', { force: false })).toThrow(WorkerHaltedError);
});

it('rejects a queued command whose mirror has no job by the time it is applied', async () => {
  accepted.add('later'); // accepted by a reload that is not applied
  const { applied } = commands.queue('later', 'stop', { force: false });
  await expect(applied).rejects.toBeInstanceOf(UnknownMirrorError);
  await waitFor('the warning', () => log().includes('stop later not applied'));
});

it('a start drops the pending schedule entry and runs the job; a ping keeps the entry', async () => {
  scheduler.add(job('quick'), new Date(Date.now() + 60_000));
  scheduler.add(job('slow'), new Date(Date.now() + 60_000));
  await commands.queue('slow', 'ping', { force: false }).applied;
  expect(scheduler.list().map((e) => e.name)).toEqual(['quick', 'slow']);
  expect(events).toEqual([]);

  await commands.queue('slow', 'start', { force: false }).applied;
  expect(scheduler.list().map((e) => e.name)).toEqual(['quick']);
  expect(events).toEqual(['schedules changed']);
  expect(job('slow').state).toBe('ready');
  expect(job('quick').state).toBe('none');
});

it('applies the commands of one mirror in order, stopping the progress before the kill', async () => {
  const start = commands.queue('slow', 'start', { force: false });
  const stop = commands.queue('slow', 'stop', { force: false });
  await start.applied;
  await stop.applied;
  expect(job('slow').state).toBe('paused');
  expect(events).toEqual(['progress of slow stopped']);

  const disable = commands.queue('quick', 'disable', { force: false });
  await disable.applied;
  expect(job('quick').state).toBe('disabled');
  expect(events).toEqual(['progress of slow stopped', 'progress of quick stopped']);
});
