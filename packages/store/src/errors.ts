import { TunasyncError } from '@tunasync/api-types';

/** Every error code the store throws; stable, for programs to match on. */
export const STORE_ERROR_CODES = {
  /** Another process (or another store object) holds the database's lock. */
  locked: 'TUNASYNC_E_STORE_LOCKED',
  /** LevelDB reports the files as corrupt. */
  corrupt: 'TUNASYNC_E_STORE_CORRUPT',
  /** The location exists and is not a directory (for example a Go bolt file). */
  notADirectory: 'TUNASYNC_E_STORE_NOT_A_DIRECTORY',
  /** A non-empty directory without LevelDB's CURRENT (for example a Go badger database). */
  foreign: 'TUNASYNC_E_STORE_FOREIGN',
  /** The database was written by a newer layout version than this code knows. */
  unsupportedVersion: 'TUNASYNC_E_STORE_UNSUPPORTED_VERSION',
  /** Opening failed for another reason (permissions, I/O). */
  openFailed: 'TUNASYNC_E_STORE_OPEN_FAILED',
  /** An operation was called after `close()`. */
  closed: 'TUNASYNC_E_STORE_CLOSED',
  /** A stored record is not valid JSON of the expected shape. */
  badRecord: 'TUNASYNC_E_STORE_BAD_RECORD',
  /** A read or write failed after the database was open. */
  io: 'TUNASYNC_E_STORE_IO',
  /** A Go bolt database is damaged or not a bolt file: it cannot be read. */
  boltCorrupt: 'TUNASYNC_E_STORE_BOLT_CORRUPT',
  /** A Go manager's database where a LevelDB store is opened: it is imported, not opened. */
  goDatabase: 'TUNASYNC_E_STORE_GO_DATABASE',
  /** The Redis server cannot be reached now (the store reconnects by itself). */
  unavailable: 'TUNASYNC_E_STORE_UNAVAILABLE',
  /** A Redis address (`db_file`) that is not a usable redis:// URL. */
  badUrl: 'TUNASYNC_E_STORE_BAD_URL',
} as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];

/** The one error class of the store; `code` says what happened, `location` where. */
export class StoreError extends TunasyncError {
  readonly location: string;

  constructor(
    code: StoreErrorCode,
    message: string,
    location: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'StoreError';
    this.location = location;
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

/** Message templates, one per code. The data on disk is never touched by any of these. */
export const storeErrors = {
  locked: (location: string, cause?: unknown, holders: readonly number[] = []) => {
    const pids = holders.filter((pid) => pid > 0);
    const who = pids.length > 0 ? `, pid ${pids.join(', ')}` : '';
    return new StoreError(
      STORE_ERROR_CODES.locked,
      `database ${location} is locked: another tunasync-manager (or another program${who}) has it open; stop that process first`,
      location,
      { cause },
    );
  },
  corrupt: (location: string, detail: string, cause?: unknown) =>
    new StoreError(
      STORE_ERROR_CODES.corrupt,
      `database ${location} is corrupt (${detail}); it was left untouched: restore it from a backup, or start on a fresh empty directory (workers re-register and re-report)`,
      location,
      { cause },
    ),
  notADirectory: (location: string, found: string) =>
    new StoreError(
      STORE_ERROR_CODES.notADirectory,
      `database ${location} is not a LevelDB directory (${found}); it was left untouched — point db_file at a new, empty directory`,
      location,
    ),
  foreign: (location: string, found: string) =>
    new StoreError(
      STORE_ERROR_CODES.foreign,
      `database ${location} holds files but no LevelDB CURRENT: ${found}; it was left untouched — point db_file at a new, empty directory`,
      location,
    ),
  unsupportedVersion: (location: string, version: string) =>
    new StoreError(
      STORE_ERROR_CODES.unsupportedVersion,
      `database ${location} has layout version ${version}, newer than this program supports; upgrade tunasync`,
      location,
    ),
  openFailed: (location: string, detail: string, cause?: unknown) =>
    new StoreError(
      STORE_ERROR_CODES.openFailed,
      `cannot open database ${location}: ${detail}`,
      location,
      { cause },
    ),
  closed: (location: string) =>
    new StoreError(STORE_ERROR_CODES.closed, `database ${location} is closed`, location),
  badRecord: (location: string, key: string, detail: string) =>
    new StoreError(
      STORE_ERROR_CODES.badRecord,
      `database ${location}: record ${key} is unreadable (${detail})`,
      location,
    ),
  io: (location: string, operation: string, cause: unknown) =>
    new StoreError(
      STORE_ERROR_CODES.io,
      `database ${location}: ${operation} failed: ${(cause as { message?: string } | null)?.message ?? String(cause)}`,
      location,
      { cause },
    ),
  boltCorrupt: (location: string, detail: string) =>
    new StoreError(
      STORE_ERROR_CODES.boltCorrupt,
      `Go bolt database ${location} cannot be read (${detail}); it was left untouched: restore it from a backup, or point db_file at a new directory (workers re-register and re-report)`,
      location,
    ),
  goDatabase: (location: string, format: string) =>
    new StoreError(
      STORE_ERROR_CODES.goDatabase,
      `database ${location} is a Go manager's ${format} database; it was left untouched — the manager imports it beside it (see "Migrating from the Go manager"), it never opens it in place`,
      location,
    ),
  unavailable: (location: string, detail: string, cause?: unknown) =>
    new StoreError(
      STORE_ERROR_CODES.unavailable,
      `database ${location} is unavailable (${detail}); retry later`,
      location,
      { cause },
    ),
  badUrl: (location: string, detail: string) =>
    new StoreError(
      STORE_ERROR_CODES.badUrl,
      `redis address ${location} is not usable: ${detail}`,
      location,
    ),
};
