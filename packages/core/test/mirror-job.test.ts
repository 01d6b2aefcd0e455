import { isTunasyncError } from '@tunasync/api-types';
import { ConcurrencyGate, MirrorJob, defineHook, intervalTrigger } from '../src';
import type { HookPhase, JobHook } from '../src';
import { EventLog, flush } from './helpers/events';
import { ControlledProvider, ProcessProvider, processAlive } from './helpers/test-provider';

const PHASES: HookPhase[] = ['pre-job', 'pre-exec', 'post-exec', 'post-success', 'post-fail'];

/** A hook that records every phase it runs in, and can fail in one. */
function recordingHook(name: string, calls: string[], failIn?: HookPhase): JobHook {
  const handlers: Partial<Record<HookPhase, () => void>> = {};
  for (const phase of PHASES) {
    handlers[phase] = () => {
      calls.push(`${name}:${phase}`);
      if (phase === failIn) throw new Error(`${name} broke`);
    };
  }
  return defineHook(name, handlers);
}

function setup(
  options: ConstructorParameters<typeof ControlledProvider>[0] = {},
  gate?: ConcurrencyGate,
) {
  const provider = new ControlledProvider(options);
  const job = new MirrorJob(provider, gate ? { gate } : {});
  const log = new EventLog(job);
  return { provider, job, log };
}

