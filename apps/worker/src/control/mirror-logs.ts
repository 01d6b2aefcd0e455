import { constants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** One log file of a mirror in its log directory. */
export interface MirrorLogFile {
  /** The file's name in the log directory (`<mirror>_<YYYY-MM-DD_HH_MM>.log[.fail]`). */
  name: string;
  size: number;
  /** Last modification, RFC 3339. */
  modified: string;
  /** The file the `latest` symlink points at (the current or last run's). */
  latest: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The names the log limiter gives a mirror's log files (and nothing else). */
function ownLogName(mirror: string): RegExp {
  return new RegExp(`^${escapeRegExp(mirror)}_\\d{4}-\\d{2}-\\d{2}_\\d{2}_\\d{2}\\.log(\\.fail)?$`);
}

/** What the `latest` symlink names, when it is a symlink to a plain name in the same dir. */
async function latestName(logDir: string): Promise<string | undefined> {
  try {
    const target = await readlink(path.join(logDir, 'latest'));
    return target.includes('/') ? undefined : target;
  } catch {
    return undefined;
  }
}

/**
 * The log files of `mirror` in `logDir`, newest first: only regular files (never a symlink,
 * so nothing outside the directory) whose names the log limiter gives that mirror. The
 * directory is listed; no name from a request is ever made into a path.
 */
export async function listMirrorLogs(logDir: string, mirror: string): Promise<MirrorLogFile[]> {
  let names: string[];
  try {
    names = await readdir(logDir);
  } catch {
    return [];
  }
  const own = ownLogName(mirror);
  const latest = await latestName(logDir);
  const files: Array<MirrorLogFile & { mtime: number }> = [];
  for (const name of names.filter((n) => own.test(n))) {
    try {
      const s = await lstat(path.join(logDir, name));
      if (!s.isFile()) continue;
      files.push({
        name,
        size: s.size,
        modified: s.mtime.toISOString(),
        latest: name === latest,
        mtime: s.mtimeMs,
      });
    } catch {
      // gone between the listing and the lstat
    }
  }
  files.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  return files.map(({ mtime: _mtime, ...file }) => file);
}

/**
 * The log file to show: the one named `wanted` if it is among `listMirrorLogs` (compared as
 * text, never used as a path), else — when `wanted` is undefined — the one `latest` points
 * at, or the newest. Undefined when there is none (or `wanted` is not one of them).
 */
export function pickMirrorLog(
  files: readonly MirrorLogFile[],
  wanted: string | undefined,
): MirrorLogFile | undefined {
  if (wanted !== undefined) return files.find((f) => f.name === wanted);
  return files.find((f) => f.latest) ?? files[0];
}

/** The largest tail read, whatever the number of lines asked (8 MiB). */
export const MAX_TAIL_BYTES = 8 * 1024 * 1024;

/**
 * The last `lines` lines of an open file of `size` bytes (at most `MAX_TAIL_BYTES`), read
 * backwards in chunks: a 1 GiB log costs only its tail.
 */
export async function readTail(file: FileHandle, size: number, lines: number): Promise<Buffer> {
  const chunk = 64 * 1024;
  const parts: Buffer[] = [];
  let start = size;
  let newlines = 0;
  // A last line without its newline counts as a line too.
  let need = lines;
  while (start > 0 && size - start < MAX_TAIL_BYTES) {
    const from = Math.max(0, start - chunk);
    const buffer = Buffer.alloc(start - from);
    await file.read(buffer, 0, buffer.length, from);
    if (start === size && buffer[buffer.length - 1] === 0x0a) need += 1;
    parts.unshift(buffer);
    start = from;
    for (const byte of buffer) if (byte === 0x0a) newlines += 1;
    if (newlines >= need) break;
  }
  const all = Buffer.concat(parts);
  let cut = 0;
  let seen = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    if (all[i] === 0x0a) {
      seen += 1;
      if (seen === need) {
        cut = i + 1;
        break;
      }
    }
  }
  return all.subarray(cut);
}

/**
 * Opens a log file of the listing (by its directory and listed name) for reading; refuses a
 * symlink put there since the listing (`O_NOFOLLOW`).
 */
export function openMirrorLog(logDir: string, file: MirrorLogFile): Promise<FileHandle> {
  return open(path.join(logDir, file.name), constants.O_RDONLY | constants.O_NOFOLLOW);
}
