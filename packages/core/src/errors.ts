import { TunasyncError } from '@tunasync/api-types';

/**
 * A catalog entry: a stable code and a message template. Calling it builds the error;
 * `code` is what programs match on (`isTunasyncError(err, CORE_ERRORS.commandLine.code)`).
 */
export interface CoreErrorFactory<A extends unknown[]> {
  readonly code: string;
  (...args: A): TunasyncError;
  /** The same error, wrapping the lower-level error that caused it. */
  withCause(cause: unknown, ...args: A): TunasyncError;
}

function defineError<A extends unknown[]>(
  code: string,
  template: (...args: A) => string,
): CoreErrorFactory<A> {
  const factory = (...args: A): TunasyncError => new TunasyncError(code, template(...args));
  return Object.assign(factory, {
    code,
    withCause: (cause: unknown, ...args: A): TunasyncError =>
      new TunasyncError(code, template(...args), { cause }),
  });
}

/** Every error `@tunasync/core` throws or reports, with its stable code. */
export const CORE_ERRORS = {
  /** A command line (`command`, `exec_on_success`, …) cannot be split into words. */
  commandLine: defineError(
    'TUNASYNC_E_COMMAND_LINE',
    (text: string, reason: string) =>
      `cannot split command line ${JSON.stringify(text)}: ${reason}`,
  ),
  /** A `memory_limit` that is not a size such as `256M` or `1G`. */
  memoryLimit: defineError(
    'TUNASYNC_E_MEMORY_LIMIT',
    (text: string) =>
      `invalid memory limit ${JSON.stringify(text)}: expected a number of bytes with an optional unit k, M, G, T or P (e.g. 256M)`,
  ),
  /** A hook handler registered for a phase that does not exist. */
  unknownHookPhase: defineError(
    'TUNASYNC_E_UNKNOWN_HOOK_PHASE',
    (hook: string, phase: string, known: readonly string[]) =>
      `hook ${hook}: unknown phase ${JSON.stringify(phase)} (known phases: ${known.join(', ')})`,
  ),
  /** A hook failed; the run fails with this message. */
  hookFailed: defineError(
    'TUNASYNC_E_HOOK',
    (phase: string, message: string) => `error exec hook ${phase}: ${message}`,
  ),
  /** An attempt ran longer than the provider's `timeout`. */
  timeout: defineError(
    'TUNASYNC_E_TIMEOUT',
    (name: string, duration: string) => `${name} timeout after ${duration}`,
  ),
  /** The run was ended by stop, disable, restart or halt. */
  killed: defineError(
    'TUNASYNC_E_KILLED',
    (name: string, action: string) => `${name} was killed (${action})`,
  ),
  /** An action was asked of a job that was halted (the worker is shutting down). */
  jobHalted: defineError(
    'TUNASYNC_E_JOB_HALTED',
    (name: string, action: string) => `job ${name} is halted: cannot ${action}`,
  ),
  /** The scheduler or gate was used after `close()`. */
  closed: defineError('TUNASYNC_E_CLOSED', (what: string) => `${what} is closed`),
  /** A `concurrent` limit that is not a positive integer. */
  concurrency: defineError(
    'TUNASYNC_E_CONCURRENCY',
    (value: number) => `invalid concurrent limit ${value}: expected a positive integer`,
  ),
  /** A provider cannot be swapped while its job runs or is active. */
  providerBusy: defineError(
    'TUNASYNC_E_PROVIDER_BUSY',
    (name: string, state: string) =>
      `cannot change the provider of job ${name} in state ${state}: disable it first`,
  ),
  /** A `cron` expression cron-parser cannot read. */
  cronExpression: defineError(
    'TUNASYNC_E_CRON',
    (expression: string, reason?: string) =>
      `invalid cron expression ${JSON.stringify(expression)}${reason ? `: ${reason}` : ''}`,
  ),
  /** An interval that is not a positive number of minutes. */
  interval: defineError(
    'TUNASYNC_E_INTERVAL',
    (value: number) => `invalid interval ${value}: expected a positive number of minutes`,
  ),
  /** An exec-on-success / exec-on-failure command failed (exit code or signal). */
  execCommandFailed: defineError(
    'TUNASYNC_E_EXEC_COMMAND',
    (command: string, how: string) => `command ${JSON.stringify(command)} ${how}`,
  ),
  /** ZFS: the working directory is not the mount point of a dataset. */
  zfsNotMounted: defineError(
    'TUNASYNC_E_ZFS_NOT_MOUNTED',
    (_workingDir: string, problem: string, help: string) =>
      `${problem}; you may create the ZFS dataset with:\n${help}`,
  ),
  /** Btrfs: the working directory is there but is not a subvolume. */
  btrfsNotSubvolume: defineError(
    'TUNASYNC_E_BTRFS_NOT_SUBVOLUME',
    (path: string) =>
      `${path} exists but is not a btrfs subvolume; move its content into a subvolume (btrfs subvolume create ${path}) first`,
  ),
  /** An external tool (btrfs, docker) failed. */
  toolFailed: defineError(
    'TUNASYNC_E_TOOL',
    (argv: readonly string[], how: string) => `${argv.join(' ')} ${how}`,
  ),
  /** Docker: the job's environment cannot be written to an env file. */
  dockerEnv: defineError(
    'TUNASYNC_E_DOCKER_ENV',
    (key: string) =>
      `environment variable ${key} cannot be passed to docker: names must not contain "=" or a newline and values must not contain a newline`,
  ),
  /** cgroup: setting up, filling or removing the job's group failed. */
  cgroup: defineError(
    'TUNASYNC_E_CGROUP',
    (path: string, reason: string) => `cgroup ${path}: ${reason}`,
  ),
} as const;

export type CoreErrorName = keyof typeof CORE_ERRORS;
