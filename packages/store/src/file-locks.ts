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
 * The processes holding a lock on `file` — flock(2) (bbolt, goleveldb: the Go manager),
 * POSIX fcntl (LevelDB: another tunasync-ts manager) or open-file-description locks — read
 * from Linux's `/proc/locks`, so a lock is seen without taking one (taking even a shared
 * lock would stop a Go manager from starting in that instant) and without opening a
 * database (LevelDB rotates its info log before it even tries its lock). A lock line counts
 * when its device and inode are the file's, or (on file systems such as overlayfs, whose
 * `stat` device is not the one the lock is taken on) its inode is and its process has the
 * file open. Waiters (`->` lines) are not holders. `[]` when none; `undefined` when it
 * cannot be told (no `/proc/locks`, no such file). Open-file-description locks have pid -1.
 */
export async function lockHolders(file: string): Promise<number[] | undefined> {
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
  const holders: number[] = [];
  // "3: FLOCK  ADVISORY  WRITE 31940 fe:00:2167195 0 EOF", "1: POSIX  ADVISORY  WRITE …"
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(fields[0] ?? '') || fields[1] === '->') continue;
    const [pid, id] = [fields[4] ?? '', fields[5] ?? ''];
    const at = id.lastIndexOf(':');
    if (id.slice(at + 1) !== String(info.ino)) continue;
    if (id.slice(0, at) === device || (await hasOpen(pid, real))) holders.push(Number(pid));
  }
  return holders;
}
