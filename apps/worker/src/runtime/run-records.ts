import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@tunasync/api-types';
import { StateDirBusyError } from '../errors';

/**
 * The environment variable every process a worker life starts carries (rsync, commands,
 * docker clients and whatever they fork), with that life's token as value. A token is
 * random, so a pid reused by an unrelated process never matches.
 */
export const RUN_TOKEN_ENV = 'TUNASYNC_WORKER_RUN';

const RUNS = 'runs';

/** `<state dir>/runs/<token>.json`: one worker life whose children may still run. */
export interface RunRecord {
  token: string;
  /** The worker's pid and its start time (`/proc/<pid>/stat` field 22), to tell a live owner. */
  pid: number;
  pid_start: string;
  started: string;
}

interface ProcInfo {
  pid: number;
  pgid: number;
  state: string;
  start: string;
}

function procInfo(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, , pgid] = fields;
  const start = fields[19];
  if (state === undefined || pgid === undefined || start === undefined) return undefined;
  return { pid, pgid: Number(pgid), state, start };
}

function alive(info: ProcInfo | undefined): info is ProcInfo {
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

/** Start time of a process (clock ticks since boot), or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  return procInfo(pid)?.start;
}

/** Live processes whose environment carries `RUN_TOKEN_ENV=<token>` (needs /proc). */
export function processesWithToken(token: string): ProcInfo[] {
  const wanted = `${RUN_TOKEN_ENV}=${token}`;
  const found: ProcInfo[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    if (!environ.split('\0').includes(wanted)) continue;
    const info = procInfo(pid);
    if (alive(info)) found.push(info);
  }
  return found;
}

function signalAll(targets: ProcInfo[], signal: NodeJS.Signals): void {
  const ownGroup = procInfo(process.pid)?.pgid;
  const groups = new Set(targets.map((t) => t.pgid).filter((g) => g > 1 && g !== ownGroup));
  for (const group of groups) {
    try {
      process.kill(-group, signal);
    } catch {
      // already gone
    }
  }
  for (const target of targets) {
    try {
      process.kill(target.pid, signal);
    } catch {
      // already gone
    }
  }
}

async function waitGone(targets: ProcInfo[], ms: number): Promise<ProcInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = targets.filter((t) => {
      const now = procInfo(t.pid);
      return alive(now) && now.start === t.start;
    });
    if (left.length === 0 || Date.now() >= deadline) return left;
    await delay(20);
  }
}

export interface ReapOptions {
  /** Time between SIGTERM and SIGKILL (default 2000 ms, as for a stopped run). */
  graceMs?: number;
}

/**
 * Finds what earlier lives of this worker left running (a worker killed with SIGKILL
 * leaves its syncs behind, each in its own process group) and terminates it: SIGTERM to
 * every process group, SIGKILL after the grace time. Refuses (StateDirBusyError) when the
 * owner of a record is still alive: then another worker uses this state directory.
 * Resolves with the number of processes terminated.
 */
export async function reapLeftoverRuns(
  stateDir: string,
  logger: Logger,
  options: ReapOptions = {},
): Promise<number> {
  const dir = path.join(stateDir, RUNS);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  } catch {
    return 0;
  }
  let reaped = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    let record: RunRecord;
    try {
      record = JSON.parse(await readFile(file, 'utf8')) as RunRecord;
    } catch {
      await rm(file, { force: true });
      continue;
    }
    if (record.pid !== process.pid && processStartTime(record.pid) === record.pid_start) {
      throw new StateDirBusyError(stateDir, record.pid);
    }
    const left = processesWithToken(record.token);
    if (left.length > 0) {
      logger.warn(
        `terminating ${left.length} process(es) left running by a previous life of this worker (pid ${record.pid})`,
        { pids: left.map((p) => p.pid) },
      );
      signalAll(left, 'SIGTERM');
      let still = await waitGone(left, options.graceMs ?? 2000);
      if (still.length > 0) {
        signalAll(still, 'SIGKILL');
        still = await waitGone(still, 5000);
      }
      if (still.length > 0) {
        logger.error(`processes ${still.map((p) => p.pid).join(', ')} could not be terminated`);
      }
      reaped += left.length - still.length;
    }
    await rm(file, { force: true });
  }
  return reaped;
}

/** A new life: a fresh token, recorded in the state directory before any run starts. */
export async function writeRunRecord(stateDir: string): Promise<RunRecord & { file: string }> {
  const dir = path.join(stateDir, RUNS);
  await mkdir(dir, { recursive: true });
  const record: RunRecord = {
    token: randomUUID(),
    pid: process.pid,
    pid_start: processStartTime(process.pid) ?? '',
    started: new Date().toISOString(),
  };
  const file = path.join(dir, `${record.token}.json`);
  await writeFile(file, JSON.stringify(record), { mode: 0o600 });
  return { ...record, file };
}
