import { join } from 'node:path';
import { nameProblem, PROVIDER_KINDS, silentLogger, WORKER_DEFAULTS } from '@tunasync/api-types';
import type {
  Logger,
  MirrorConfigFile,
  Stage1Profile,
  WorkerConfigFile,
} from '@tunasync/api-types';
import {
  createBtrfsSnapshotHook,
  createCgroupHook,
  createDockerHook,
  createExecHook,
  createLogLimiterHook,
  createZfsHook,
  mergeExecCommands,
  parseMemoryLimit,
} from '@tunasync/core';
import type { JobHook, LogLimiterHookOptions } from '@tunasync/core';
import type { BaseProvider, BaseProviderOptions } from './base-provider';
import { CommandProvider, splitCommandOption } from './command-provider';
import type { ConfigProblem } from './errors';
import { PROVIDER_ERRORS, ProviderConfigError } from './errors';
import { goRegexpProblem } from './go-regexp';
import { expandLogDirTemplate } from './log-dir-template';
import type { Sleep } from './process-runner';
import { RsyncProvider } from './rsync-provider';
import { TwoStageRsyncProvider, UIP_DEFAULTS } from './two-stage-rsync-provider';

/**
 * The parts of worker.conf a provider is built from: `[global]` and the hook sections,
 * as `WorkerConfigFile` types them (the worker's loaded config, with defaults applied, fits).
 */
export type ProviderGlobalConfig = Pick<
  WorkerConfigFile,
  'global' | 'cgroup' | 'zfs' | 'btrfs_snapshot' | 'docker'
>;

export interface CreateProviderOptions {
  /** Receives the warnings (e.g. `rsync_success_exit_codes` on a command mirror) and the runs' logs. */
  logger?: Logger;
  /** The environment the commands inherit (default `process.env`). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Time between SIGTERM and SIGKILL when a run is stopped (default 2000 ms). */
  killGraceMs?: number;
  /** Injectable wait used while stopping (tests). */
  sleep?: Sleep;
  /** Options of the log limiter hook (its clock, how many logs to keep). */
  logLimiter?: LogLimiterHookOptions;
}

/** What checking a mirror found: problems make `createProvider` throw; warnings are logged. */
export interface MirrorConfigCheck {
  problems: ConfigProblem[];
  warnings: string[];
}

type AnyProvider = RsyncProvider | TwoStageRsyncProvider | CommandProvider;

interface Plan extends MirrorConfigCheck {
  build: () => { provider: AnyProvider; hooks: JobHook[] };
}

/** The keys of Debian archive mirroring (two-stage-rsync only). */
const DEBIAN_KEYS = [
  'trace_hostname',
  'uip_retries',
  'uip_sleep',
  'max_delete',
  'delete_delay',
  'lock_timeout',
  'release_last',
] as const;

/** `0` or unset means "not set", as in the Go program. */
function firstSet(...values: (number | undefined)[]): number | undefined {
  return values.find((v) => v !== undefined && v !== 0);
}

function codesProblem(
  mirror: string,
  key: string,
  codes: readonly number[] | undefined,
  problems: ConfigProblem[],
): readonly number[] {
  if (codes === undefined) return [];
  if (!Array.isArray(codes) || codes.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) {
    problems.push({ mirror, key, reason: 'must be a list of exit codes (integers 0-255)' });
    return [];
  }
  return codes;
}

function checkCommands(
  mirror: string,
  key: string,
  commands: readonly string[] | undefined,
  problems: ConfigProblem[],
): void {
  (commands ?? []).forEach((text, i) => splitCommandOption(mirror, `${key}[${i}]`, text, problems));
}

function memoryLimitOf(
  mirror: string,
  text: string | number | undefined,
  problems: ConfigProblem[],
): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (typeof text === 'number') {
    if (Number.isSafeInteger(text) && text > 0) return text;
    problems.push({ mirror, key: 'memory_limit', reason: 'must be a positive number of bytes' });
    return undefined;
  }
  try {
    return parseMemoryLimit(text);
  } catch (err) {
    problems.push({ mirror, key: 'memory_limit', reason: (err as Error).message });
    return undefined;
  }
}

