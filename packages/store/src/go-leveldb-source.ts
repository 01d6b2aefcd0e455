import { chmod, copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { Logger } from '@tunasync/api-types';
import { STORE_ERRORS } from './errors';
import { lockHolders } from './file-locks';
import { collectGoRecords } from './go-records';
import type { GoRecords } from './go-records';
import { VERSION_KEY } from './key-layout';

/** A line of goleveldb's info log: `22:30:31.250701 db@open opening` (C++ LevelDB writes a date). */
const GO_LOG_LINE = /^\d{2}:\d{2}:\d{2}\.\d{6} [a-z0-9]+@[a-z]+ /m;

/**
 * Whether the LevelDB directory `location` was written by goleveldb (the Go manager), told
 * by its info log `LOG`, read without opening the database: opening a LevelDB rewrites its
 * files, and the Go manager's must stay as they are.
 */
export async function isGoLevelDb(location: string): Promise<boolean> {
  const log = await readFile(join(location, 'LOG'), 'utf8').catch(() => '');
  return GO_LOG_LINE.test(log);
}

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function reason(err: unknown): string {
  const { message, cause } = err as { message?: unknown; cause?: { message?: unknown } };
  const text = cause?.message ?? message;
  return typeof text === 'string' ? text : String(err);
}

/** Every `[field, value]` of the keys `<prefix><field>`. */
async function withPrefix(
  db: Level<Buffer, Buffer>,
  prefix: string,
): Promise<Array<[Buffer, Buffer]>> {
  const start = Buffer.from(prefix, 'latin1');
  const end = Buffer.from(start);
  end.writeUInt8(end.readUInt8(end.length - 1) + 1, end.length - 1);
  const out: Array<[Buffer, Buffer]> = [];
  for await (const [key, value] of db.iterator({ gte: start, lt: end })) {
    out.push([key.subarray(start.length), value]);
  }
  return out;
}

/**
 * The records of a Go manager's goleveldb database (keys `workers<id>` and
 * `mirror_status<mirror>/<worker>`). The directory is never opened: its files are copied
 * into `scratch` (made, and removed afterwards: a path of ours) and the copy is read, so
 * the Go manager's files stay byte-identical. A directory whose `LOCK` a process holds (a
 * running Go manager) is refused with `TUNASYNC_E_STORE_LOCKED`.
 */
export async function readGoLevelDb(
  location: string,
  scratch: string,
  logger: Logger,
): Promise<GoRecords> {
  const holders = await lockHolders(join(location, 'LOCK'));
  if (holders !== undefined && holders.length > 0) {
    throw STORE_ERRORS.locked(location, holders);
  }
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  try {
    for (const entry of await readdir(location, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name === 'LOCK') continue;
      await copyFile(join(location, entry.name), join(scratch, entry.name));
      await chmod(join(scratch, entry.name), 0o600);
    }
    const db = new Level<Buffer, Buffer>(scratch, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      createIfMissing: false,
    });
    try {
      await db.open();
    } catch (err) {
      throw causeCode(err) === 'LEVEL_CORRUPTION'
        ? STORE_ERRORS.corrupt.withCause(err, location, reason(err))
        : STORE_ERRORS.openFailed.withCause(err, location, reason(err));
    }
    try {
      if ((await db.get(Buffer.from(VERSION_KEY))) !== undefined) {
        throw STORE_ERRORS.openFailed(
          location,
          `it holds ${VERSION_KEY}: a database of this manager, not of the Go one`,
        );
      }
      const workers = await withPrefix(db, 'workers');
      const statuses = await withPrefix(db, 'mirror_status');
      return collectGoRecords({ workers, statuses }, `Go LevelDB database ${location}`, logger);
    } finally {
      await db.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
