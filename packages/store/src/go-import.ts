import { rename, rm, stat } from 'node:fs/promises';
import { Level } from 'level';
import type { Logger } from '@tunasync/api-types';
import { STORE_ERRORS } from './errors';
import { readGoBolt } from './go-bolt-source';
import { readGoLevelDb } from './go-leveldb-source';
import { IMPORT_NOTE_KEY, LAYOUT_VERSION, VERSION_KEY, statusKey, workerKey } from './key-layout';

/** The two Go manager databases that can be imported (badger and redis cannot). */
export type GoDatabaseKind = 'bolt' | 'goleveldb';

export interface GoDatabase {
  kind: GoDatabaseKind;
  /** The Go manager's db_file. */
  path: string;
}

export interface GoImportSummary {
  source: GoDatabase;
  /** The LevelDB directory written. */
  target: string;
  workers: number;
  statuses: number;
  /** Unreadable records left out (each was logged). */
  skipped: number;
}

/**
 * Where the import of a Go database goes, beside it: `<db_file>.leveldb` for a bolt file,
 * `<db_file>.ts-leveldb` for a goleveldb directory (whose name often ends in `.ldb`).
 */
export function importTarget(source: GoDatabase): string {
  return `${source.path}${source.kind === 'bolt' ? '.leveldb' : '.ts-leveldb'}`;
}

/** How the Go database is named in messages. */
export function describeGoDatabase(source: GoDatabase): string {
  return `Go ${source.kind === 'bolt' ? 'bolt' : 'LevelDB'} database ${source.path}`;
}

/** The one line an import logs: what it imported, from where, into where. */
export function describeImport(summary: GoImportSummary): string {
  const skipped = summary.skipped > 0 ? `, ${summary.skipped} unreadable records left out` : '';
  return `imported ${summary.workers} workers and ${summary.statuses} mirror statuses from ${describeGoDatabase(summary.source)} into ${summary.target}${skipped}; the Go database was left as it was`;
}

function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(err);
}

/**
 * Imports every worker and mirror status of a Go manager's database into a new LevelDB
 * store at `target` (default `importTarget(source)`), keeping the Go JSON texts, and never
 * writing the Go files. The store is written into `<target>.importing` (ours: removed
 * first if a crashed import left it) and renamed to `target` once complete, so a crash
 * never leaves a half import in use. A `target` that exists is refused.
 */
export async function importGoDatabase(
  source: GoDatabase,
  logger: Logger,
  target: string = importTarget(source),
): Promise<GoImportSummary> {
  const existing = await stat(target).catch((err: unknown) => {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw STORE_ERRORS.openFailed.withCause(err, target, errnoOf(err));
  });
  if (existing)
    throw STORE_ERRORS.openFailed(target, 'it exists already: the Go database was imported before');
  const records =
    source.kind === 'bolt'
      ? await readGoBolt(source.path, logger)
      : await readGoLevelDb(source.path, `${target}.go-copy`, logger);
  const staging = `${target}.importing`;
  await rm(staging, { recursive: true, force: true });
  const db = new Level<string, string>(staging, {
    keyEncoding: 'utf8',
    valueEncoding: 'utf8',
    createIfMissing: true,
    errorIfExists: true,
  });
  try {
    await db.open();
    const note = {
      from: `${source.kind}:${source.path}`,
      at: new Date().toISOString(),
      workers: records.workers.length,
      statuses: records.statuses.length,
      skipped: records.skipped,
    };
    await db.batch(
      [
        { type: 'put', key: VERSION_KEY, value: LAYOUT_VERSION },
        { type: 'put', key: IMPORT_NOTE_KEY, value: JSON.stringify(note) },
        ...records.workers.map(({ workerId, text }) => ({
          type: 'put' as const,
          key: workerKey(workerId),
          value: text,
        })),
        ...records.statuses.map(({ workerId, mirror, text }) => ({
          type: 'put' as const,
          key: statusKey(workerId, mirror),
          value: text,
        })),
      ],
      { sync: true },
    );
    await db.close();
    await rename(staging, target);
  } catch (err) {
    await db.close().catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    throw STORE_ERRORS.openFailed.withCause(err, staging, (err as Error).message ?? String(err));
  }
  return {
    source,
    target,
    workers: records.workers.length,
    statuses: records.statuses.length,
    skipped: records.skipped,
  };
}