function plan(
  mirror: MirrorConfigFile,
  config: ProviderGlobalConfig,
  options: CreateProviderOptions,
): Plan {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const global = config.global ?? {};
  const name = mirror.name ?? '';
  const label = name === '' ? '<unnamed>' : name;
  const problem = (key: string, reason: string): void => {
    problems.push({ mirror: label, key, reason });
  };

  const badName = mirror.name === undefined ? 'is required' : nameProblem(mirror.name);
  if (badName) problem('name', badName);
  const kind = mirror.provider;
  if (kind === undefined || !(PROVIDER_KINDS as readonly string[]).includes(kind)) {
    problem('provider', `must be one of ${PROVIDER_KINDS.join(', ')}`);
  }
  const isRsync = kind === 'rsync' || kind === 'two-stage-rsync';

  const interval = firstSet(mirror.interval, global.interval) ?? WORKER_DEFAULTS.interval;
  const retry = firstSet(mirror.retry, global.retry) ?? WORKER_DEFAULTS.retry;
  const timeout = firstSet(mirror.timeout, global.timeout) ?? WORKER_DEFAULTS.timeout;
  if (!(interval > 0)) problem('interval', 'must be a positive number of minutes');
  if (!Number.isInteger(retry) || retry < 1) problem('retry', 'must be a positive integer');
  if (!(timeout >= 0)) problem('timeout', 'must be a number of seconds (0 = none)');

  let isMaster = true;
  if (mirror.role === 'slave') isMaster = false;
  else if (mirror.role !== undefined && mirror.role !== 'master') {
    problem('role', 'must be "master" or "slave"');
  }

  let workingDir = mirror.mirror_dir ?? '';
  if (workingDir === '') {
    if (global.mirror_dir) workingDir = join(global.mirror_dir, mirror.mirror_subdir ?? '', name);
    else problem('global.mirror_dir', 'must be set when the mirror sets no mirror_dir');
  }

  let logDir = '';
  const logDirTemplate = mirror.log_dir || global.log_dir;
  if (!logDirTemplate) problem('global.log_dir', 'must be set when the mirror sets no log_dir');
  else {
    try {
      logDir = expandLogDirTemplate(logDirTemplate, { ...mirror, interval, retry, timeout });
    } catch (err) {
      problem(mirror.log_dir ? 'log_dir' : 'global.log_dir', (err as Error).message);
    }
  }

  const env = mirror.env ?? {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string') problem(`env.${key}`, 'must be a string');
  }

  const codes = [
    ...codesProblem(
      label,
      'global.dangerous_global_success_exit_codes',
      global.dangerous_global_success_exit_codes,
      problems,
    ),
    ...codesProblem(label, 'success_exit_codes', mirror.success_exit_codes, problems),
  ];
  if (isRsync) {
    codes.push(
      ...codesProblem(
        label,
        'global.dangerous_global_rsync_success_exit_codes',
        global.dangerous_global_rsync_success_exit_codes,
        problems,
      ),
      ...codesProblem(label, 'rsync_success_exit_codes', mirror.rsync_success_exit_codes, problems),
    );
  } else if (kind === 'command' && mirror.rsync_success_exit_codes !== undefined) {
    warnings.push(
      `mirror ${label}: rsync_success_exit_codes is ignored for a command mirror (use success_exit_codes)`,
    );
  }
  if (kind !== 'two-stage-rsync') {
    for (const key of DEBIAN_KEYS) {
      if (mirror[key] !== undefined) {
        warnings.push(`mirror ${label}: ${key} is ignored (only two-stage-rsync uses it)`);
      }
    }
  }
  if (isRsync && mirror.use_ipv4 === true && mirror.use_ipv6 === true) {
    warnings.push(`mirror ${label}: both use_ipv6 and use_ipv4 are set: use_ipv6 wins`);
  }
  if (
    mirror.rsync_timeout !== undefined &&
    !(Number.isInteger(mirror.rsync_timeout) && mirror.rsync_timeout >= 0)
  ) {
    problem('rsync_timeout', 'must be a non-negative integer (seconds)');
  }

  // Checked even where this mirror does not use them (a bad value is a bad config): the
  // memory limit without Docker or cgroup, the patterns and rsync_override_only of kinds
  // other than command and rsync (whose constructors check them below).
  const memoryLimit = memoryLimitOf(label, mirror.memory_limit, problems);
  if (kind !== 'command') {
    for (const key of ['fail_on_match', 'size_pattern'] as const) {
      const pattern = mirror[key];
      const why = pattern ? goRegexpProblem(pattern, key === 'size_pattern') : undefined;
      if (why) problem(key, why);
    }
  }
  if (
    kind !== 'rsync' &&
    mirror.rsync_override_only === true &&
    mirror.rsync_override === undefined
  ) {
    problem('rsync_override_only', 'is set but rsync_override is not');
  }

  // Hooks, in the order of SPEC §4.5.
  const hookMakers: (() => JobHook)[] = [() => createLogLimiterHook(options.logLimiter)];
  if (config.zfs?.enable === true) {
    const zpool = config.zfs.zpool ?? '';
    if (zpool === '') problem('zfs.zpool', 'must be set when zfs is enabled');
    hookMakers.push(() => createZfsHook({ zpool }));
  }
  if (config.btrfs_snapshot?.enable === true) {
    const snapshotPath = config.btrfs_snapshot.snapshot_path ?? '';
    const mirrorSnapshotPath = mirror.snapshot_path || undefined;
    if (snapshotPath === '' && mirrorSnapshotPath === undefined) {
      problem(
        'btrfs_snapshot.snapshot_path',
        'must be set when btrfs_snapshot is enabled (or snapshot_path on the mirror)',
      );
    }
    hookMakers.push(() => createBtrfsSnapshotHook({ snapshotPath, mirrorSnapshotPath }));
  }
  const dockerImage = mirror.docker_image ?? '';
  if (config.docker?.enable === true && dockerImage !== '') {
    const docker = config.docker;
    hookMakers.push(() =>
      createDockerHook({
        image: dockerImage,
        volumes: [...(docker.volumes ?? []), ...(mirror.docker_volumes ?? [])],
        options: [...(docker.options ?? []), ...(mirror.docker_options ?? [])],
        memoryLimit,
        excludeFile: mirror.exclude_file || undefined,
      }),
    );
  } else if (config.cgroup?.enable === true) {
    const cgroup = config.cgroup;
    hookMakers.push(() =>
      createCgroupHook({
        basePath: cgroup.base_path || WORKER_DEFAULTS.cgroup_base_path,
        group: cgroup.group || WORKER_DEFAULTS.cgroup_group,
        subsystem: cgroup.subsystem || WORKER_DEFAULTS.cgroup_subsystem,
        memoryLimit,
      }),
    );
  }
  for (const kindOfExec of ['success', 'failure'] as const) {
    const key = `exec_on_${kindOfExec}` as const;
    const extraKey = `exec_on_${kindOfExec}_extra` as const;
    checkCommands(label, `global.${key}`, global[key], problems);
    checkCommands(label, key, mirror[key], problems);
    checkCommands(label, extraKey, mirror[extraKey], problems);
    const commands = mergeExecCommands(global[key], mirror[key], mirror[extraKey]);
    if (commands.length > 0) hookMakers.push(() => createExecHook({ kind: kindOfExec, commands }));
  }

  const base: BaseProviderOptions = {
    name,
    upstream: mirror.upstream ?? '',
    workingDir,
    logDir,
    interval,
    retry,
    timeout,
    isMaster,
    env,
    successExitCodes: [...new Set(codes)],
    baseEnv: options.baseEnv,
    killGraceMs: options.killGraceMs,
    sleep: options.sleep,
    logger: options.logger,
  };
  const rsyncCommon = {
    rsyncCommand: mirror.command || undefined,
    username: mirror.username,
    password: mirror.password,
    excludeFile: mirror.exclude_file || undefined,
    rsyncNoTimeout: mirror.rsync_no_timeout,
    rsyncTimeout: mirror.rsync_timeout,
    useIPv6: mirror.use_ipv6,
    useIPv4: mirror.use_ipv4,
    rsyncOptions: mirror.rsync_options,
  };

  // Constructing the provider finds the provider-specific problems; do it now to report them.
  let provider: AnyProvider | undefined;
  if (kind === 'command' && (mirror.command ?? '') === '')
    problem('command', 'must be set for a command mirror');
  if (kind === 'two-stage-rsync' && mirror.stage1_profile === undefined) {
    problem(
      'stage1_profile',
      'must be set for a two-stage-rsync mirror (debian or debian-oldstyle)',
    );
  }
  {
    try {
      if (kind === 'rsync') {
        provider = new RsyncProvider({
          ...base,
          ...rsyncCommon,
          globalRsyncOptions: global.rsync_options,
          rsyncOverride: mirror.rsync_override,
          rsyncOverrideOnly: mirror.rsync_override_only,
        });
      } else if (kind === 'two-stage-rsync' && mirror.stage1_profile !== undefined) {
        provider = new TwoStageRsyncProvider({
          ...base,
          ...rsyncCommon,
          stage1Profile: mirror.stage1_profile as Stage1Profile,
          trace:
            mirror.trace_hostname === undefined
              ? undefined
              : {
                  hostname: mirror.trace_hostname,
                  maintainer: mirror.trace_maintainer,
                  sponsor: mirror.trace_sponsor,
                  country: mirror.trace_country,
                  location: mirror.trace_location,
                  throughput: mirror.trace_throughput,
                  architecturesConfiguration: mirror.trace_architectures_configuration,
                },
          maxDelete: mirror.max_delete,
          deleteDelay: mirror.delete_delay,
          releaseLast: mirror.release_last,
          lockTimeoutSeconds: mirror.lock_timeout,
          upstreamInProgress:
            mirror.uip_retries === undefined && mirror.uip_sleep === undefined
              ? undefined
              : {
                  retries: mirror.uip_retries ?? UIP_DEFAULTS.retries,
                  sleepSeconds: mirror.uip_sleep ?? UIP_DEFAULTS.sleepSeconds,
                },
        });
      } else if (kind === 'command' && (mirror.command ?? '') !== '') {
        provider = new CommandProvider({
          ...base,
          command: mirror.command ?? '',
          failOnMatch: mirror.fail_on_match,
          sizePattern: mirror.size_pattern,
        });
      }
    } catch (err) {
      if (err instanceof ProviderConfigError) {
        problems.push(...err.problems.map((p) => ({ ...p, mirror: label })));
      } else throw err;
    }
  }

  return {
    problems,
    warnings,
    build: () => {
      if (problems.length > 0 || provider === undefined) throw PROVIDER_ERRORS.config(problems);
      return { provider, hooks: hookMakers.map((make) => make()) };
    },
  };
}

