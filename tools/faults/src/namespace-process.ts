import { spawn, type ChildProcess } from 'node:child_process';

const STOP_TIMEOUT_MS = 15_000;

/** A program run inside a network namespace with `ip netns exec` (which execs it: same pid). */
export interface NamespaceProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern`; rejects at the deadline or at its exit. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after 15 s; resolves with the exit code. Idempotent. */
  stop(): Promise<number | null>;
}

/** Starts `node SCRIPT ARGS` inside `ns`. */
export function startInNamespace(ns: string, script: string, args: string[]): NamespaceProcess {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (c: Buffer) => {
    output += c.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let gone = false;
  const exit = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      gone = true;
      for (const listener of listeners) listener();
      done(code);
    }),
  );
  const waitForOutput = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpExecArray>((done, fail) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          finish();
          done(match);
        } else if (gone) {
          finish();
          fail(new Error(`${script} in ${ns} exited before printing ${pattern}:\n${output}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        fail(
          new Error(`${script} in ${ns} did not print ${pattern} in ${timeoutMs} ms:\n${output}`),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  let stopping: Promise<number | null> | undefined;
  return {
    child,
    output: () => output,
    waitForOutput,
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        const code = await exit;
        clearTimeout(killer);
        return code;
      })();
      return stopping;
    },
  };
}
