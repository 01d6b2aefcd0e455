import { lstat } from 'node:fs/promises';
import type { ProviderProgress } from '@tunasync/core';
import { LogFollower } from './log-scan';
import { classifyRsyncListLine } from './rsync-list-line';
import type { RsyncListLine } from './rsync-list-line';

/** Default bounds of one `RsyncProgressTracker.read()`. */
export const RSYNC_PROGRESS_LIMITS = {
  /** Log bytes read per call. */
  chunkBytes: 1024 * 1024,
  /** `lstat` calls per call. */
  statsPerCall: 10_000,
} as const;

/** The partial directory of `--delay-updates`: a received file waits there until the end. */
const DELAY_UPDATES_DIR = Buffer.from('.~tmp~/');
const SLASH = 0x2f;
/** `a -> b` / `a => b` lines waiting for a later file line to tell whether they are files. */
const MAX_UNSETTLED = 16;
/** `lstat` calls at once. */
const STAT_CONCURRENCY = 16;
/** `lstat` calls one entry may need: the delayed-updates path, then the final path. */
const STATS_PER_ENTRY = 2;

export interface RsyncProgressOptions {
  /** The log rsync writes with `-v` (or `-i`). */
  logFile: string;
  /** The destination directory: listed names are relative to it. */
  workingDir: string;
  /** Log bytes read per call (default 1 MiB). */
  chunkBytes?: number;
  /** `lstat` calls per call (default 10,000; at least 68). */
  statsPerCall?: number;
  /** Called when the log cannot be read (the last value is answered meanwhile). */
  onError?: (err: unknown) => void;
}

/** One listed item: `sure` for a name line, not sure for an `a -> b` line. */
interface Entry {
  path: Buffer;
  sure: boolean;
}

/** What the destination tree holds for an entry: a regular file of `size` bytes, or not. */
type Found = { counts: true; size: number } | { counts: false };

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function escapesTree(path: Buffer): boolean {
  return /(^|\/)\.\.(\/|$)/.test(path.toString('latin1'));
}

/**
 * Live progress of an rsync run from its own log (SPEC §7.9): the regular files rsync has
 * listed as transferred and the sum of their sizes in the destination tree.
 *
 * Each `read()` reads only what the log gained since the previous call, at most `chunkBytes`,
 * and makes at most `statsPerCall` `lstat` calls; lines it could not look at yet wait (at most
 * one chunk) for the next call, so the answer may lag behind a burst of many small files but
 * is never ahead of the log. Lines count only between a file-list header and the empty line
 * that ends the list, so a daemon's greeting (MOTD) and the statistics never count.
 *
 * rsync receives one file at a time and names it before its data arrives; the file lives in
 * `<dir>/.~tmp~/<name>` once received (`--delay-updates`) and at its final path at the end.
 * So a file is looked up (`.~tmp~` first, then the final path) once a later file line shows it
 * is complete; the newest one is looked up again at every call. A name that is no regular
 * file (a directory, symlink, device) does not count; a name found nowhere counts with 0 bytes
 * (still in transfer, or gone); an `a -> b` line counts only when a regular file of that whole
 * name exists (otherwise it is a symlink or hard link).
 */
export class RsyncProgressTracker {
  private readonly follower: LogFollower;
  private readonly root: Buffer;
  private readonly statsPerCall: number;
  private readonly onError: ((err: unknown) => void) | undefined;
  private backlog: Buffer[] = [];
  private next = 0;
  private listing = false;
  private files = 0;
  private bytes = 0;
  private unsettled: Entry[] = [];
  private last: ProviderProgress = { files: 0, bytes: 0 };
  private reading: Promise<ProviderProgress> | undefined;
  private stats = 0;

  constructor(options: RsyncProgressOptions) {
    this.follower = new LogFollower(options.logFile, {
      chunkSize: options.chunkBytes ?? RSYNC_PROGRESS_LIMITS.chunkBytes,
    });
    this.root = Buffer.from(`${options.workingDir.replace(/\/+$/, '')}/`);
    this.statsPerCall = Math.max(
      options.statsPerCall ?? RSYNC_PROGRESS_LIMITS.statsPerCall,
      2 * STATS_PER_ENTRY * (MAX_UNSETTLED + 1),
    );
    this.onError = options.onError;
  }

