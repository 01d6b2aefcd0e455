import type { Logger } from '@tunasync/api-types';
import { inspectDatabaseLocation } from './database-location';
import { STORE_ERRORS } from './errors';
import { lockHolders } from './file-locks';
import { describeGoDatabase, describeImport, importGoDatabase, importTarget } from './go-import';
import type { GoDatabase } from './go-import';
import { LevelStore } from './level-store';

/**
 * Which database a manager runs on, decided from db_type and what db_file holds, reading
 * only:
 * - `open`: our LevelDB at `location` (created when missing);
 * - `import`: a Go manager's database, not imported yet — imported into `location` first;
 * - `imported`: a Go manager's database imported into `location` at an earlier start —
 *   `location` is opened and the Go database is not read again.
 */
export type DatabasePlan =
  | { action: 'open'; location: string }
  | { action: 'import' | 'imported'; location: string; source: GoDatabase };

/** The db_type of manager.conf this plan follows: unset means "what db_file holds". */
export type PlannedDbType = 'bolt' | 'leveldb' | undefined;

/**
 * Decides the plan for `dbFile`. What db_file holds decides: a bolt file is imported into
 * `<db_file>.leveldb`, a goleveldb directory into `<db_file>.ts-leveldb` (once: later starts
 * find the import and open it), our LevelDB directory is opened. With db_type "bolt" a
 * db_file that does not exist gets a new LevelDB at `<db_file>.leveldb` (the Go manager's
 * path stays free), and a db_file that is a directory is refused. Anything
 * `inspectDatabaseLocation` refuses (badger, other files, damage, a lock) throws its error.
 */
export async function planDatabase(dbFile: string, dbType: PlannedDbType): Promise<DatabasePlan> {
  const content = await inspectDatabaseLocation(dbFile);
  if (content === 'bolt' || content === 'goleveldb') {
    const source: GoDatabase = { kind: content, path: dbFile };
    const location = importTarget(source);
    const target = await inspectDatabaseLocation(location);
    if (target === 'leveldb') return { action: 'imported', location, source };
    if (target === 'missing') {
      // A running Go manager holds an flock on its bolt file (goleveldb's LOCK was checked).
      const holders = content === 'bolt' ? await lockHolders(dbFile) : undefined;
      if (holders !== undefined && holders.length > 0) {
        throw STORE_ERRORS.locked(dbFile, holders);
      }
      return { action: 'import', location, source };
    }
    throw STORE_ERRORS.openFailed(
      location,
      `the import of ${describeGoDatabase(source)} goes there, and it is ${target === 'empty' ? 'an empty directory' : `a ${target} database`}, not an earlier import; move it away`,
    );
  }
  if (dbType === 'bolt') {
    if (content !== 'missing') {
      throw STORE_ERRORS.openFailed(
        dbFile,
        `db_type is "bolt" but it is a directory, not a Go bolt file; set db_type = "leveldb" to open it`,
      );
    }
    const source: GoDatabase = { kind: 'bolt', path: dbFile };
    const location = importTarget(source);
    // The bolt file may have been moved away after an import.
    if ((await inspectDatabaseLocation(location)) === 'leveldb') {
      return { action: 'imported', location, source };
    }
    return { action: 'open', location };
  }
  return { action: 'open', location: dbFile };
}

/** One line saying what a plan does, for `--check-config` ("would …") and the log. */
export function describePlan(plan: DatabasePlan): string {
  switch (plan.action) {
    case 'open':
      return `open the database ${plan.location}`;
    case 'import':
      return `import ${describeGoDatabase(plan.source)} into ${plan.location} (the Go database is only read), then open it`;
    case 'imported':
      return `open ${plan.location}, imported earlier from ${describeGoDatabase(plan.source)} (not read again)`;
  }
}

/**
 * Carries out a plan: imports when it says so (logging one line saying what was imported
 * and from where), then opens the LevelDB store, logging which database it runs on.
 */
export async function openPlannedDatabase(plan: DatabasePlan, logger: Logger): Promise<LevelStore> {
  if (plan.action === 'import') {
    logger.info(describeImport(await importGoDatabase(plan.source, logger, plan.location)));
  } else if (plan.action === 'imported') {
    logger.info(
      `using ${plan.location}, imported earlier from ${describeGoDatabase(plan.source)} (the Go database is not read again)`,
    );
  }
  return LevelStore.open({ location: plan.location, logger });
}
