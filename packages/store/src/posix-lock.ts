import { readFile, stat } from 'node:fs/promises';

/**
 * Whether any process holds a POSIX (fcntl) lock on `file` — LevelDB's `LOCK` — read from
 * Linux's `/proc/locks`, so that the lock is seen without opening the database (LevelDB
 * rotates its info log before it even tries the lock). `undefined` when it cannot be told
 * (no `/proc/locks`, no such file): LevelDB's own lock check still applies then.
 */
export async function isPosixLocked(file: string): Promise<boolean | undefined> {
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
  // "1: POSIX  ADVISORY  WRITE 7287 fe:00:2146837 0 EOF" (blocked waiters have "->")
  return table
    .split('\n')
    .some((line) => /^\d+: POSIX /.test(line) && line.split(/\s+/).includes(id));
}
