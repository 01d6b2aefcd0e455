import { readFile, rm, stat, writeFile } from 'node:fs/promises';

/** Lock files this process holds (a file with our PID not in here is a previous process's). */
const HELD = new Set<string>();

/** Who holds a lock file, as far as it says. */
export type LockHolder =
  | { state: 'free' }
  | { state: 'held'; pid: number | undefined }
  | { state: 'stale'; reason: string };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the lock file at `file` is held: its first word is the PID of its holder. A PID that
 * is gone (or ours, without this process having taken it: a previous process with the same
 * PID, as after a restart in a container) makes it stale; a file without a PID is stale once
 * older than `timeoutMs` (ftpsync's LOCKTIMEOUT).
 */
export async function lockHolder(file: string, timeoutMs: number, now: Date): Promise<LockHolder> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, mtimeMs] = await Promise.all([
      readFile(file, 'utf8'),
      stat(file).then((s) => s.mtimeMs),
    ]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'free' };
    throw err;
  }
  const pid = Number.parseInt(text.trim().split(/\s+/)[0] ?? '', 10);
  if (Number.isSafeInteger(pid) && pid > 0) {
    if (pid === process.pid) {
      return HELD.has(file)
        ? { state: 'held', pid }
        : { state: 'stale', reason: `PID ${pid} is a previous process` };
    }
    return processAlive(pid)
      ? { state: 'held', pid }
      : { state: 'stale', reason: `PID ${pid} is gone` };
  }
  const ageMs = now.getTime() - mtimeMs;
  return ageMs > timeoutMs
    ? { state: 'stale', reason: `no PID and older than ${Math.round(timeoutMs / 1000)} s` }
    : { state: 'held', pid: undefined };
}

/**
 * Take the lock file `file` (created exclusively, holding our PID), taking over a stale one.
 * Resolves with what was taken over (undefined for a free lock); rejects with `held` when
 * another live process holds it.
 */
export async function takeLock(
  file: string,
  timeoutMs: number,
  now: Date,
): Promise<{ tookOver?: string } | { held: number | undefined }> {
  let tookOver: string | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      HELD.add(file);
      return { tookOver };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await lockHolder(file, timeoutMs, now);
    if (holder.state === 'held') return { held: holder.pid };
    if (holder.state === 'stale') {
      tookOver = holder.reason;
      await rm(file, { force: true });
    }
  }
  return { held: undefined };
}

/** Remove a lock this process took (left alone when another process holds it by now). */
export async function releaseLock(file: string): Promise<void> {
  if (!HELD.delete(file)) return;
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text.trim() === String(process.pid)) await rm(file, { force: true });
}
