import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isSyncStatus, type Logger } from '@tunasync/api-types';
import { writeFileDurably } from '@tunasync/core';
import type { MirrorRecord } from './mirror-record';

const FILE = 'jobs.json';

interface FileShape {
  version: 1;
  mirrors: Record<string, MirrorRecord>;
}

function isRecord(value: unknown): value is MirrorRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.status === 'string' &&
    isSyncStatus(r.status) &&
    typeof r.error_msg === 'string' &&
    (r.size === undefined || typeof r.size === 'string') &&
    (r.last_success === undefined || typeof r.last_success === 'string') &&
    (r.changed_at === undefined || typeof r.changed_at === 'string')
  );
}

/**
 * The worker's own small state file (`<state dir>/jobs.json`, SPEC §4.2.3): the last
 * status of every mirror, so a disabled or paused mirror stays so when no manager answers
 * at start-up. Written atomically (temp file, fsync, rename); saves are serialized and
 * coalesced, so the file always holds a complete, recent picture.
 */
export class JobStateFile {
  readonly file: string;
  private writing: Promise<void> | undefined;
  private again = false;
  private latest: Record<string, MirrorRecord> | undefined;

  constructor(
    stateDir: string,
    private readonly logger: Logger,
  ) {
    this.file = path.join(stateDir, FILE);
  }

  /** The records of the previous life; empty when there is no (usable) file. */
  async load(): Promise<Map<string, MirrorRecord>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return new Map();
    }
    try {
      const parsed = JSON.parse(text) as Partial<FileShape>;
      const entries = Object.entries(parsed.mirrors ?? {}).filter(([, r]) => isRecord(r));
      return new Map(entries);
    } catch (err) {
      this.logger.warn(`ignoring unreadable state file ${this.file}: ${(err as Error).message}`);
      return new Map();
    }
  }

  /** Saves `records` (a snapshot is taken now); resolves once a write containing it ended. */
  save(records: ReadonlyMap<string, MirrorRecord>): Promise<void> {
    this.latest = Object.fromEntries([...records].map(([k, v]) => [k, { ...v }]));
    if (this.writing) {
      this.again = true;
      return this.writing;
    }
    this.writing = this.loop().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  /** Resolves when no write is in progress. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const body: FileShape = { version: 1, mirrors: this.latest ?? {} };
      try {
        await this.write(JSON.stringify(body, null, 1));
      } catch (err) {
        this.logger.error(`cannot write state file ${this.file}: ${(err as Error).message}`);
      }
    } while (this.again);
  }

  private async write(text: string): Promise<void> {
    await writeFileDurably(this.file, text, { mode: 0o600 });
  }
}
