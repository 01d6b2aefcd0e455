import { EventEmitter } from 'node:events';
import type { Logger, SyncStatus } from '@tunasync/api-types';
import { silentLogger } from '@tunasync/api-types';
import { systemClock } from './clock';
import type { Clock } from './clock';
import { ConcurrencyGate } from './concurrency-gate';
import type { GateRequest, GateSlot } from './concurrency-gate';
import { CORE_ERRORS } from './errors';
import { formatGoDuration } from './go-duration';
import type { HookPhase, JobHook } from './job-hook';
import type { Provider } from './provider';
import { createTrigger } from './run-trigger';
import type { RunTrigger } from './run-trigger';

/** A job's state inside the worker (SPEC §4.3). Only a `ready` job is scheduled. */
export type JobState = 'none' | 'ready' | 'paused' | 'disabled' | 'halting';
export const JOB_STATES: readonly JobState[] = ['none', 'ready', 'paused', 'disabled', 'halting'];

/** What the worker (or anyone) can ask of a job (SPEC §4.1). */
export type JobAction = 'start' | 'forceStart' | 'stop' | 'disable' | 'restart' | 'ping' | 'halt';
export const JOB_ACTIONS: readonly JobAction[] = [
  'start',
  'forceStart',
  'stop',
  'disable',
  'restart',
  'ping',
  'halt',
];

/** The statuses a job itself reports. */
export type JobStatus = Extract<
  SyncStatus,
  'pre-syncing' | 'syncing' | 'success' | 'failed' | 'paused' | 'disabled'
>;

/** One status change of a job: what the worker reports to the manager. */
export interface JobStatusEvent {
  readonly job: string;
  readonly status: JobStatus;
  /** Why it failed (`error_msg`); empty otherwise. */
  readonly message: string;
  /** Plan the next run: set only on a success or the last failed attempt, while `ready`. */
  readonly schedule: boolean;
  /** When to run next (set exactly when `schedule` is). */
  readonly nextRun?: Date;
  /** The size after a success (`1.5G`), when the provider found one. */
  readonly size?: string;
  /** 1-based attempt of the run (0 before the first attempt, and for paused/disabled). */
  readonly attempt: number;
  readonly time: Date;
}

export interface JobStateChange {
  readonly job: string;
  readonly from: JobState;
  readonly to: JobState;
}

/** The typed events of a `MirrorJob`. */
export interface MirrorJobEvents {
  status: (event: JobStatusEvent) => void;
  state: (change: JobStateChange) => void;
  /** A run ended (however it ended); the job is idle again. */
  idle: () => void;
}

export interface MirrorJobOptions {
  /** The gate shared by the worker's jobs (default: a gate of its own with one slot). */
  gate?: ConcurrencyGate;
  logger?: Logger;
  clock?: Clock;
  /** When to run next (default: every `provider.interval` minutes; see `cron`). */
  trigger?: RunTrigger;
  /** A cron expression instead of the provider's interval (SPEC §7.7). */
  cron?: string;
  /** The state to begin in, e.g. from the stored status (`paused`, `disabled`). */
  state?: Extract<JobState, 'none' | 'paused' | 'disabled'>;
  /** How long to wait for a terminated provider's `run()` to settle (default 10 s). */
  settleTimeoutMs?: number;
}

interface RunControl {
  readonly kill: AbortController;
  forced: boolean;
  request?: GateRequest;
  killedBy?: JobAction;
  /** The run has its slot (hooks or provider under way). */
  started: boolean;
  /** A `start({ rerun: true })` came while `started`: run once more after this run. */
  rerun?: { forced: boolean };
  done: Promise<void>;
}

