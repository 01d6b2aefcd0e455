import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@tunasync/api-types';
import { writeFileDurably } from '@tunasync/core';
import { OutboxClosedError } from '../errors';

const LOG = 'queue.jsonl';
const CURSOR = 'cursor';

interface Entry<T> {
  item: T;
  /** Byte offset just after this entry's line. */
  end: number;
}

/**
 * An append-only queue on disk: one JSON line per item in `queue.jsonl`, and `cursor`, the
 * byte offset of the first item not yet acknowledged. `append` resolves only once the line
 * is on disk (fsync); `ack` moves the cursor past the head. When every item is
 * acknowledged the file is truncated. A line torn by a crash (no final newline) is dropped
 * on open: its `append` never resolved, so nobody was told it was stored.
 */
export class DurableQueue<T> {
  private readonly entries: Entry<T>[] = [];
  private handle: FileHandle | undefined;
  private size = 0;
  private cursor = 0;
  /** Serializes every disk operation. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Opens (creating if needed) the queue in `dir` and loads what it holds. */
  static async open<T>(dir: string, logger: Logger): Promise<DurableQueue<T>> {
    const queue = new DurableQueue<T>(dir, logger);
    await queue.load();
    return queue;
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const logFile = path.join(this.dir, LOG);
    let data = Buffer.alloc(0);
    try {
      data = await readFile(logFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let cursor = 0;
    try {
      cursor = Number.parseInt(await readFile(path.join(this.dir, CURSOR), 'utf8'), 10) || 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const complete = data.lastIndexOf(0x0a) + 1;
    if (cursor > complete) cursor = complete;
    let offset = cursor;
    while (offset < complete) {
      const newline = data.indexOf(0x0a, offset);
      const line = data.subarray(offset, newline).toString('utf8');
      offset = newline + 1;
      if (line.trim() === '') continue;
      try {
        this.entries.push({ item: JSON.parse(line) as T, end: offset });
      } catch {
        this.logger.error(`outbox ${this.dir}: dropping an unreadable entry`, {
          line: line.slice(0, 200),
        });
      }
    }
    this.handle = await open(logFile, 'a+');
    if (complete < data.length) {
      this.logger.warn(`outbox ${this.dir}: dropping a torn last entry`);
      await this.handle.truncate(complete);
      await this.handle.sync();
    }
    this.size = complete;
    this.cursor = cursor;
    if (this.entries.length === 0 && this.size > 0) await this.compact();
  }

  private serialize<R>(op: () => Promise<R>): Promise<R> {
    const next = this.chain.then(op, op);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Items waiting, oldest first. */
  get length(): number {
    return this.entries.length;
  }

  /** The oldest item not yet acknowledged. */
  peek(): T | undefined {
    return this.entries[0]?.item;
  }

  /** Every waiting item, oldest first. */
  items(): T[] {
    return this.entries.map((e) => e.item);
  }

  /** Stores `item` at the tail; resolves once it is on disk. */
  append(item: T): Promise<void> {
    return this.serialize(async () => {
      const handle = this.requireOpen();
      const line = Buffer.from(`${JSON.stringify(item)}\n`, 'utf8');
      await handle.write(line, 0, line.length, this.size);
      await handle.sync();
      this.size += line.length;
      this.entries.push({ item, end: this.size });
    });
  }

  /** Removes the head (after the manager acknowledged it). */
  ack(): Promise<void> {
    return this.serialize(async () => {
      this.requireOpen();
      const head = this.entries.shift();
      if (head === undefined) return;
      this.cursor = head.end;
      if (this.entries.length === 0) await this.compact();
      else await writeFileDurably(path.join(this.dir, CURSOR), String(this.cursor));
    });
  }

  private async compact(): Promise<void> {
    const handle = this.requireOpen();
    await handle.truncate(0);
    await handle.sync();
    this.size = 0;
    this.cursor = 0;
    await writeFileDurably(path.join(this.dir, CURSOR), '0');
  }

  private requireOpen(): FileHandle {
    if (this.handle === undefined) throw new OutboxClosedError(this.dir);
    return this.handle;
  }

  /** Closes the file. Idempotent. */
  close(): Promise<void> {
    return this.serialize(async () => {
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close();
    });
  }
}
