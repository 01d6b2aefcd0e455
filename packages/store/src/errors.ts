import { TunasyncError, defineErrors, errorCodes } from '@tunasync/api-types';
import type { ErrorCodeOf } from '@tunasync/api-types';

/**
 * Every error the store throws: a stable code programs match on and the message template;
 * the first argument of each is the database's location. The data on disk is never touched
 * by any of these.
 */
export const STORE_ERRORS = defineErrors(
  {
    /** Another process (or another store object) holds the database's lock. */
    locked: {
      code: 'TUNASYNC_E_STORE_LOCKED',
      message: (location: string, holders: readonly number[] = []) => {
        const pids = holders.filter((pid) => pid > 0);
        const who = pids.length > 0 ? `, pid ${pids.join(', ')}` : '';
        return `database ${location} is locked: another tunasync-manager (or another program${who}) has it open; stop that process first`;
      },
    },
    /** LevelDB reports the files as corrupt. */
    corrupt: {
      code: 'TUNASYNC_E_STORE_CORRUPT',
      message: (location: string, detail: string) =>
        `database ${location} is corrupt (${detail}); it was left untouched: restore it from a backup, or start on a fresh empty directory (workers re-register and re-report)`,
    },
    /** The location exists and is not a directory (for example a Go bolt file). */
    notADirectory: {
      code: 'TUNASYNC_E_STORE_NOT_A_DIRECTORY',
      message: (location: string, found: string) =>
        `database ${location} is not a LevelDB directory (${found}); it was left untouched — point db_file at a new, empty directory`,
    },
    /** A non-empty directory without LevelDB's CURRENT (for example a Go badger database). */
    foreign: {
      code: 'TUNASYNC_E_STORE_FOREIGN',
      message: (location: string, found: string) =>
        `database ${location} holds files but no LevelDB CURRENT: ${found}; it was left untouched — point db_file at a new, empty directory`,
    },
    /** The database was written by a newer layout version than this code knows. */
    unsupportedVersion: {
      code: 'TUNASYNC_E_STORE_UNSUPPORTED_VERSION',
      message: (location: string, version: string) =>
        `database ${location} has layout version ${version}, newer than this program supports; upgrade tunasync`,
    },
    /** Opening failed for another reason (permissions, I/O). */
    openFailed: {
      code: 'TUNASYNC_E_STORE_OPEN_FAILED',
      message: (location: string, detail: string) => `cannot open database ${location}: ${detail}`,
    },
    /** An operation was called after `close()`. */
    closed: {
      code: 'TUNASYNC_E_STORE_CLOSED',
      message: (location: string) => `database ${location} is closed`,
    },
    /** A stored record is not valid JSON of the expected shape. */
    badRecord: {
      code: 'TUNASYNC_E_STORE_BAD_RECORD',
      message: (location: string, key: string, detail: string) =>
        `database ${location}: record ${key} is unreadable (${detail})`,
    },
    /** A read or write failed after the database was open (`cause`: what failed, or why). */
    io: {
      code: 'TUNASYNC_E_STORE_IO',
      message: (location: string, operation: string, cause: unknown) =>
        `database ${location}: ${operation} failed: ${(cause as { message?: string } | null)?.message ?? String(cause)}`,
    },
    /** A Go bolt database is damaged or not a bolt file: it cannot be read. */
    boltCorrupt: {
      code: 'TUNASYNC_E_STORE_BOLT_CORRUPT',
      message: (location: string, detail: string) =>
        `Go bolt database ${location} cannot be read (${detail}); it was left untouched: restore it from a backup, or point db_file at a new directory (workers re-register and re-report)`,
    },
    /** A Go manager's database where a LevelDB store is opened: it is imported, not opened. */
    goDatabase: {
      code: 'TUNASYNC_E_STORE_GO_DATABASE',
      message: (location: string, format: string) =>
        `database ${location} is a Go manager's ${format} database; it was left untouched — the manager imports it beside it (see "Migrating from the Go manager"), it never opens it in place`,
    },
    /** The Redis server cannot be reached now (the store reconnects by itself). */
    unavailable: {
      code: 'TUNASYNC_E_STORE_UNAVAILABLE',
      message: (location: string, detail: string) =>
        `database ${location} is unavailable (${detail}); retry later`,
    },
    /** A Redis address (`db_file`) that is not a usable redis:// URL. */
    badUrl: {
      code: 'TUNASYNC_E_STORE_BAD_URL',
      message: (location: string, detail: string) =>
        `redis address ${location} is not usable: ${detail}`,
    },
  },
  (entry, message, args, options) => new StoreError(entry.code, message, String(args[0]), options),
);

/** Every error code the store throws, by name; stable, for programs to match on. */
export const STORE_ERROR_CODES = errorCodes(STORE_ERRORS);

export type StoreErrorCode = ErrorCodeOf<typeof STORE_ERRORS>;

/** The one error class of the store; `code` says what happened, `location` where. */
export class StoreError extends TunasyncError {
  readonly location: string;

  constructor(code: string, message: string, location: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
    this.location = location;
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
