import { spawn, type ChildProcess } from 'node:child_process';
import { watchChild, type WatchedChild } from '@tunasync/test-utils';

/** A program run inside a network namespace with `ip netns exec` (which execs it: same pid). */
export interface NamespaceProcess extends WatchedChild {
  child: ChildProcess;
}

/** Starts `node SCRIPT ARGS` inside `ns`. */
export function startInNamespace(ns: string, script: string, args: string[]): NamespaceProcess {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, ...watchChild(child, `${script} in ${ns}`) };
}