  /** Log bytes read so far. */
  get bytesRead(): number {
    return this.follower.bytesRead;
  }

  /** `lstat` calls made so far. */
  get statCalls(): number {
    return this.stats;
  }

  /** Progress so far; calls made while one runs share its answer. Never rejects. */
  read(): Promise<ProviderProgress> {
    this.reading ??= this.update().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async update(): Promise<ProviderProgress> {
    try {
      if (this.next >= this.backlog.length) {
        this.backlog = await this.follower.readLines();
        this.next = 0;
      }
      const settle: Entry[] = [];
      // Room for settling every waiting entry and for looking at the ones left waiting.
      const reserve = STATS_PER_ENTRY * (MAX_UNSETTLED + 1);
      let budget = this.statsPerCall - reserve;
      while (this.next < this.backlog.length) {
        const cost = STATS_PER_ENTRY * (this.unsettled.length + 1);
        if (budget < cost) break;
        const line = classifyRsyncListLine(this.backlog[this.next] as Buffer);
        this.next += 1;
        const before = settle.length;
        this.apply(line, settle);
        budget -= STATS_PER_ENTRY * (settle.length - before);
      }
      if (this.next >= this.backlog.length) {
        this.backlog = [];
        this.next = 0;
      }
      for (const found of await mapLimit(settle, STAT_CONCURRENCY, (e) => this.find(e))) {
        if (!found.counts) continue;
        this.files += 1;
        this.bytes += found.size;
      }
      let files = this.files;
      let bytes = this.bytes;
      for (const found of await mapLimit(this.unsettled, STAT_CONCURRENCY, (e) => this.find(e))) {
        if (!found.counts) continue;
        files += 1;
        bytes += found.size;
      }
      this.last = { files, bytes };
    } catch (err) {
      this.onError?.(err);
    }
    return { ...this.last };
  }

  /** Follows one line; entries whose transfer is over go to `settle`. */
  private apply(line: RsyncListLine, settle: Entry[]): void {
    if (line.kind === 'header') {
      settle.push(...this.unsettled.splice(0));
      this.listing = true;
      return;
    }
    if (!this.listing) return;
    switch (line.kind) {
      case 'end':
        settle.push(...this.unsettled.splice(0));
        this.listing = false;
        return;
      case 'file':
        if (escapesTree(line.path)) return;
        // rsync receives files one after the other: a new file means the earlier are done.
        settle.push(...this.unsettled.splice(0));
        this.unsettled.push({ path: line.path, sure: true });
        return;
      case 'maybe-file':
        if (escapesTree(line.path)) return;
        // Symlinks and hard links are made by another rsync process, out of step with the
        // file being received: they do not end its transfer.
        this.unsettled.push({ path: line.path, sure: false });
        if (this.unsettled.length > MAX_UNSETTLED) settle.push(...this.unsettled.splice(0, 1));
        return;
      case 'other':
        return;
    }
  }

  private async find(entry: Entry): Promise<Found> {
    const slash = entry.path.lastIndexOf(SLASH);
    const dir = entry.path.subarray(0, slash + 1);
    const base = entry.path.subarray(slash + 1);
    const delayed = Buffer.concat([this.root, dir, DELAY_UPDATES_DIR, base]);
    const final = Buffer.concat([this.root, entry.path]);
    const delayedStat = await this.lstat(delayed);
    if (delayedStat?.isFile()) return { counts: true, size: delayedStat.size };
    const finalStat = await this.lstat(final);
    if (finalStat)
      return finalStat.isFile() ? { counts: true, size: finalStat.size } : { counts: false };
    return entry.sure ? { counts: true, size: 0 } : { counts: false };
  }

  private async lstat(path: Buffer) {
    this.stats += 1;
    try {
      return await lstat(path);
    } catch {
      return undefined; // missing, or not ours to read: the same for progress
    }
  }
}