describe('MirrorJob: a run', () => {
  it('reports pre-syncing, syncing, success with size and the next run time', async () => {
    const { provider, job, log } = setup({ interval: 30 });
    provider.size = '1.5G';
    expect(job.state).toBe('none');
    await job.start();
    expect(job.state).toBe('ready');
    await provider.whenRunning();
    expect(log.statuses).toEqual(['pre-syncing', 'syncing']);
    expect(log.events.every((e) => !e.schedule)).toBe(true);
    provider.succeed();
    const success = await log.next('success');
    expect(success.size).toBe('1.5G');
    expect(success.schedule).toBe(true);
    expect(success.nextRun!.getTime() - success.time.getTime()).toBe(30 * 60_000);
    expect(job.size).toBe('1.5G');
    await job.whenIdle();
    expect(job.running).toBe(false);
    expect(job.lastStatus).toBe(success);
  });

  it('retries: only the last failed attempt schedules the next run', async () => {
    const { provider, job, log } = setup({ retry: 3 });
    provider.auto = async () => 'rsync exited 23';
    await job.start();
    await job.whenIdle();
    expect(provider.runs).toBe(3);
    const failed = log.events.filter((e) => e.status === 'failed');
    expect(failed.map((e) => [e.attempt, e.schedule, e.message])).toEqual([
      [1, false, 'rsync exited 23'],
      [2, false, 'rsync exited 23'],
      [3, true, 'rsync exited 23'],
    ]);
    expect(failed[2]!.nextRun).toBeInstanceOf(Date);
    expect(failed[0]!.nextRun).toBeUndefined();
    expect(log.statuses.filter((s) => s === 'syncing')).toHaveLength(3);
  });

  it('stops retrying after a success', async () => {
    const { provider, job, log } = setup({ retry: 3 });
    let n = 0;
    provider.auto = async () => (++n === 1 ? 'first fails' : undefined);
    await job.start();
    await job.whenIdle();
    expect(provider.runs).toBe(2);
    expect(log.statuses).toEqual([
      'pre-syncing',
      'syncing',
      'failed: first fails',
      'syncing',
      'success',
    ]);
  });

  it('runs hooks in the order of SPEC §4.3', async () => {
    const calls: string[] = [];
    const { provider, job } = setup({
      retry: 2,
      hooks: [recordingHook('a', calls), recordingHook('b', calls)],
    });
    let n = 0;
    provider.auto = async () => (++n === 1 ? 'once' : undefined);
    await job.start();
    await job.whenIdle();
    expect(calls).toEqual([
      'a:pre-job',
      'b:pre-job',
      'a:pre-exec',
      'b:pre-exec',
      'b:post-exec',
      'a:post-exec',
      'b:post-fail',
      'a:post-fail',
      'a:pre-exec',
      'b:pre-exec',
      'b:post-exec',
      'a:post-exec',
      'b:post-success',
      'a:post-success',
    ]);
  });

  it('a failing pre-job hook fails the run without running the provider', async () => {
    const calls: string[] = [];
    const { provider, job, log } = setup({
      retry: 3,
      hooks: [recordingHook('a', calls, 'pre-job'), recordingHook('b', calls)],
    });
    await job.start();
    await job.whenIdle();
    expect(provider.runs).toBe(0);
    expect(calls).toEqual(['a:pre-job']);
    expect(log.statuses).toEqual(['pre-syncing', 'failed: error exec hook pre-job: a broke']);
    expect(log.events[1]!.schedule).toBe(true);
  });

  it('a failing pre-exec hook ends the run; only hooks that entered clean up', async () => {
    const calls: string[] = [];
    const { provider, job, log } = setup({
      retry: 3,
      hooks: [
        recordingHook('a', calls),
        recordingHook('b', calls, 'pre-exec'),
        recordingHook('c', calls),
      ],
    });
    await job.start();
    await job.whenIdle();
    expect(provider.runs).toBe(0);
    expect(calls).toEqual([
      'a:pre-job',
      'b:pre-job',
      'c:pre-job',
      'a:pre-exec',
      'b:pre-exec',
      'a:post-exec',
      'a:post-fail',
    ]);
    expect(log.statuses).toEqual(['pre-syncing', 'failed: error exec hook pre-exec: b broke']);
    expect(log.events[1]!.schedule).toBe(true);
  });

  it.each([
    ['post-exec', ['b:post-exec', 'a:post-exec', 'b:post-fail', 'a:post-fail']],
    ['post-success', ['b:post-exec', 'a:post-exec', 'b:post-success', 'a:post-success']],
  ] as const)(
    'a failing %s hook fails the run, the other hooks still clean up',
    async (phase, tail) => {
      const calls: string[] = [];
      const { provider, job, log } = setup({
        retry: 3,
        hooks: [recordingHook('a', calls), recordingHook('b', calls, phase)],
      });
      provider.auto = async () => undefined;
      await job.start();
      await job.whenIdle();
      expect(provider.runs).toBe(1);
      expect(calls.slice(4)).toEqual(tail);
      expect(log.statuses.at(-1)).toBe(`failed: error exec hook ${phase}: b broke`);
      expect(log.events.at(-1)!.schedule).toBe(true);
    },
  );

  it('a failing post-fail hook replaces the error and ends the attempts', async () => {
    const calls: string[] = [];
    const { provider, job, log } = setup({
      retry: 3,
      hooks: [recordingHook('a', calls, 'post-fail')],
    });
    provider.auto = async () => 'sync failed';
    await job.start();
    await job.whenIdle();
    expect(provider.runs).toBe(1);
    expect(log.statuses.at(-1)).toBe('failed: error exec hook post-fail: a broke');
  });

  it('hands the failure message to post-fail hooks', async () => {
    const seen: (string | undefined)[] = [];
    const hook = defineHook('h', { 'post-fail': (ctx) => void seen.push(ctx.error) });
    const { provider, job } = setup({ hooks: [hook] });
    provider.auto = async () => 'bad upstream';
    await job.start();
    await job.whenIdle();
    expect(seen).toEqual(['bad upstream']);
  });

  it('never runs two syncs of one job at once', async () => {
    const { provider, job } = setup();
    await job.start();
    await job.start();
    await job.forceStart();
    await provider.whenRunning();
    await job.start();
    await flush();
    expect(provider.runs).toBe(1);
    provider.succeed();
    await job.whenIdle();
    expect(provider.maxActive).toBe(1);
  });

  it('a listener that throws does not break the run', async () => {
    const { provider, job, log } = setup();
    job.on('status', () => {
      throw new Error('listener bug');
    });
    provider.auto = async () => undefined;
    await job.start();
    await job.whenIdle();
    expect(log.statuses.at(-1)).toBe('success');
  });

  it('emits state changes and supports once/off', async () => {
    const { provider, job } = setup();
    const changes: string[] = [];
    const off = job.on('state', (c) => changes.push(`${c.from}->${c.to}`));
    let idle = 0;
    job.once('idle', () => idle++);
    provider.auto = async () => undefined;
    await job.start();
    await job.whenIdle();
    await job.stop();
    off();
    await job.start();
    await job.whenIdle();
    expect(changes).toEqual(['none->ready', 'ready->paused']);
    expect(idle).toBe(1);
  });

  it('uses a cron or given trigger for the next run', async () => {
    const provider = new ControlledProvider({ interval: 5 });
    const job = new MirrorJob(provider, { trigger: intervalTrigger(1) });
    expect(job.nextRunAfter(new Date(0)).getTime()).toBe(60_000);
    expect(new MirrorJob(provider).nextRunAfter(new Date(0)).getTime()).toBe(300_000);
    expect(new MirrorJob(provider, { cron: '0 0 1 1 *' }).trigger.description).toBe(
      'cron "0 0 1 1 *"',
    );
  });
});

