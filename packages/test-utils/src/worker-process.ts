import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { watchChild } from './watched-child';

/** The built worker's entry, found from the repository root (never imported). */
export const WORKER_BIN = resolve(
  __dirname,
  '..',
  '..',
  '..',
  'apps',
  'worker',
  'bin',
  'tunasync-worker.js',
);

export interface WorkerProcessOptions {
  /** worker.conf to run (the caller writes it, in a temp dir of its own). */
  configFile: string;
  /** `--state-dir`: keep it to restart on the same outboxes and job states. */
  stateDir: string;
  /** Extra command-line flags (`--verbose`, …). */
  args?: string[];
  /** Environment of the worker (the test's own by default). */
  env?: NodeJS.ProcessEnv;
  /**
   * Wait for "worker started … control server at URL" (10 s by default); 0: return at once,
   * before the worker has read its config (`controlUrl` is then found later by `started()`).
   */
  timeoutMs?: number;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the worker printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects at the deadline or exit. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Waits for the start-up line and resolves with the control server's URL. */
  started(timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (null after a signal) once the process has exited. */
  exited(): Promise<number | null>;
  /** SIGKILL, as a crash: nothing of the worker's own clean-up runs. Resolves at the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, wait for the exit (SIGKILL after 15 s); returns the exit code. Idempotent. */
  stop(): Promise<number | null>;
}

const STARTED = /worker started with \d+ mirror\(s\); control server at (https?:\/\/\S+)/;

/**
 * Starts the built `tunasync-worker` as a real child process on a worker.conf the caller
 * wrote. Run `npx nx run @tunasync/worker:build` first (depend on it in Nx).
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  if (!existsSync(resolve(WORKER_BIN, '..', '..', 'dist', 'cli.js'))) {
    throw new Error(
      'apps/worker is not built: run `npx nx run @tunasync/worker:build` (or make this test target depend on it)',
    );
  }
  const child = spawn(
    process.execPath,
    [
      WORKER_BIN,
      '--config',
      options.configFile,
      '--state-dir',
      options.stateDir,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env },
  );
  const watched = watchChild(child, 'tunasync-worker');
  const { waitForOutput, stop } = watched;

  const worker: WorkerProcess = {
    child,
    pid: child.pid ?? -1,
    output: watched.output,
    waitForOutput,
    started: async (timeoutMs = 10_000) => {
      const match = await waitForOutput(STARTED, timeoutMs);
      return match[1] as string;
    },
    exited: watched.exited,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await watched.exited();
    },
    stop,
  };
  if (options.timeoutMs !== 0) {
    try {
      await worker.started(options.timeoutMs);
    } catch (err) {
      await stop();
      throw err;
    }
  }
  return worker;
}