interface ProviderOutcome {
  error?: string;
  killed: boolean;
  /** Terminating failed: end the run now. */
  fatal: boolean;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * One mirror's job: a provider, its hooks and the state machine of SPEC §4.1/§4.3.
 *
 * Actions (`start`, `forceStart`, `stop`, `disable`, `restart`, `ping`, `halt`) are applied
 * one after another in the order they are called; each returns a promise that resolves
 * once the action has taken effect (for stop/disable/restart/halt: once the running sync
 * is gone). A job never runs two syncs at once. Status changes come as `status` events;
 * reports a run produces after it was stopped or disabled are not emitted — the
 * `paused`/`disabled` event that follows is.
 */
export class MirrorJob {
  private providerRef: Provider;
  private current: RunControl | undefined;
  private stateValue: JobState;
  private readonly emitter = new EventEmitter();
  private readonly gate: ConcurrencyGate;
  private readonly clock: Clock;
  private readonly baseLogger: Logger;
  private logger: Logger;
  private readonly explicitTrigger: RunTrigger | undefined;
  private readonly cron: string | undefined;
  private triggerValue: RunTrigger;
  private readonly settleTimeoutMs: number;
  private actions: Promise<void> = Promise.resolve();
  private lingering: Promise<unknown> | undefined;
  private sizeValue: string | undefined;
  private last: JobStatusEvent | undefined;

  constructor(provider: Provider, options: MirrorJobOptions = {}) {
    this.providerRef = provider;
    this.gate = options.gate ?? new ConcurrencyGate(1);
    this.clock = options.clock ?? systemClock;
    this.baseLogger = options.logger ?? silentLogger;
    this.logger = this.baseLogger.child({ component: 'job', mirror: provider.name });
    this.explicitTrigger = options.trigger;
    this.cron = options.cron;
    this.triggerValue = this.makeTrigger(provider);
    this.stateValue = options.state ?? 'none';
    this.settleTimeoutMs = options.settleTimeoutMs ?? 10_000;
  }

  private makeTrigger(provider: Provider): RunTrigger {
    return this.explicitTrigger ?? createTrigger({ interval: provider.interval, cron: this.cron });
  }

  get name(): string {
    return this.providerRef.name;
  }

  get provider(): Provider {
    return this.providerRef;
  }

  get state(): JobState {
    return this.stateValue;
  }

  get trigger(): RunTrigger {
    return this.triggerValue;
  }

  /** A run is in progress (waiting for a slot, in hooks or syncing). */
  get running(): boolean {
    return this.current !== undefined;
  }

  /** The size found by the last successful run. */
  get size(): string | undefined {
    return this.sizeValue;
  }

  /** The last status event emitted. */
  get lastStatus(): JobStatusEvent | undefined {
    return this.last;
  }

  isReady(): boolean {
    return this.stateValue === 'ready';
  }

  /** When the job should run next if its last run ended at `after` (e.g. `last_update`). */
  nextRunAfter(after: Date): Date {
    return this.triggerValue.next(after);
  }

  on<E extends keyof MirrorJobEvents>(event: E, listener: MirrorJobEvents[E]): () => void {
    this.emitter.on(event, listener);
    return () => this.off(event, listener);
  }

  once<E extends keyof MirrorJobEvents>(event: E, listener: MirrorJobEvents[E]): () => void {
    const wrapped = ((...args: Parameters<MirrorJobEvents[E]>) => {
      this.emitter.off(event, wrapped);
      (listener as (...a: unknown[]) => void)(...args);
    }) as MirrorJobEvents[E];
    this.emitter.on(event, wrapped);
    return () => this.off(event, wrapped);
  }

  off<E extends keyof MirrorJobEvents>(event: E, listener: MirrorJobEvents[E]): void {
    this.emitter.off(event, listener);
  }

  /** Resolves when no run is in progress. */
  async whenIdle(): Promise<void> {
    while (this.current) await this.current.done;
  }

  /**
   * Give the job a new provider (on reload). Only while it is `none` or `disabled` and not
   * running, as in the Go program.
   */
  setProvider(provider: Provider): void {
    if ((this.stateValue !== 'none' && this.stateValue !== 'disabled') || this.current) {
      throw CORE_ERRORS.providerBusy(this.name, this.stateValue);
    }
    this.providerRef = provider;
    this.logger = this.baseLogger.child({ component: 'job', mirror: provider.name });
    this.triggerValue = this.makeTrigger(provider);
  }

  /** Apply an action by name (the worker's command handler). */
  act(action: JobAction): Promise<void> {
    switch (action) {
      case 'start':
        return this.start();
      case 'forceStart':
        return this.forceStart();
      case 'stop':
        return this.stop();
      case 'disable':
        return this.disable();
      case 'restart':
        return this.restart();
      case 'ping':
        return this.ping();
      case 'halt':
        return this.halt();
    }
  }