describe('MirrorJob: timeout and termination', () => {
  afterEach(() => jest.useRealTimers());

  it('a timeout terminates the provider and fails with "<name> timeout after <duration>"', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { provider, job, log } = setup({ name: 'debian', timeout: 90, retry: 1 });
    await job.start();
    await provider.whenRunning();
    await jest.advanceTimersByTimeAsync(89_999);
    expect(provider.terminations).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    await job.whenIdle();
    expect(provider.terminations).toBe(1);
    expect(log.statuses.at(-1)).toBe('failed: debian timeout after 1m30s');
    expect(log.events.at(-1)!.schedule).toBe(true);
  });

  it('a failing termination still ends the run with a report and a schedule', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { provider, job, log } = setup({ name: 'stuck', timeout: 1, retry: 3 });
    provider.terminateError = new Error('process group would not die');
    await job.start();
    await provider.whenRunning();
    await jest.advanceTimersByTimeAsync(1000);
    await job.whenIdle();
    expect(log.statuses.at(-1)).toBe(
      'failed: stuck timeout after 1s; terminating stuck failed: process group would not die',
    );
    expect(log.events.at(-1)!.schedule).toBe(true);
    expect(provider.runs).toBe(1);

    // The next run waits for the lingering one: never two at once.
    jest.useRealTimers();
    await job.start();
    await flush();
    expect(provider.runs).toBe(1);
    provider.terminateError = undefined;
    provider.succeed();
    await flush();
    await provider.whenRunning();
    expect(provider.runs).toBe(2);
    provider.succeed();
    await job.whenIdle();
    expect(log.statuses.at(-1)).toBe('success');
  });

  it('a stop while waiting for a lingering run ends at once', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { provider, job, log } = setup({ name: 'stuck', timeout: 1 });
    provider.terminateError = new Error('no');
    await job.start();
    await provider.whenRunning();
    await jest.advanceTimersByTimeAsync(1000);
    await job.whenIdle();
    jest.useRealTimers();
    await job.start();
    await flush();
    await job.stop();
    expect(job.running).toBe(false);
    expect(log.statuses.at(-1)).toBe('paused');
    expect(provider.runs).toBe(1);
  });
});

