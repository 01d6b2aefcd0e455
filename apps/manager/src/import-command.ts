import { parseArgs } from 'node:util';
import type { Logger } from '@tunasync/api-types';
import {
  describeGoDatabase,
  describeImport,
  describePlan,
  importGoDatabase,
  importTarget,
  inspectDatabaseLocation,
  planDatabase,
} from '@tunasync/store';
import type { GoDatabase } from '@tunasync/store';
import { MANAGER_ERRORS } from './errors';
import { loadManagerConfig } from './manager-config';

export const IMPORT_USAGE = `Usage: tunasync-manager import --from bolt:FILE|leveldb:DIR [--to DIR]
       tunasync-manager import -c manager.conf

Imports a Go manager's database into a new LevelDB directory for this manager, and exits.
The Go database is only read: the Go manager can be started on it again at any time.

Options:
      --from KIND:PATH   the Go database: bolt:FILE (db_type "bolt") or leveldb:DIR
      --to DIR           where to write (default FILE.leveldb for bolt, DIR.ts-leveldb for
                         leveldb: where tunasync-manager looks for it at start)
  -c, --config FILE      import the db_file of FILE, as a start with FILE would
  -h, --help             print this help and exit

Exit codes: 0 imported (or imported before), 1 runtime failure (a Go manager is running on
it, I/O), 2 usage error or a database that cannot be imported.
`;

const KINDS: Record<string, GoDatabase['kind']> = { bolt: 'bolt', leveldb: 'goleveldb' };

/** The Go database of `--from`, checked to be one (read-only). */
async function sourceOf(from: string): Promise<GoDatabase> {
  const match = /^(bolt|leveldb):(.+)$/.exec(from);
  const kind = match ? KINDS[match[1] as string] : undefined;
  if (!match || kind === undefined) {
    throw MANAGER_ERRORS.importRefused(`--from: expected bolt:FILE or leveldb:DIR, got "${from}"`);
  }
  const source: GoDatabase = { kind, path: match[2] as string };
  const found = await inspectDatabaseLocation(source.path);
  if (found !== kind) {
    const what =
      found === 'missing'
        ? 'does not exist'
        : `holds ${found === 'bolt' ? 'a Go bolt database' : found === 'goleveldb' ? 'a Go LevelDB database' : `no Go database (${found})`}`;
    throw MANAGER_ERRORS.importRefused(`--from ${from}: ${source.path} ${what}`);
  }
  return source;
}

/**
 * `tunasync-manager import`: imports a Go database alone, before the switch. Resolves with
 * the lines to print; rejects with `MANAGER_ERRORS.importRefused` (usage, exit 2) or a `StoreError`.
 */
export async function runImportCommand(argv: string[], logger: Logger): Promise<string[]> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw MANAGER_ERRORS.importRefused(`import: ${(err as Error).message}`);
  }
  if (values.help) return [IMPORT_USAGE];
  if ((values.from === undefined) === (values.config === undefined)) {
    throw MANAGER_ERRORS.importRefused(
      'import: give --from KIND:PATH or -c manager.conf (one of them)',
    );
  }
  if (values.from !== undefined) {
    const source = await sourceOf(values.from);
    const target = values.to ?? importTarget(source);
    if ((await inspectDatabaseLocation(target)) !== 'missing') {
      throw MANAGER_ERRORS.importRefused(
        `import: ${target} exists already (imported before?); nothing done`,
      );
    }
    const summary = await importGoDatabase(source, logger, target);
    return [describeImport(summary)];
  }
  if (values.to !== undefined) {
    throw MANAGER_ERRORS.importRefused(
      'import: --to goes with --from (with -c the target is the one a start uses)',
    );
  }
  const check = await loadManagerConfig({ config: values.config as string });
  if (!check.settings) {
    throw MANAGER_ERRORS.importRefused(check.problems.map((p) => `error: ${p}`).join('\n'));
  }
  if (check.settings.dbType === 'redis') {
    throw MANAGER_ERRORS.importRefused(
      'import: nothing to import: on db_type "redis" the Go manager\'s hashes are used in place',
    );
  }
  const plan = await planDatabase(check.settings.dbFile, check.settings.dbType);
  if (plan.action === 'open') {
    throw MANAGER_ERRORS.importRefused(
      `import: nothing to import: a start would ${describePlan(plan)}`,
    );
  }
  if (plan.action === 'imported') {
    return [
      `${describeGoDatabase(plan.source)} was imported before into ${plan.location}; nothing done`,
    ];
  }
  return [describeImport(await importGoDatabase(plan.source, logger, plan.location))];
}