  /**
   * Make the job ready and run it as soon as a slot is free (a disabled job is brought
   * back). With `force`, run now even if the gate is full — also when it already waits.
   * A job that is already running keeps its run; with `rerun` (a push, ftpsync's
   * Archive-Update-Required) a start that comes once the run has its slot makes the job run
   * exactly once more right after it ends (several such starts: still one more run), unless
   * the run is stopped, disabled, restarted or halted meanwhile.
   */
  start(options: { force?: boolean; rerun?: boolean } = {}): Promise<void> {
    return this.enqueue(options.force ? 'forceStart' : 'start', () => {
      this.setState('ready');
      if (this.current) {
        if (options.force) {
          this.current.forced = true;
          this.current.request?.force();
        }
        if (options.rerun && this.current.started) {
          const forced = (this.current.rerun?.forced ?? false) || (options.force ?? false);
          this.current.rerun = { forced };
          this.logger.info(`${this.name} started while syncing: it runs once more after this run`);
        }
        return;
      }
      this.launch(options.force ?? false);
    });
  }

  forceStart(): Promise<void> {
    return this.start({ force: true });
  }

  /** Kill the running sync if any; the job becomes `paused` (not scheduled). */
  stop(): Promise<void> {
    return this.enqueue('stop', async () => {
      const changed = this.setState('paused');
      const killed = await this.killCurrent('stop');
      if (changed || killed) this.emitStatus('paused', '', false, 0);
    });
  }

  /** Kill the running sync if any; the job becomes `disabled` until started again. */
  disable(): Promise<void> {
    return this.enqueue('disable', async () => {
      const changed = this.setState('disabled');
      const killed = await this.killCurrent('disable');
      if (changed || killed) this.emitStatus('disabled', '', false, 0);
    });
  }

  /** Kill the running sync if any, then start again (through the gate). */
  restart(): Promise<void> {
    return this.enqueue('restart', async () => {
      this.setState('ready');
      await this.killCurrent('restart');
      if (this.stateValue === 'ready' && !this.current) this.launch(false);
    });
  }

  /** No effect (the worker answers OK). */
  ping(): Promise<void> {
    return this.enqueue('ping', () => undefined);
  }

  /**
   * The worker shuts down: kill the running sync and wait for it. The job accepts no other
   * action afterwards. Idempotent.
   */
  halt(): Promise<void> {
    return this.enqueue('halt', async () => {
      this.setState('halting');
      await this.killCurrent('halt');
    });
  }

  private enqueue(action: JobAction, fn: () => void | Promise<void>): Promise<void> {
    const next = this.actions.then(async () => {
      if (this.stateValue === 'halting' && action !== 'halt' && action !== 'ping') {
        throw CORE_ERRORS.jobHalted(this.name, action);
      }
      this.logger.debug(`action ${action} in state ${this.stateValue}`);
      await fn();
    });
    this.actions = next.catch(() => undefined);
    return next;
  }

  private setState(to: JobState): boolean {
    const from = this.stateValue;
    if (from === to) return false;
    this.stateValue = to;
    this.safeEmit('state', { job: this.name, from, to });
    return true;
  }

  private async killCurrent(action: JobAction): Promise<boolean> {
    const run = this.current;
    if (!run) return false;
    run.killedBy ??= action;
    run.kill.abort(CORE_ERRORS.killed(this.name, action));
    await run.done;
    return true;
  }

  private launch(forced: boolean): void {
    const run: RunControl = {
      kill: new AbortController(),
      forced,
      started: false,
      done: Promise.resolve(),
    };
    this.current = run;
    run.done = this.execute(run)
      .catch((err: unknown) => {
        this.logger.error(`job ${this.name} crashed: ${messageOf(err)}`);
      })
      .finally(() => {
        if (this.current === run) {
          this.current = undefined;
          if (run.rerun && !run.killedBy && this.stateValue === 'ready') {
            this.logger.info(`running ${this.name} once more (started while syncing)`);
            this.launch(run.rerun.forced);
            return;
          }
        }
        this.safeEmit('idle');
      });
  }

  private async execute(run: RunControl): Promise<void> {
    const request = this.gate.request({ force: run.forced, signal: run.kill.signal });
    run.request = request;
    let slot: GateSlot;
    try {
      slot = await request.slot;
    } catch {
      this.logger.debug(`killed while waiting for a slot`);
      return;
    }
    if (slot.forced) this.logger.info(`concurrent limit ignored by ${this.name}`);
    run.started = true;
    try {
      await this.pipeline(run);
    } finally {
      slot.release();
    }
  }

