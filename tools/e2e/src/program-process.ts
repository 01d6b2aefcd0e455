import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { listProcessGroup } from '@tunasync/test-utils';

const KILL_AFTER_MS = 15_000;

/** How a program ended: its exit code, or the signal that ended it. */
export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProgramProcess {
  child: ChildProcess;
  /** The process group of the program and everything it started (its own pid). */
  pgid: number;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects at the deadline or exit. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /**
   * Sends `signal` (SIGTERM) and waits for the exit; SIGKILLs the whole group after 15 s so
   * no test hangs (the exit then shows the signal). Idempotent.
   */
  stop(signal?: NodeJS.Signals): Promise<ProgramExit>;
  /** SIGKILL to the whole process group, for clean-up after a failure. */
  kill(): void;
}

/**
 * Starts an executable (an installed bin shim, run as an operator would) in a process group
 * of its own, so that what it leaves behind can be found with `listProcessGroup(pgid)`.
 */
export function startProgram(
  file: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): ProgramProcess {
  const child = spawn(file, args, {
    env: options.env,
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  let spawnError: Error | undefined;
  const exited = new Promise<ProgramExit>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (err) => {
      spawnError = err;
      done({ code: null, signal: null });
    });
  });
  const running = () =>
    spawnError === undefined && child.exitCode === null && child.signalCode === null;
  const pgid = child.pid ?? -1;

  const kill = () => {
    if (pgid <= 0 || listProcessGroup(pgid).length === 0) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // the group is gone meanwhile
    }
  };

  let stopping: Promise<ProgramExit> | undefined;
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    stopping ??= (async () => {
      if (running()) child.kill(signal);
      const killer = setTimeout(kill, KILL_AFTER_MS);
      const result = await exited;
      clearTimeout(killer);
      return result;
    })();
    return stopping;
  };

  const waitForOutput = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpExecArray>((found, fail) => {
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        const m = pattern.exec(text);
        if (m) return found(m);
        if (spawnError) return fail(spawnError);
        if (!running()) return fail(new Error(`${file} exited before ${pattern}:\n${text}`));
        if (Date.now() > deadline) {
          return fail(new Error(`${file} did not print ${pattern} in ${timeoutMs} ms:\n${text}`));
        }
        setTimeout(check, 20);
      };
      check();
    });

  return { child, pgid, output: () => text, waitForOutput, stop, kill };
}
