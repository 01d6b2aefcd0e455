import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { silentLogger } from '@tunasync/api-types';
import type { Logger } from '@tunasync/api-types';
import type { CommandSpec, CommandWrapper } from '@tunasync/core';
import { PROVIDER_ERRORS } from './errors';
import { processGroupAlive, signalProcessGroup } from './process-group';

/** The log file that means "no log". */
export const NO_LOG = '/dev/null';

/** Default time between SIGTERM and SIGKILL (SPEC §4.3). */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** How a process ended. */
export interface ProcessExit {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Waits; injectable so tests can control time. Must resolve after about `ms` milliseconds. */
export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StartProcessOptions extends CommandSpec {
  /** stdout and stderr go here; `/dev/null` discards them. The parent dir is created. */
  logFile: string;
  /** Append to the log file instead of truncating it. */
  appendLog?: boolean;
  /** The worker's environment, under `env` (default `process.env`). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Changes the command before it is spawned (Docker, cgroup) and helps stopping it. */
  wrapper?: CommandWrapper;
  /** Time between SIGTERM and SIGKILL (default 2000 ms). */
  killGraceMs?: number;
  /** How often to look whether the process group is gone (default 20 ms). */
  pollMs?: number;
  sleep?: Sleep;
  logger?: Logger;
}

/** A started command, alone in its own process group. */
export interface RunningProcess {
  /** Process id of the command, and id of its process group. */
  readonly pid: number;
  /** The argv that was spawned (after the wrapper). */
  readonly argv: readonly string[];
  /**
   * Resolves when the command has exited and no process of its group is left: anything
   * the command left behind is stopped like by `terminate()`.
   */
  wait(): Promise<ProcessExit>;
  /**
   * SIGTERM to the whole group (after the wrapper's own `terminate`), SIGKILL after the
   * grace time to whatever is left; resolves when the group is gone. Idempotent.
   */
  terminate(): Promise<void>;
}

function mergeEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  return Object.assign(env, extra);
}

function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return `${e.path ?? 'file'}: no such file or directory`;
  if (e.code === 'EACCES') return `${e.path ?? 'file'}: permission denied`;
  return e.message ?? String(err);
}

async function openLog(file: string, append: boolean): Promise<FileHandle | undefined> {
  if (file === NO_LOG) return undefined;
  await mkdir(dirname(file), { recursive: true });
  return open(file, append ? 'a' : 'w', 0o644);
}

function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
}

/**
 * Start a command without a shell: working directory created when missing, environment =
 * `baseEnv` + `env` (later wins), stdout and stderr to the log file, its own process
 * group (so a stop reaches every process it started).
 *
 * @throws TunasyncError `TUNASYNC_E_SPAWN` when the command cannot start (missing program,
 *   working directory or log file that cannot be created, wrapper failure).
 */
export async function startProcess(options: StartProcessOptions): Promise<RunningProcess> {
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? realSleep;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const pollMs = options.pollMs ?? 20;
  const program = options.argv[0];
  if (program === undefined || program === '') {
    throw PROVIDER_ERRORS.spawn('an empty command', 'nothing to run');
  }

  let log: FileHandle | undefined;
  let child: ChildProcess;
  let spec: CommandSpec = { argv: options.argv, cwd: options.cwd, env: options.env };
  try {
    await mkdir(options.cwd, { recursive: true });
    // The log file exists before the wrapper runs: Docker mounts it.
    log = await openLog(options.logFile, options.appendLog === true);
    if (options.wrapper) spec = await options.wrapper.wrap(spec);
    if (spec.cwd !== options.cwd) await mkdir(spec.cwd, { recursive: true });
    const stdio: StdioOptions = log ? ['ignore', log.fd, log.fd] : 'ignore';
    logger.debug(`starting ${spec.argv.join(' ')} in ${spec.cwd}`);
    child = spawn(spec.argv[0] as string, spec.argv.slice(1), {
      cwd: spec.cwd,
      env: mergeEnv(options.baseEnv ?? process.env, spec.env),
      detached: true,
      stdio,
    });
    await spawned(child);
  } catch (err) {
    throw PROVIDER_ERRORS.spawn.withCause(err, spec.argv[0] ?? program, reasonOf(err));
  } finally {
    await log?.close();
  }

  const pid = child.pid as number;
  const exited = new Promise<ProcessExit>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
    } else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const waitGone = async (limitMs: number): Promise<boolean> => {
    let waited = 0;
    while (processGroupAlive(pid)) {
      if (waited >= limitMs) return false;
      await sleep(pollMs);
      waited += pollMs;
    }
    return true;
  };

  let stopping: Promise<void> | undefined;
  const stopGroup = (): Promise<void> =>
    (stopping ??= (async () => {
      if (options.wrapper?.terminate) {
        try {
          await options.wrapper.terminate();
        } catch (err) {
          logger.warn(`${options.wrapper.name}: stopping failed: ${reasonOf(err)}`);
        }
      }
      signalProcessGroup(pid, 'SIGTERM');
      if (!(await waitGone(killGraceMs))) {
        logger.warn(
          `process group ${pid} still alive ${killGraceMs} ms after SIGTERM: SIGKILL sent`,
        );
        signalProcessGroup(pid, 'SIGKILL');
        await waitGone(Number.POSITIVE_INFINITY);
      }
    })());

  let finished: Promise<ProcessExit> | undefined;
  const wait = (): Promise<ProcessExit> =>
    (finished ??= (async () => {
      const exit = await exited;
      if (processGroupAlive(pid)) {
        logger.warn(`${program} exited but left processes in its group: stopping them`);
        await stopGroup();
      }
      return exit;
    })());

  return {
    pid,
    argv: spec.argv,
    wait,
    terminate: async () => {
      await stopGroup();
      await wait();
    },
  };
}

/** Text for a failed exit: `exited with code N` or `was killed by signal S`. */
export function describeProcessExit(exit: ProcessExit): string {
  return exit.signal !== null
    ? `was killed by signal ${exit.signal}`
    : `exited with code ${String(exit.code)}`;
}
