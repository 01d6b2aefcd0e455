import fs from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Logger } from '@tunasync/api-types';
import { waitUntil, workerConfText, type WorkerConfOptions } from '@tunasync/test-utils';
import { loadWorkerConfig } from '../../src/config/load-worker-config';
import { createWorkerLogger } from '../../src/logging';
import { WorkerRuntime, type WorkerRuntimeOptions } from '../../src/runtime/worker-runtime';

// worker.conf for the worker's tests: test-utils' writer, the fault suite's too.
export { commandMirror, workerConfText as workerConf } from '@tunasync/test-utils';
export type { WorkerConfOptions } from '@tunasync/test-utils';

/** The worker's logger writing into memory (lines are read back, never spied on). */
export function memoryLogger(): { logger: Logger; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const logger = createWorkerLogger({ stream, withSystemd: true, debug: true });
  return { logger, text: () => chunks.join('') };
}

/** Writes worker.conf into `dir` and starts an in-process runtime on it. */
export async function startRuntime(
  dir: string,
  conf: WorkerConfOptions,
  extra: Partial<WorkerRuntimeOptions> = {},
): Promise<{ runtime: WorkerRuntime; file: string; log: () => string }> {
  const file = path.join(dir, 'worker.conf');
  await writeFile(file, workerConfText(dir, conf));
  const { config } = await loadWorkerConfig(file);
  const { logger, text } = memoryLogger();
  const runtime = await WorkerRuntime.start({
    config,
    stateDir: path.join(dir, 'state'),
    logger,
    registerWaitMs: 2000,
    haltDeliveryMs: 2000,
    backoff: { initialMs: 20, maxMs: 200 },
    killGraceMs: 500,
    ...extra,
  });
  return { runtime, file, log: text };
}

/** Polls `check` every 10 ms until it returns a value other than undefined/false (test-utils' `waitUntil`). */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  return waitUntil(what, check, timeoutMs, 10);
}

/**
 * Waits until `list()` gives the same non-empty set of pids for `settleMs` (a program that
 * forks its workers, like rsync, is then fully started), and returns it.
 */
export async function settledPids(
  what: string,
  list: () => number[],
  settleMs = 300,
  timeoutMs = 10_000,
): Promise<number[]> {
  let last = '';
  let since = Date.now();
  return waitFor(
    what,
    () => {
      const pids = list().sort((a, b) => a - b);
      const key = pids.join(',');
      if (key !== last) {
        last = key;
        since = Date.now();
        return undefined;
      }
      return pids.length > 0 && Date.now() - since >= settleMs ? pids : undefined;
    },
    timeoutMs,
  );
}

/** Live processes whose command line contains `text` (zombies left out). */
export function processesMatching(text: string): number[] {
  return scanProcesses((cmdline) => cmdline.includes(text));
}

/** Live processes whose command line starts with `text`: the program itself, not a shell running it. */
export function processesRunning(text: string): number[] {
  return scanProcesses((cmdline) => cmdline.startsWith(text));
}

function scanProcesses(match: (cmdline: string) => boolean): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state === 'Z' || state === 'X') continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (match(cmdline)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