describe('MirrorJob: actions', () => {
  it('stop kills a real running process: paused, no orphan, no schedule', async () => {
    const provider = new ProcessProvider({ name: 'sleepy', workingDir: '/tmp' }, ['sleep', '30']);
    const job = new MirrorJob(provider);
    const log = new EventLog(job);
    await job.start();
    await log.next('syncing');
    await new Promise((r) => setTimeout(r, 50));
    const pid = provider.child!.pid!;
    expect(processAlive(pid)).toBe(true);
    await job.stop();
    expect(processAlive(pid)).toBe(false);
    expect(job.state).toBe('paused');
    expect(log.statuses).toEqual(['pre-syncing', 'syncing', 'paused']);
    expect(log.events.some((e) => e.schedule)).toBe(false);
  });

  it('restart kills the run and starts again (the killed run is reported, unscheduled)', async () => {
    const { provider, job, log } = setup({ name: 'm' });
    await job.start();
    await provider.whenRunning();
    await job.restart();
    await provider.whenRunning();
    expect(provider.runs).toBe(2);
    expect(log.statuses).toEqual([
      'pre-syncing',
      'syncing',
      'failed: m was killed (restart)',
      'pre-syncing',
      'syncing',
    ]);
    expect(log.events[2]!.schedule).toBe(false);
    provider.succeed();
    await job.whenIdle();
  });

  it('restart twice in a row runs once more each time, never two at once', async () => {
    const { provider, job } = setup();
    await job.start();
    await provider.whenRunning();
    await Promise.all([job.restart(), job.restart()]);
    await provider.whenRunning();
    expect(provider.runs).toBe(3);
    expect(provider.maxActive).toBe(1);
    provider.succeed();
    await job.whenIdle();
  });

  it('stop twice in a row: one paused event', async () => {
    const { provider, job, log } = setup();
    await job.start();
    await provider.whenRunning();
    await Promise.all([job.stop(), job.stop()]);
    expect(log.statuses).toEqual(['pre-syncing', 'syncing', 'paused']);
    expect(provider.terminations).toBe(1);
  });

  it('disable during a run, then start brings it back', async () => {
    const { provider, job, log } = setup();
    await job.start();
    await provider.whenRunning();
    await job.disable();
    expect(job.state).toBe('disabled');
    expect(log.statuses).toEqual(['pre-syncing', 'syncing', 'disabled']);
    await job.start();
    await provider.whenRunning();
    provider.succeed();
    await job.whenIdle();
    expect(log.statuses.slice(3)).toEqual(['pre-syncing', 'syncing', 'success']);
  });

  it('halt kills the run, reports it unscheduled and refuses later actions', async () => {
    const { provider, job, log } = setup({ name: 'h' });
    await job.start();
    await provider.whenRunning();
    await Promise.all([job.halt(), job.halt()]);
    expect(job.state).toBe('halting');
    expect(log.statuses.at(-1)).toBe('failed: h was killed (halt)');
    expect(log.events.at(-1)!.schedule).toBe(false);
    await expect(job.start()).rejects.toMatchObject({ code: 'TUNASYNC_E_JOB_HALTED' });
    const stopped = await job.stop().catch((e: unknown) => e);
    expect(isTunasyncError(stopped, 'TUNASYNC_E_JOB_HALTED')).toBe(true);
    expect((stopped as Error).message).toBe('job h is halted: cannot stop');
    await expect(job.ping()).resolves.toBeUndefined();
    expect(provider.runs).toBe(1);
  });

  it('an action during hooks takes effect when the hook returns; the provider never runs', async () => {
    let release!: () => void;
    const gateHook = defineHook('slow', {
      'pre-job': () => new Promise<void>((r) => (release = r)),
    });
    const { provider, job, log } = setup({ hooks: [gateHook] });
    await job.start();
    await flush();
    const stopped = job.stop();
    await flush();
    expect(job.state).toBe('paused');
    release();
    await stopped;
    expect(provider.runs).toBe(0);
    expect(log.statuses).toEqual(['pre-syncing', 'paused']);
  });

  it('a kill during pre-exec hooks skips the provider and still runs post hooks', async () => {
    const calls: string[] = [];
    let release!: () => void;
    const slow = defineHook('slow', {
      'pre-exec': () => new Promise<void>((r) => (release = r)),
      'post-exec': () => void calls.push('slow:post-exec'),
      'post-fail': () => void calls.push('slow:post-fail'),
    });
    const { provider, job, log } = setup({ name: 'k', hooks: [slow], retry: 3 });
    await job.start();
    await flush();
    const restarted = job.restart();
    await flush();
    release();
    await restarted;
    expect(calls).toEqual(['slow:post-exec', 'slow:post-fail']);
    expect(log.statuses.slice(0, 3)).toEqual([
      'pre-syncing',
      'failed: k was killed (restart)',
      'pre-syncing',
    ]);
    await flush();
    release();
    await provider.whenRunning();
    expect(provider.runs).toBe(1);
    provider.succeed();
    await job.whenIdle();
  });

  it('setProvider only while none or disabled and idle', async () => {
    const { provider, job } = setup({ name: 'one' });
    const other = new ControlledProvider({ name: 'one', interval: 7 });
    job.setProvider(other);
    expect(job.provider).toBe(other);
    expect(job.nextRunAfter(new Date(0)).getTime()).toBe(7 * 60_000);
    await job.start();
    expect(() => job.setProvider(provider)).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_PROVIDER_BUSY' }),
    );
    await job.disable();
    job.setProvider(provider);
    expect(job.provider).toBe(provider);
  });

  it('starts in a given state and act() maps every verb', async () => {
    const provider = new ControlledProvider({});
    provider.auto = async () => undefined;
    const job = new MirrorJob(provider, { state: 'paused' });
    expect(job.state).toBe('paused');
    for (const action of ['ping', 'start', 'stop', 'disable', 'forceStart', 'restart'] as const) {
      await job.act(action);
      await job.whenIdle();
    }
    expect(job.state).toBe('ready');
    await job.act('halt');
    expect(job.state).toBe('halting');
  });
});

