import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '@tunasync/api-types';
import type { Logger } from '@tunasync/api-types';
import { LayeredContext } from '@tunasync/core';
import type { JobHook, Provider, ProviderContextValues } from '@tunasync/core';
import { PROVIDER_ERRORS } from './errors';
import { NO_LOG, startProcess } from './process-runner';
import type { ProcessExit, RunningProcess, Sleep } from './process-runner';

/** What every provider is made of (SPEC §4.4, "common to all"). */
export interface BaseProviderOptions {
  name: string;
  upstream: string;
  /** Created when missing. */
  workingDir: string;
  logDir: string;
  /** Log file outside of a run's log hook (default `<logDir>/latest.log`); `/dev/null` = no log. */
  logFile?: string;
  /** Minutes. */
  interval: number;
  /** Attempts per run (at least 1). */
  retry: number;
  /** Seconds; 0 = none. */
  timeout: number;
  /** Default true. */
  isMaster?: boolean;
  /** Extra environment variables of the command (the mirror's `env`). */
  env?: Readonly<Record<string, string>>;
  /** Non-zero exit codes that count as success (already merged, SPEC §4.4.4). */
  successExitCodes?: readonly number[];
  /** The worker's environment (default `process.env`). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Time between SIGTERM and SIGKILL when stopping (default 2000 ms). */
  killGraceMs?: number;
  /** Injectable wait used while stopping (tests). */
  sleep?: Sleep;
  logger?: Logger;
}

/** State of one run, so a stop reaches whatever the run is doing. */
interface RunState {
  stopped: boolean;
  current: RunningProcess | undefined;
}

/**
 * What the three providers share: the `Provider` fields, hooks, the layered context,
 * one run at a time, running a command in its own process group, and stopping it.
 */
export abstract class BaseProvider implements Provider {
  abstract readonly type: string;
  readonly name: string;
  readonly upstream: string;
  readonly workingDir: string;
  readonly logDir: string;
  readonly interval: number;
  readonly retry: number;
  readonly timeout: number;
  readonly isMaster: boolean;
  readonly context: LayeredContext<ProviderContextValues>;
  /** Non-zero exit codes that count as success. */
  readonly successExitCodes: readonly number[];
  protected readonly env: Readonly<Record<string, string>>;
  protected readonly logger: Logger;
  private readonly baseEnv: NodeJS.ProcessEnv | undefined;
  private readonly killGraceMs: number | undefined;
  private readonly sleep: Sleep | undefined;
  private readonly hookList: JobHook[] = [];
  private state: RunState | undefined;
  private running: Promise<void> | undefined;
  protected size: string | undefined;

  protected constructor(options: BaseProviderOptions) {
    this.name = options.name;
    this.upstream = options.upstream;
    this.workingDir = options.workingDir;
    this.logDir = options.logDir;
    this.interval = options.interval;
    this.retry = Math.max(1, options.retry);
    this.timeout = options.timeout;
    this.isMaster = options.isMaster ?? true;
    this.env = { ...(options.env ?? {}) };
    this.successExitCodes = [...new Set(options.successExitCodes ?? [])];
    this.baseEnv = options.baseEnv;
    this.killGraceMs = options.killGraceMs;
    this.sleep = options.sleep;
    this.logger = (options.logger ?? silentLogger).child({ mirror: options.name });
    this.context = new LayeredContext<ProviderContextValues>({
      logFile: options.logFile ?? join(options.logDir, 'latest.log'),
    });
  }

  logFile(): string {
    return this.context.get('logFile') ?? NO_LOG;
  }

  hooks(): readonly JobHook[] {
    return [...this.hookList];
  }

  addHook(hook: JobHook): void {
    this.hookList.push(hook);
  }

  dataSize(): string | undefined {
    return this.size;
  }

  /** Whether a run is in progress. */
  isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The state of the run in progress, if any (a new object for each run). */
  protected get currentRun(): RunState | undefined {
    return this.state;
  }

  run(): Promise<void> {
    if (this.running) return Promise.reject(PROVIDER_ERRORS.alreadyRunning(this.name));
    const state: RunState = { stopped: false, current: undefined };
    this.state = state;
    this.size = undefined;
    const running = this.execute(state).finally(() => {
      this.state = undefined;
      this.running = undefined;
    });
    this.running = running.catch(() => undefined);
    return running;
  }

  async terminate(): Promise<void> {
    const state = this.state;
    const running = this.running;
    if (!state || !running) return;
    state.stopped = true;
    this.logger.debug('terminating the run');
    await state.current?.terminate();
    await running;
  }

  /**
   * Called once a command of a run has started, its log opened (truncated, or appended to
   * with `appendLog`). Nothing by default.
   */
  protected commandStarted(_state: RunState, _appendLog: boolean): void {}

  /** One run: the provider's own steps. Throws an Error whose message says why it failed. */
  protected abstract execute(state: RunState): Promise<void>;

  /**
   * Run one command of this run to its end (SPEC §4.3: its own process group, the
   * context's wrapper applied). Resolves with how it ended; a stop makes it throw.
   */
  protected async runCommand(
    state: RunState,
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
    appendLog = false,
  ): Promise<ProcessExit> {
    if (state.stopped) throw PROVIDER_ERRORS.terminated(this.name);
    const process = await startProcess({
      argv: [...argv],
      cwd: this.workingDir,
      env: { ...env },
      logFile: this.logFile(),
      appendLog,
      baseEnv: this.baseEnv,
      wrapper: this.context.get('commandWrapper'),
      killGraceMs: this.killGraceMs,
      sleep: this.sleep,
      logger: this.logger,
    });
    state.current = process;
    this.commandStarted(state, appendLog);
    if (state.stopped) await process.terminate();
    const exit = await process.wait();
    state.current = undefined;
    if (state.stopped) throw PROVIDER_ERRORS.terminated(this.name);
    return exit;
  }

  /** Whether an exit is a success: code 0 or one of the success exit codes (SPEC §4.4.4). */
  protected isSuccess(exit: ProcessExit): boolean {
    if (exit.code === null) return false;
    if (exit.code === 0) return true;
    if (this.successExitCodes.includes(exit.code)) {
      this.logger.info(`exit code ${exit.code} treated as success`);
      return true;
    }
    return false;
  }

  /** The error of a failed exit. */
  protected exitError(program: string, exit: ProcessExit, meaning?: string): Error {
    return exit.code === null
      ? PROVIDER_ERRORS.signal(program, exit.signal ?? 'unknown')
      : PROVIDER_ERRORS.exitCode(program, exit.code, meaning);
  }

  /** Append a line to this run's log (nothing for `/dev/null`). */
  protected async appendToLog(line: string): Promise<void> {
    const file = this.logFile();
    if (file === NO_LOG) return;
    try {
      await appendFile(file, `${line}\n`);
    } catch (err) {
      this.logger.warn(`cannot append to log ${file}: ${(err as Error).message}`);
    }
  }
}

export type { RunState };
