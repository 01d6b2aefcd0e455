import { TunasyncError } from '@tunasync/api-types';

/** One problem of a mirror's configuration: which mirror, which key, why. */
export interface ConfigProblem {
  /** The mirror's name (`<unnamed>` when it has none). */
  mirror: string;
  /** The config key, e.g. `upstream`, `rsync_override_only`, `global.log_dir`. */
  key: string;
  reason: string;
}

export function formatConfigProblem(problem: ConfigProblem): string {
  return `mirror ${problem.mirror}: ${problem.key}: ${problem.reason}`;
}

/**
 * A mirror's configuration cannot make a provider. `problems` lists every problem found;
 * the message names each mirror and key.
 */
export class ProviderConfigError extends TunasyncError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(PROVIDER_ERROR_CODES.config, problems.map(formatConfigProblem).join('; '), options);
    this.name = 'ProviderConfigError';
    this.problems = problems;
  }
}

/** Stable codes of every error `@tunasync/providers` throws. */
export const PROVIDER_ERROR_CODES = {
  /** A mirror's configuration is invalid (`ProviderConfigError`). */
  config: 'TUNASYNC_E_PROVIDER_CONFIG',
  /** The command of a run could not be started (missing program, bad directory, log file). */
  spawn: 'TUNASYNC_E_SPAWN',
  /** The command exited with a code that is not a success code. */
  exitCode: 'TUNASYNC_E_EXIT_CODE',
  /** The command was killed by a signal it did not get from a stop. */
  signal: 'TUNASYNC_E_SIGNAL',
  /** The run was stopped by `terminate()`. */
  terminated: 'TUNASYNC_E_TERMINATED',
  /** `run()` was called while a run was in progress. */
  alreadyRunning: 'TUNASYNC_E_ALREADY_RUNNING',
  /** `fail_on_match` matched the log of a command run. */
  failOnMatch: 'TUNASYNC_E_FAIL_ON_MATCH',
  /** The log could not be read after the run. */
  logRead: 'TUNASYNC_E_LOG_READ',
  /** The trace files of a two-stage-rsync mirror could not be written. */
  traceWrite: 'TUNASYNC_E_TRACE_WRITE',
  /** The upstream was still updating (`Archive-Update-in-Progress-*`, master trace changing) after every retry. */
  upstreamUpdating: 'TUNASYNC_E_UPSTREAM_UPDATING',
  /** Stage 2 would delete more files than `max_delete` allows. */
  maxDelete: 'TUNASYNC_E_MAX_DELETE',
  /** The mirror dir's `Archive-Update-in-Progress-<host>` is held by a live process, or cannot be made. */
  archiveLock: 'TUNASYNC_E_ARCHIVE_LOCK',
} as const;

/** Builders of the run-time errors, one per code; messages are what `error_msg` reports. */
export const PROVIDER_ERRORS = {
  config: (problems: readonly ConfigProblem[]): ProviderConfigError =>
    new ProviderConfigError(problems),
  spawn: (command: string, reason: string, cause?: unknown): TunasyncError =>
    new TunasyncError(PROVIDER_ERROR_CODES.spawn, `cannot start ${command}: ${reason}`, { cause }),
  exitCode: (command: string, code: number, meaning?: string): TunasyncError =>
    new TunasyncError(
      PROVIDER_ERROR_CODES.exitCode,
      `${command} exited with code ${code}${meaning ? ` (${meaning})` : ''}`,
    ),
  signal: (command: string, signal: string): TunasyncError =>
    new TunasyncError(PROVIDER_ERROR_CODES.signal, `${command} was killed by signal ${signal}`),
  terminated: (name: string): TunasyncError =>
    new TunasyncError(PROVIDER_ERROR_CODES.terminated, `${name}: terminated`),
  alreadyRunning: (name: string): TunasyncError =>
    new TunasyncError(PROVIDER_ERROR_CODES.alreadyRunning, `${name}: provider is already running`),
  failOnMatch: (count: number): TunasyncError =>
    new TunasyncError(
      PROVIDER_ERROR_CODES.failOnMatch,
      `Fail-on-match regexp found ${count} matches`,
    ),
  logRead: (file: string, cause: unknown): TunasyncError =>
    new TunasyncError(
      PROVIDER_ERROR_CODES.logRead,
      `cannot read log file ${file}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    ),
  traceWrite: (dir: string, cause: unknown): TunasyncError =>
    new TunasyncError(
      PROVIDER_ERROR_CODES.traceWrite,
      `cannot write the trace files under ${dir}/project/trace: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    ),
  upstreamUpdating: (why: string, retries: number): TunasyncError =>
    new TunasyncError(
      PROVIDER_ERROR_CODES.upstreamUpdating,
      `upstream still updating after ${retries} ${retries === 1 ? 'retry' : 'retries'} (${why}): stage 2 not run`,
    ),
  maxDelete: (limit: number): TunasyncError =>
    new TunasyncError(
      PROVIDER_ERROR_CODES.maxDelete,
      `stage 2 would delete more than max_delete = ${limit} files: nothing deleted, stage 2 not run`,
    ),
  archiveLocked: (file: string, pid: number | undefined): TunasyncError =>
    new TunasyncError(
      PROVIDER_ERROR_CODES.archiveLock,
      `another sync holds ${file}${pid === undefined ? ' (no PID in it; it is stale after lock_timeout)' : ` (PID ${pid} is running)`}: not synced`,
    ),
  archiveLockIo: (file: string, cause: unknown): TunasyncError =>
    new TunasyncError(
      PROVIDER_ERROR_CODES.archiveLock,
      `cannot take the lock ${file}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    ),
} as const;
