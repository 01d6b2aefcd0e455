import { readdir, readFile, realpath, stat } from 'node:fs/promises';

/** Whether process `pid` has `file` (a real path) open. */
async function hasOpen(pid: string, file: string): Promise<boolean> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    if ((await realpath(`/proc/${pid}/fd/${fd}`).catch(() => '')) === file) return true;
  }
  return false;
}

/**
 * Whether any process holds a POSIX (fcntl) lock on `file` — LevelDB's `LOCK` — read from
 * Linux's `/proc/locks`, so that the lock is seen without opening the database (LevelDB
 * rotates its info log before it even tries the lock). A lock line counts when its device
 * and inode are the file's, or (on file systems such as overlayfs, whose `stat` device is not
 * the one the lock is taken on) its inode is and its process has the file open. `undefined`
 * when it cannot be told (no `/proc/locks`, no such file): LevelDB's own lock check still
 * applies then.
 */
export async function isPosixLocked(file: string): Promise<boolean | undefined> {
  const [info, table, real] = await Promise.all([
    stat(file, { bigint: true }).catch(() => undefined),
    readFile('/proc/locks', 'utf8').catch(() => undefined),
    realpath(file).catch(() => file),
  ]);
  if (info === undefined || table === undefined || !info.isFile()) return undefined;
  // dev_t as glibc encodes it: major in bits 8–19 and 32–43, minor in bits 0–7 and 20–31.
  const dev = info.dev;
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const device = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
  // "1: POSIX  ADVISORY  WRITE 7287 fe:00:2146837 0 EOF" (blocked waiters have "->")
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(fields[0] ?? '') || fields[1] !== 'POSIX') continue;
    const [pid, id] = [fields[4] ?? '', fields[5] ?? ''];
    const at = id.lastIndexOf(':');
    if (id.slice(at + 1) !== String(info.ino)) continue;
    if (id.slice(0, at) === device || (await hasOpen(pid, real))) return true;
  }
  return false;
}
