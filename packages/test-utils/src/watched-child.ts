import type { ChildProcess } from 'node:child_process';

const STOP_TIMEOUT_MS = 15_000;

/** A child process whose output is kept and can be waited for. */
export interface WatchedChild {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects at the deadline or exit. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (null after a signal) once the process has exited. */
  exited(): Promise<number | null>;
  /** SIGTERM, wait for the exit (SIGKILL after 15 s); returns the exit code. Idempotent. */
  stop(): Promise<number | null>;
}

/** Keeps what `child` (spawned with piped stdout/stderr) prints; `name` is used in errors. */
export function watchChild(child: ChildProcess, name: string): WatchedChild {
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (c: Buffer) => {
    output += c.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let gone = false;
  void exit.then(() => {
    gone = true;
    for (const listener of listeners) listener();
  });

  const waitForOutput = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpExecArray>((done, fail) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          finish();
          done(match);
        } else if (gone) {
          finish();
          fail(new Error(`${name} exited before printing ${pattern}:\n${output}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        fail(new Error(`${name} did not print ${pattern} in ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  let stopping: Promise<number | null> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exit;
      clearTimeout(killer);
      return code;
    })();
    return stopping;
  };
  return { output: () => output, waitForOutput, exited: () => exit, stop };
}