describe('MirrorJob: every action in every state', () => {
  type Start =
    'none' | 'ready-idle' | 'ready-waiting' | 'ready-running' | 'paused' | 'disabled' | 'halting';
  const expected: Record<string, [string, boolean]> = {
    // [state after, a run is in progress after]
    'none start': ['ready', true],
    'none forceStart': ['ready', true],
    'none stop': ['paused', false],
    'none disable': ['disabled', false],
    'none restart': ['ready', true],
    'none ping': ['none', false],
    'none halt': ['halting', false],
    'ready-idle start': ['ready', true],
    'ready-idle forceStart': ['ready', true],
    'ready-idle stop': ['paused', false],
    'ready-idle disable': ['disabled', false],
    'ready-idle restart': ['ready', true],
    'ready-idle ping': ['ready', false],
    'ready-idle halt': ['halting', false],
    'ready-waiting start': ['ready', true],
    'ready-waiting forceStart': ['ready', true],
    'ready-waiting stop': ['paused', false],
    'ready-waiting disable': ['disabled', false],
    'ready-waiting restart': ['ready', true],
    'ready-waiting ping': ['ready', true],
    'ready-waiting halt': ['halting', false],
    'ready-running start': ['ready', true],
    'ready-running forceStart': ['ready', true],
    'ready-running stop': ['paused', false],
    'ready-running disable': ['disabled', false],
    'ready-running restart': ['ready', true],
    'ready-running ping': ['ready', true],
    'ready-running halt': ['halting', false],
    'paused start': ['ready', true],
    'paused forceStart': ['ready', true],
    'paused stop': ['paused', false],
    'paused disable': ['disabled', false],
    'paused restart': ['ready', true],
    'paused ping': ['paused', false],
    'paused halt': ['halting', false],
    'disabled start': ['ready', true],
    'disabled forceStart': ['ready', true],
    'disabled stop': ['paused', false],
    'disabled disable': ['disabled', false],
    'disabled restart': ['ready', true],
    'disabled ping': ['disabled', false],
    'disabled halt': ['halting', false],
    'halting start': ['halting', false],
    'halting forceStart': ['halting', false],
    'halting stop': ['halting', false],
    'halting disable': ['halting', false],
    'halting restart': ['halting', false],
    'halting ping': ['halting', false],
    'halting halt': ['halting', false],
  };

  async function reach(start: Start) {
    const gate = new ConcurrencyGate(1);
    const blocker = new ControlledProvider({ name: 'blocker' });
    const blockerJob = new MirrorJob(blocker, { gate });
    const provider = new ControlledProvider({ name: 'subject' });
    const job = new MirrorJob(provider, { gate });
    switch (start) {
      case 'none':
        break;
      case 'ready-idle':
        provider.auto = async () => undefined;
        await job.start();
        await job.whenIdle();
        provider.auto = undefined;
        break;
      case 'ready-waiting':
        await blockerJob.start();
        await blocker.whenRunning();
        await job.start();
        await flush();
        expect(gate.waiting).toBe(1);
        break;
      case 'ready-running':
        await job.start();
        await provider.whenRunning();
        break;
      case 'paused':
        await job.stop();
        break;
      case 'disabled':
        await job.disable();
        break;
      case 'halting':
        await job.halt();
        break;
    }
    return { gate, blocker, blockerJob, provider, job };
  }

  it.each(Object.entries(expected))('%s', async (key, [state, running]) => {
    const [start, action] = key.split(' ') as [Start, Parameters<MirrorJob['act']>[0]];
    const { job, provider, blocker, blockerJob } = await reach(start);
    const runsBefore = provider.runs;
    const result = job.act(action);
    if (start === 'halting' && action !== 'ping' && action !== 'halt') {
      await expect(result).rejects.toMatchObject({ code: 'TUNASYNC_E_JOB_HALTED' });
    } else {
      await result;
    }
    await flush();
    expect(job.state).toBe(state);
    expect(job.running).toBe(running);
    if (start === 'ready-waiting' && action === 'forceStart') {
      // A forced start goes through although the only slot is taken.
      expect(provider.isRunning).toBe(true);
    }
    if (start === 'ready-running' && ['start', 'forceStart', 'ping'].includes(action)) {
      expect(provider.runs).toBe(runsBefore);
    }
    if (start === 'ready-running' && action === 'restart') {
      expect(provider.runs).toBe(runsBefore + 1);
    }
    // Clean up: end every run.
    provider.auto = async () => undefined;
    provider.succeed();
    blocker.auto = async () => undefined;
    blocker.succeed();
    await blockerJob.whenIdle();
    await job.whenIdle();
  });
});