  // ---- the run pipeline (SPEC §4.3) ----

  private async pipeline(run: RunControl): Promise<void> {
    const provider = this.providerRef;
    const hooks = provider.hooks();
    this.logger.info(`start syncing ${this.name}`);
    this.report('pre-syncing', '', false, 0);

    const preJob = await this.runPhase(hooks, 'pre-job', 0, undefined, true);
    if (preJob.error !== undefined) {
      this.report('failed', preJob.error, true, 0);
      return;
    }
    if (run.kill.signal.aborted) {
      this.report('failed', messageOf(run.kill.signal.reason), false, 0);
      return;
    }

    const retry = Math.max(1, Math.floor(provider.retry) || 1);
    for (let attempt = 1; attempt <= retry; attempt++) {
      if (attempt > 1) this.logger.info(`retry syncing ${this.name}, attempt ${attempt}`);
      const preExec = await this.runPhase(hooks, 'pre-exec', attempt, undefined, true);
      const entered = preExec.completed;
      let error = preExec.error;
      let killed = false;
      let endRun = error !== undefined;

      if (error === undefined && run.kill.signal.aborted) {
        killed = true;
        error = messageOf(run.kill.signal.reason);
      } else if (error === undefined) {
        this.report('syncing', '', false, attempt);
        const outcome = await this.runProvider(run);
        error = outcome.error;
        killed = outcome.killed;
        if (outcome.fatal) endRun = true;
      }

      const reversed = [...entered].reverse();
      const postExec = await this.runPhase(reversed, 'post-exec', attempt, error, false);
      if (postExec.error !== undefined) {
        error = postExec.error;
        endRun = true;
      }

      if (error === undefined) {
        const postSuccess = await this.runPhase(
          reversed,
          'post-success',
          attempt,
          undefined,
          false,
        );
        if (postSuccess.error === undefined) {
          this.sizeValue = provider.dataSize() ?? this.sizeValue;
          this.logger.info(`succeeded syncing ${this.name}`);
          this.report('success', '', true, attempt, this.sizeValue);
          return;
        }
        this.report('failed', postSuccess.error, true, attempt);
        return;
      }

      this.logger.warn(`failed syncing ${this.name}: ${error}`);
      const postFail = await this.runPhase(reversed, 'post-fail', attempt, error, false);
      if (postFail.error !== undefined) {
        error = postFail.error;
        endRun = true;
      }
      if (killed || run.kill.signal.aborted) {
        this.report('failed', error, false, attempt);
        return;
      }
      const last = endRun || attempt === retry;
      this.report('failed', error, last, attempt);
      if (last) return;
    }
  }

  /**
   * Run one phase of every hook. With `stopAtFirst` (pre-job, pre-exec) the first failure
   * ends the phase; otherwise every hook runs (they clean up) and the first failure is
   * returned. `completed` lists the hooks whose handler succeeded (or that have none).
   */
  private async runPhase(
    hooks: readonly JobHook[],
    phase: HookPhase,
    attempt: number,
    error: string | undefined,
    stopAtFirst: boolean,
  ): Promise<{ error?: string; completed: JobHook[] }> {
    const completed: JobHook[] = [];
    let first: string | undefined;
    for (const hook of hooks) {
      const handler = hook.handlers[phase];
      if (handler) {
        try {
          await handler({
            phase,
            provider: this.providerRef,
            logger: this.logger.child({ hook: hook.name }),
            attempt,
            ...(error !== undefined ? { error } : {}),
          });
        } catch (err) {
          const message = CORE_ERRORS.hookFailed(phase, messageOf(err)).message;
          this.logger.error(
            `failed at ${phase} hook ${hook.name} of ${this.name}: ${messageOf(err)}`,
          );
          first ??= message;
          if (stopAtFirst) return { error: first, completed };
          continue;
        }
      }
      completed.push(hook);
    }
    return first === undefined ? { completed } : { error: first, completed };
  }

