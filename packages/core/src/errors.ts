import { defineErrors } from '@tunasync/api-types';
import type { ErrorCodeOf } from '@tunasync/api-types';

/** Every error `@tunasync/core` throws or reports, with its stable code. */
export const CORE_ERRORS = defineErrors({
  /** A command line (`command`, `exec_on_success`, …) cannot be split into words. */
  commandLine: {
    code: 'TUNASYNC_E_COMMAND_LINE',
    message: (text: string, reason: string) =>
      `cannot split command line ${JSON.stringify(text)}: ${reason}`,
  },
  /** A `memory_limit` that is not a size such as `256M` or `1G`. */
  memoryLimit: {
    code: 'TUNASYNC_E_MEMORY_LIMIT',
    message: (text: string) =>
      `invalid memory limit ${JSON.stringify(text)}: expected a number of bytes with an optional unit k, M, G, T or P (e.g. 256M)`,
  },
  /** A hook handler registered for a phase that does not exist. */
  unknownHookPhase: {
    code: 'TUNASYNC_E_UNKNOWN_HOOK_PHASE',
    message: (hook: string, phase: string, known: readonly string[]) =>
      `hook ${hook}: unknown phase ${JSON.stringify(phase)} (known phases: ${known.join(', ')})`,
  },
  /** A hook failed; the run fails with this message. */
  hookFailed: {
    code: 'TUNASYNC_E_HOOK',
    message: (phase: string, message: string) => `error exec hook ${phase}: ${message}`,
  },
  /** An attempt ran longer than the provider's `timeout`. */
  timeout: {
    code: 'TUNASYNC_E_TIMEOUT',
    message: (name: string, duration: string) => `${name} timeout after ${duration}`,
  },
  /** The run was ended by stop, disable, restart or halt. */
  killed: {
    code: 'TUNASYNC_E_KILLED',
    message: (name: string, action: string) => `${name} was killed (${action})`,
  },
  /** An action was asked of a job that was halted (the worker is shutting down). */
  jobHalted: {
    code: 'TUNASYNC_E_JOB_HALTED',
    message: (name: string, action: string) => `job ${name} is halted: cannot ${action}`,
  },
  /** The scheduler or gate was used after `close()`. */
  closed: { code: 'TUNASYNC_E_CLOSED', message: (what: string) => `${what} is closed` },
  /** A `concurrent` limit that is not a positive integer. */
  concurrency: {
    code: 'TUNASYNC_E_CONCURRENCY',
    message: (value: number) => `invalid concurrent limit ${value}: expected a positive integer`,
  },
  /** A provider cannot be swapped while its job runs or is active. */
  providerBusy: {
    code: 'TUNASYNC_E_PROVIDER_BUSY',
    message: (name: string, state: string) =>
      `cannot change the provider of job ${name} in state ${state}: disable it first`,
  },
  /** A `cron` expression cron-parser cannot read. */
  cronExpression: {
    code: 'TUNASYNC_E_CRON',
    message: (expression: string, reason?: string) =>
      `invalid cron expression ${JSON.stringify(expression)}${reason ? `: ${reason}` : ''}`,
  },
  /** An interval that is not a positive number of minutes. */
  interval: {
    code: 'TUNASYNC_E_INTERVAL',
    message: (value: number) => `invalid interval ${value}: expected a positive number of minutes`,
  },
  /** An exec-on-success / exec-on-failure command failed (exit code or signal). */
  execCommandFailed: {
    code: 'TUNASYNC_E_EXEC_COMMAND',
    message: (command: string, how: string) => `command ${JSON.stringify(command)} ${how}`,
  },
  /** ZFS: the working directory is not the mount point of a dataset. */
  zfsNotMounted: {
    code: 'TUNASYNC_E_ZFS_NOT_MOUNTED',
    message: (_workingDir: string, problem: string, help: string) =>
      `${problem}; you may create the ZFS dataset with:\n${help}`,
  },
  /** Btrfs: the working directory is there but is not a subvolume. */
  btrfsNotSubvolume: {
    code: 'TUNASYNC_E_BTRFS_NOT_SUBVOLUME',
    message: (path: string) =>
      `${path} exists but is not a btrfs subvolume; move its content into a subvolume (btrfs subvolume create ${path}) first`,
  },
  /** An external tool (btrfs, docker) failed. */
  toolFailed: {
    code: 'TUNASYNC_E_TOOL',
    message: (argv: readonly string[], how: string) => `${argv.join(' ')} ${how}`,
  },
  /** Docker: the job's environment cannot be written to an env file. */
  dockerEnv: {
    code: 'TUNASYNC_E_DOCKER_ENV',
    message: (key: string) =>
      `environment variable ${key} cannot be passed to docker: names must not contain "=" or a newline and values must not contain a newline`,
  },
  /** cgroup: setting up, filling or removing the job's group failed. */
  cgroup: {
    code: 'TUNASYNC_E_CGROUP',
    message: (path: string, reason: string) => `cgroup ${path}: ${reason}`,
  },
});

export type CoreErrorName = keyof typeof CORE_ERRORS;
export type CoreErrorCode = ErrorCodeOf<typeof CORE_ERRORS>;