describe('MirrorJob: the gate', () => {
  it('a job waiting for a slot can be stopped, disabled or halted; slots are released', async () => {
    const gate = new ConcurrencyGate(1);
    const first = setup({ name: 'first' }, gate);
    await first.job.start();
    await first.provider.whenRunning();
    const waiting = ['a', 'b', 'c'].map((name) => setup({ name }, gate));
    for (const w of waiting) await w.job.start();
    await flush();
    expect(gate.waiting).toBe(3);
    await waiting[0]!.job.stop();
    await waiting[1]!.job.disable();
    await waiting[2]!.job.halt();
    expect(gate.waiting).toBe(0);
    expect(waiting.map((w) => w.log.statuses)).toEqual([['paused'], ['disabled'], []]);
    expect(waiting.every((w) => w.provider.runs === 0)).toBe(true);
    first.provider.succeed();
    await first.job.whenIdle();
    expect(gate.active).toBe(0);
  });

  it('a forced start runs beside a full gate', async () => {
    const gate = new ConcurrencyGate(1);
    const first = setup({ name: 'first' }, gate);
    const second = setup({ name: 'second' }, gate);
    await first.job.start();
    await first.provider.whenRunning();
    await second.job.forceStart();
    await second.provider.whenRunning();
    expect(gate.active).toBe(1);
    expect(gate.forced).toBe(1);
    second.provider.fail('boom');
    first.provider.succeed();
    await Promise.all([first.job.whenIdle(), second.job.whenIdle()]);
    expect(gate.active + gate.forced).toBe(0);
  });

  it('releases the slot when a hook throws', async () => {
    const gate = new ConcurrencyGate(1);
    const bad = defineHook('bad', {
      'pre-job': () => {
        throw new Error('x');
      },
    });
    const { job } = setup({ hooks: [bad] }, gate);
    await job.start();
    await job.whenIdle();
    expect(gate.active).toBe(0);
  });
});