/**
 * Check one mirror of worker.conf without building anything that runs: every problem
 * (naming the mirror and the key) and every warning.
 */
export function checkMirrorConfig(
  mirror: MirrorConfigFile,
  config: ProviderGlobalConfig,
): MirrorConfigCheck {
  const { problems, warnings } = plan(mirror, config, {});
  return { problems, warnings };
}

/**
 * Build the provider of one mirror (a leaf of `[[mirrors]]`, its inherited keys applied)
 * with its hooks attached in the order of SPEC §4.5: log limiter, ZFS, Btrfs snapshot,
 * Docker (with `docker_image`) or cgroup, exec-on-success, exec-on-failure. Warnings go to
 * `options.logger`.
 *
 * @throws ProviderConfigError listing every problem, each naming the mirror and the key.
 */
export function createProvider(
  mirror: MirrorConfigFile,
  config: ProviderGlobalConfig,
  options: CreateProviderOptions = {},
): BaseProvider {
  const planned = plan(mirror, config, options);
  const logger = options.logger ?? silentLogger;
  for (const warning of planned.warnings) logger.warn(warning);
  const { provider, hooks } = planned.build();
  for (const hook of hooks) provider.addHook(hook);
  if (provider.successExitCodes.length > 0) {
    logger.info(
      `mirror ${provider.name}: non-zero success exit codes ${provider.successExitCodes.join(', ')}`,
    );
  }
  return provider;
}
