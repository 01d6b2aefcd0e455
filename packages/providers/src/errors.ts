import { TunasyncError, defineErrors } from '@tunasync/api-types';
import type { ErrorCodeOf } from '@tunasync/api-types';

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
    super(PROVIDER_ERRORS.config.code, PROVIDER_ERRORS.config.message(problems), options);
    this.name = 'ProviderConfigError';
    this.problems = problems;
  }
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** Every error `@tunasync/providers` throws, with its stable code; messages are what `error_msg` reports. */
export const PROVIDER_ERRORS = defineErrors({
  /** A mirror's configuration is invalid (`ProviderConfigError`). */
  config: {
    code: 'TUNASYNC_E_PROVIDER_CONFIG',
    message: (problems: readonly ConfigProblem[]) => problems.map(formatConfigProblem).join('; '),
    make: ([problems]: [readonly ConfigProblem[]], options) =>
      new ProviderConfigError(problems, options),
  },
  /** The command of a run could not be started (missing program, bad directory, log file). */
  spawn: {
    code: 'TUNASYNC_E_SPAWN',
    message: (command: string, reason: string) => `cannot start ${command}: ${reason}`,
  },
  /** The command exited with a code that is not a success code. */
  exitCode: {
    code: 'TUNASYNC_E_EXIT_CODE',
    message: (command: string, code: number, meaning?: string) =>
      `${command} exited with code ${code}${meaning ? ` (${meaning})` : ''}`,
  },
  /** The command was killed by a signal it did not get from a stop. */
  signal: {
    code: 'TUNASYNC_E_SIGNAL',
    message: (command: string, signal: string) => `${command} was killed by signal ${signal}`,
  },
  /** The run was stopped by `terminate()`. */
  terminated: { code: 'TUNASYNC_E_TERMINATED', message: (name: string) => `${name}: terminated` },
  /** `run()` was called while a run was in progress. */
  alreadyRunning: {
    code: 'TUNASYNC_E_ALREADY_RUNNING',
    message: (name: string) => `${name}: provider is already running`,
  },
  /** `fail_on_match` matched the log of a command run. */
  failOnMatch: {
    code: 'TUNASYNC_E_FAIL_ON_MATCH',
    message: (count: number) => `Fail-on-match regexp found ${count} matches`,
  },
  /** The log could not be read after the run (the cause is the file system's error). */
  logRead: {
    code: 'TUNASYNC_E_LOG_READ',
    message: (file: string, cause: unknown) => `cannot read log file ${file}: ${reason(cause)}`,
  },
  /** The trace files of a two-stage-rsync mirror could not be written. */
  traceWrite: {
    code: 'TUNASYNC_E_TRACE_WRITE',
    message: (dir: string, cause: unknown) =>
      `cannot write the trace files under ${dir}/project/trace: ${reason(cause)}`,
  },
  /** The upstream was still updating (`Archive-Update-in-Progress-*`, master trace changing) after every retry. */
  upstreamUpdating: {
    code: 'TUNASYNC_E_UPSTREAM_UPDATING',
    message: (why: string, retries: number) =>
      `upstream still updating after ${retries} ${retries === 1 ? 'retry' : 'retries'} (${why}): stage 2 not run`,
  },
  /** Stage 2 would delete more files than `max_delete` allows. */
  maxDelete: {
    code: 'TUNASYNC_E_MAX_DELETE',
    message: (limit: number) =>
      `stage 2 would delete more than max_delete = ${limit} files: nothing deleted, stage 2 not run`,
  },
  /** The mirror dir's `Archive-Update-in-Progress-<host>` is held by a live process. */
  archiveLocked: {
    code: 'TUNASYNC_E_ARCHIVE_LOCK',
    message: (file: string, pid: number | undefined) =>
      `another sync holds ${file}${pid === undefined ? ' (no PID in it; it is stale after lock_timeout)' : ` (PID ${pid} is running)`}: not synced`,
  },
  /** The mirror dir's `Archive-Update-in-Progress-<host>` cannot be made. */
  archiveLockIo: {
    code: 'TUNASYNC_E_ARCHIVE_LOCK',
    message: (file: string, cause: unknown) => `cannot take the lock ${file}: ${reason(cause)}`,
  },
  /** A `log_dir` template with an action other than `{{.Field}}`, or an unknown field. */
  logDirTemplate: {
    code: 'TUNASYNC_E_LOG_DIR_TEMPLATE',
    message: (problem: string) => problem,
  },
});

export type ProviderErrorCode = ErrorCodeOf<typeof PROVIDER_ERRORS>;
