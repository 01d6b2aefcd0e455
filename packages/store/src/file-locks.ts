import { readFile, stat } from 'node:fs/promises';

/**
 * The processes holding a lock on `file` — flock(2) (bbolt, goleveldb), POSIX fcntl (LevelDB)
 * or open-file-description locks — read from Linux's `/proc/locks`, so a lock is seen
 * without taking one (taking even a shared lock would stop a Go manager from starting in
 * that instant). Waiters (`->` lines) are not holders. `[]` when none; `undefined` when it
 * cannot be told (no `/proc/locks`, no such file). Open-file-description locks have pid -1.
 */
export async function lockHolders(file: string): Promise<number[] | undefined> {
  const [info, table] = await Promise.all([
    stat(file, { bigint: true }).catch(() => undefined),
    readFile('/proc/locks', 'utf8').catch(() => undefined),
  ]);
  if (info === undefined || table === undefined || !info.isFile()) return undefined;
  // dev_t as glibc encodes it: major in bits 8–19 and 32–43, minor in bits 0–7 and 20–31.
  const dev = info.dev;
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const id = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${info.ino}`;
  // "3: FLOCK  ADVISORY  WRITE 31940 fe:00:2167195 0 EOF"
  const holders: number[] = [];
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === '->' || fields[5] !== id) continue;
    holders.push(Number(fields[4]));
  }
  return holders;
}
