import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/** Bounds of a backward search. */
export interface BackwardSearchOptions {
  /** Read at most this many bytes from the end (default 1 MiB). */
  maxBytes?: number;
  /** Read this many bytes at a time (default 64 KiB). */
  chunkSize?: number;
  /** A line longer than this is skipped (default 64 KiB). */
  maxLineLength?: number;
}

export interface BackwardSearchResult<T> {
  /** What `test` returned for the last line it accepted, if any. */
  value: T | undefined;
  /** Bytes read from the file. */
  bytesRead: number;
}

const NEWLINE = 0x0a;
const MiB = 1024 * 1024;

function lineText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/**
 * Look at the lines of a file from the last one backwards until `test` returns a value,
 * reading chunks from the end: memory and bytes read stay bounded however big the file.
 */
export async function findLastLine<T>(
  file: string,
  test: (line: string) => T | undefined,
  options: BackwardSearchOptions = {},
): Promise<BackwardSearchResult<T>> {
  const maxBytes = options.maxBytes ?? MiB;
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const maxLineLength = options.maxLineLength ?? 64 * 1024;
  const handle = await open(file, 'r');
  let bytesRead = 0;
  try {
    let pos = (await handle.stat()).size;
    let carry = Buffer.alloc(0); // the start of a line whose beginning is not read yet
    let skipCarry = false; // the carry belongs to a line too long to look at
    while (pos > 0 && bytesRead < maxBytes) {
      const length = Math.min(chunkSize, pos, maxBytes - bytesRead);
      pos -= length;
      const chunk = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const { bytesRead: n } = await handle.read(chunk, got, length - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      bytesRead += got;
      const data = skipCarry ? chunk : Buffer.concat([chunk, carry]);
      let end = data.length;
      let firstSegment = skipCarry; // the segment after the chunk's last newline is the skipped line
      for (let nl = data.lastIndexOf(NEWLINE, end - 1); nl >= 0;) {
        if (firstSegment) firstSegment = false;
        else {
          const value = test(lineText(data.subarray(nl + 1, end)));
          if (value !== undefined) return { value, bytesRead };
        }
        end = nl;
        nl = end > 0 ? data.lastIndexOf(NEWLINE, end - 1) : -1;
      }
      if (firstSegment) continue; // no newline in this chunk: still inside the long line
      skipCarry = false;
      carry = data.subarray(0, end);
      if (carry.length > maxLineLength) {
        carry = Buffer.alloc(0);
        skipCarry = true;
      }
    }
    if (pos === 0 && !skipCarry && carry.length > 0) {
      return { value: test(lineText(carry)), bytesRead };
    }
    return { value: undefined, bytesRead };
  } finally {
    await handle.close();
  }
}

const RSYNC_TOTAL_SIZE = /^Total file size: ([0-9][0-9.,]*[KMGTP]?) bytes/;

/** The size in an rsync `--stats` line `Total file size: 1.23G bytes` (digit-group commas dropped). */
export function parseRsyncTotalSize(line: string): string | undefined {
  const match = RSYNC_TOTAL_SIZE.exec(line);
  return match?.[1]?.replace(/,/g, '');
}

/**
 * The size of the last `Total file size: <N>[KMGTP] bytes` line of an rsync log, read from
 * the end of the file (at most 1 MiB by default).
 */
export async function findRsyncSize(
  file: string,
  options: BackwardSearchOptions = {},
): Promise<BackwardSearchResult<string>> {
  return findLastLine(file, parseRsyncTotalSize, options);
}

/** Options of `scanLines`. */
export interface ScanLinesOptions {
  /** A longer line is cut into pieces of this length (default 64 KiB). */
  maxLineLength?: number;
}

/**
 * Stream a file line by line (never whole in memory); `onLine` gets each line without its
 * newline. A line longer than `maxLineLength` comes in pieces of that length.
 */
export async function scanLines(
  file: string,
  onLine: (line: string) => void,
  options: ScanLinesOptions = {},
): Promise<void> {
  const maxLineLength = options.maxLineLength ?? 64 * 1024;
  const emit = (line: Buffer): void => {
    let rest = line;
    while (rest.length > maxLineLength) {
      onLine(lineText(rest.subarray(0, maxLineLength)));
      rest = rest.subarray(maxLineLength);
    }
    onLine(lineText(rest));
  };
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
    let data = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      emit(data.subarray(start, nl));
      start = nl + 1;
    }
    data = data.subarray(start);
    while (data.length > maxLineLength) {
      onLine(lineText(data.subarray(0, maxLineLength)));
      data = data.subarray(maxLineLength);
    }
    carry = Buffer.from(data);
  }
  if (carry.length > 0) emit(carry);
}

/** Bounds of a `LogFollower`. */
export interface LogFollowerOptions {
  /** Read at most this many bytes per `readLines()` (default 256 KiB). */
  chunkSize?: number;
  /** A longer line is skipped whole (default 64 KiB). */
  maxLineLength?: number;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Reads a growing file forwards, a bounded chunk per call: each `readLines()` returns the
 * complete lines added since the previous call (without `\n` or a final `\r`), as bytes
 * (views of that call's chunk).
 * The unfinished last line is carried to the next call; a line longer than `maxLineLength`
 * is skipped, so memory stays bounded however big the file or its lines. A file that does not
 * exist yet has no lines; a file that shrank (truncated for a new run) is read again from its
 * start.
 */
export class LogFollower {
  private offset = 0;
  private carry: Buffer = Buffer.alloc(0);
  private skipping = false;
  private total = 0;
  private readonly chunkSize: number;
  private readonly maxLineLength: number;

  constructor(
    readonly file: string,
    options: LogFollowerOptions = {},
  ) {
    this.chunkSize = options.chunkSize ?? 256 * 1024;
    this.maxLineLength = options.maxLineLength ?? 64 * 1024;
  }

  /** Bytes of the file read so far, over every call. */
  get bytesRead(): number {
    return this.total;
  }

  /** Bytes of the file consumed so far (read into lines or the carried partial line). */
  get position(): number {
    return this.offset;
  }

  /** The complete lines added since the previous call, reading at most `chunkSize` bytes. */
  async readLines(): Promise<Buffer[]> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    let chunk: Buffer;
    try {
      const size = (await handle.stat()).size;
      if (size < this.offset) {
        this.offset = 0;
        this.carry = Buffer.alloc(0);
        this.skipping = false;
      }
      const length = Math.min(this.chunkSize, size - this.offset);
      if (length <= 0) return [];
      chunk = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const { bytesRead: n } = await handle.read(chunk, got, length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      chunk = chunk.subarray(0, got);
      this.offset += got;
      this.total += got;
    } finally {
      await handle.close();
    }
    return this.split(chunk);
  }

  private split(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      const line = this.carry.length > 0 ? Buffer.concat([this.carry, piece]) : piece;
      this.carry = Buffer.alloc(0);
      if (line.length > this.maxLineLength) continue;
      const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
      lines.push(line.subarray(0, end));
    }
    if (!this.skipping) {
      const rest = chunk.subarray(start);
      if (this.carry.length + rest.length > this.maxLineLength) {
        this.carry = Buffer.alloc(0);
        this.skipping = true;
      } else if (rest.length > 0) {
        this.carry = Buffer.concat([this.carry, rest]);
      }
    }
    return lines;
  }
}