  /** Run the provider once, racing it against the timeout and a kill. */
  private async runProvider(run: RunControl): Promise<ProviderOutcome> {
    const provider = this.providerRef;
    const signal = run.kill.signal;

    if (this.lingering) {
      // A previous run could not be terminated; never start a second one beside it.
      const stillThere = this.lingering;
      const gone = await this.raceKill(
        stillThere.then(() => true),
        signal,
      );
      if (!gone) return { error: messageOf(signal.reason), killed: true, fatal: false };
      if (this.lingering === stillThere) this.lingering = undefined;
    }

    let runPromise: Promise<{ ok: true } | { ok: false; err: unknown }>;
    try {
      runPromise = provider.run().then(
        () => ({ ok: true as const }),
        (err: unknown) => ({ ok: false as const, err }),
      );
    } catch (err) {
      return { error: messageOf(err), killed: false, fatal: false };
    }

    const timeoutMs = provider.timeout > 0 ? provider.timeout * 1000 : 0;
    type Ending =
      { kind: 'done'; result: Awaited<typeof runPromise> } | { kind: 'timeout' } | { kind: 'kill' };
    let timer: unknown;
    let onAbort: (() => void) | undefined;
    const endings: Promise<Ending>[] = [runPromise.then((result) => ({ kind: 'done', result }))];
    if (timeoutMs > 0) {
      endings.push(
        new Promise<Ending>((resolve) => {
          timer = this.clock.setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
        }),
      );
    }
    endings.push(
      new Promise<Ending>((resolve) => {
        if (signal.aborted) resolve({ kind: 'kill' });
        onAbort = () => resolve({ kind: 'kill' });
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    );
    const ending = await Promise.race(endings);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);

    if (ending.kind === 'done') {
      if (ending.result.ok) return { killed: false, fatal: false };
      return { error: messageOf(ending.result.err), killed: false, fatal: false };
    }

    const killed = ending.kind === 'kill';
    let error = killed
      ? messageOf(signal.reason)
      : CORE_ERRORS.timeout(this.name, formatGoDuration(timeoutMs)).message;
    this.logger.info(killed ? `killing ${this.name}` : `${this.name} timed out, terminating it`);
    try {
      await provider.terminate();
    } catch (err) {
      error = `${error}; terminating ${this.name} failed: ${messageOf(err)}`;
      this.logger.error(`failed to terminate ${this.name}: ${messageOf(err)}`);
      this.lingering = runPromise;
      return { error, killed, fatal: true };
    }
    const settled = await this.settle(runPromise);
    if (!settled) {
      this.logger.warn(`${this.name}: run() did not settle after terminate()`);
      this.lingering = runPromise;
    }
    return { error, killed, fatal: false };
  }

  private settle(promise: Promise<unknown>): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), this.settleTimeoutMs);
      void promise.then(() => {
        this.clock.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private raceKill(promise: Promise<boolean>, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      void promise.then((v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      });
    });
  }

  // ---- events ----

  /** A report of the run: dropped while the job is paused or disabled. */
  private report(
    status: 'pre-syncing' | 'syncing' | 'success' | 'failed',
    message: string,
    schedule: boolean,
    attempt: number,
    size?: string,
  ): void {
    if (this.stateValue !== 'ready' && this.stateValue !== 'halting') {
      this.logger.debug(`not reporting ${status} in state ${this.stateValue}`);
      return;
    }
    this.emitStatus(status, message, schedule && this.stateValue === 'ready', attempt, size);
  }

  private emitStatus(
    status: JobStatus,
    message: string,
    schedule: boolean,
    attempt: number,
    size?: string,
  ): void {
    const now = this.clock.now();
    let nextRun: Date | undefined;
    if (schedule) {
      try {
        nextRun = this.triggerValue.next(new Date(now));
      } catch (err) {
        this.logger.error(`cannot plan the next run of ${this.name}: ${messageOf(err)}`);
      }
    }
    const event: JobStatusEvent = {
      job: this.name,
      status,
      message,
      schedule: nextRun !== undefined,
      ...(nextRun !== undefined ? { nextRun } : {}),
      ...(size !== undefined ? { size } : {}),
      attempt,
      time: new Date(now),
    };
    this.last = event;
    this.safeEmit('status', event);
  }

  private safeEmit<E extends keyof MirrorJobEvents>(
    event: E,
    ...args: Parameters<MirrorJobEvents[E]>
  ): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.logger.error(`a ${event} listener of ${this.name} threw: ${messageOf(err)}`);
      }
    }
  }
}