describe('MirrorJob: start with rerun (a push during a sync)', () => {
  /** Ends the run in progress and waits until the next one (if any) is syncing or the job is idle. */
  async function endRun(provider: ControlledProvider, job: MirrorJob, ok = true): Promise<void> {
    if (ok) provider.succeed();
    else provider.fail('rsync exited 23');
    await flush();
    if (job.running) await provider.whenRunning();
  }

  it('several pushes during one run make exactly one more run', async () => {
    const { provider, job, log } = setup({ name: 'm' });
    await job.start();
    await provider.whenRunning();
    await job.start({ rerun: true });
    await job.start({ rerun: true });
    await job.start({ rerun: true });
    expect(provider.runs).toBe(1);
    await endRun(provider, job);
    expect(provider.runs).toBe(2);
    expect(job.running).toBe(true);
    await endRun(provider, job);
    await job.whenIdle();
    expect(provider.runs).toBe(2);
    expect(provider.maxActive).toBe(1);
    expect(log.statuses).toEqual([
      'pre-syncing',
      'syncing',
      'success',
      'pre-syncing',
      'syncing',
      'success',
    ]);
  });

  it('a push during the extra run makes one more again; idle is emitted once at the end', async () => {
    const { provider, job } = setup();
    let idle = 0;
    job.on('idle', () => idle++);
    await job.start();
    await provider.whenRunning();
    await job.start({ rerun: true });
    await endRun(provider, job);
    await job.start({ rerun: true });
    await endRun(provider, job);
    await endRun(provider, job);
    await job.whenIdle();
    expect(provider.runs).toBe(3);
    expect(idle).toBe(1);
  });

  it('a failed run is followed by the extra run too', async () => {
    const { provider, job, log } = setup({ name: 'm' });
    await job.start();
    await provider.whenRunning();
    await job.start({ rerun: true });
    await endRun(provider, job, false);
    await endRun(provider, job);
    await job.whenIdle();
    expect(provider.runs).toBe(2);
    expect(log.statuses.slice(2)).toEqual([
      'failed: rsync exited 23',
      'pre-syncing',
      'syncing',
      'success',
    ]);
  });

  it('a start without rerun during a run is ignored (as in the Go program)', async () => {
    const { provider, job } = setup();
    await job.start();
    await provider.whenRunning();
    await job.start();
    await job.start({ force: true });
    await endRun(provider, job);
    await job.whenIdle();
    expect(provider.runs).toBe(1);
  });

  it.each(['stop', 'disable', 'restart', 'halt'] as const)(
    'a %s after the push cancels the extra run',
    async (action) => {
      const { provider, job } = setup();
      await job.start();
      await provider.whenRunning();
      await job.start({ rerun: true });
      await job.act(action);
      await flush();
      if (action === 'restart') {
        // restart's own run is the one more run; it carries no pending push
        await provider.whenRunning();
        await endRun(provider, job);
      }
      await job.whenIdle();
      expect(provider.runs).toBe(action === 'restart' ? 2 : 1);
      expect(job.running).toBe(false);
    },
  );

  it('the extra run goes through the gate, beside a full one only when a push was forced', async () => {
    const gate = new ConcurrencyGate(1);
    const holder = setup({ name: 'a' }, gate);
    const b = setup({ name: 'b' }, gate);
    await holder.job.start();
    await holder.provider.whenRunning();
    await b.job.start({ force: true });
    await b.provider.whenRunning();
    await b.job.start({ rerun: true, force: true });
    await b.job.start({ rerun: true });
    await endRun(b.provider, b.job);
    expect(b.provider.runs).toBe(2); // forced: beside the full gate
    await b.job.start({ rerun: true });
    b.provider.succeed();
    await flush();
    expect(b.job.running).toBe(true);
    expect(b.provider.runs).toBe(2); // not forced: waits for the slot
    await endRun(holder.provider, holder.job);
    await b.provider.whenRunning();
    expect(b.provider.runs).toBe(3);
    await endRun(b.provider, b.job);
    await b.job.whenIdle();
    expect(b.provider.runs).toBe(3);
  });

  it('a push while the run still waits for a slot adds no run (that run is still to come)', async () => {
    const gate = new ConcurrencyGate(1);
    const first = setup({ name: 'a' }, gate);
    const second = setup({ name: 'b' }, gate);
    await first.job.start();
    await first.provider.whenRunning();
    await second.job.start();
    await second.job.start({ rerun: true });
    expect(second.job.running).toBe(true);
    expect(second.provider.runs).toBe(0);
    await endRun(first.provider, first.job);
    await second.provider.whenRunning();
    await endRun(second.provider, second.job);
    await second.job.whenIdle();
    expect(second.provider.runs).toBe(1);
  });
});
