import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BOLT_MAGIC, PAGE_HEADER_SIZE } from './bolt-meta';
import { STORE_ERRORS } from './errors';
import { ManifestProblem, readManifest } from './leveldb-manifest';
import { lockHolders } from './file-locks';
import { isGoLevelDb } from './go-leveldb-source';
import type { GoDatabaseKind } from './go-import';

/**
 * What a database location holds, as far as opening it goes:
 * - `missing`: nothing there yet — the directory is made and a new database created;
 * - `empty`: an empty directory — a new database is created in it;
 * - `leveldb`: a LevelDB directory whose CURRENT, MANIFEST and table files are intact —
 *   LevelDB opens it (never repairs it).
 */
export type DatabaseLocationKind = 'missing' | 'empty' | 'leveldb';

/**
 * What `inspectDatabaseLocation` finds: one of the above, or a database of the Go manager
 * that can be imported — `bolt` (a file with bbolt's magic), `goleveldb` (an intact LevelDB
 * directory whose info log is goleveldb's).
 */
export type DatabaseContent = DatabaseLocationKind | GoDatabaseKind;

const LEVELDB_NAME = /^(?:\d+\.(?:log|ldb|sst|dbtmp)|MANIFEST-\d+|LOCK|LOG|LOG\.old)$/;
const BADGER_NAME = /^(?:\d+\.vlog|KEYREGISTRY|DISCARD|MANIFEST)$/;
const CURRENT_TEXT = /^(MANIFEST-\d+)\n$/;

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function sample(names: string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown}, …` : shown;
}

/** Whether the first page of `path` carries bbolt's magic number. */
async function looksLikeBolt(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    // bbolt's meta page: the 16-byte page header, then the magic (little-endian).
    const head = Buffer.alloc(PAGE_HEADER_SIZE + 4);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.readUInt32LE(PAGE_HEADER_SIZE) === BOLT_MAGIC;
  } finally {
    await handle.close();
  }
}

/** The error for a location that is a file (not a bolt database). */
function fileError(location: string, size: number, isFile: boolean): Error {
  return STORE_ERRORS.notADirectory(
    location,
    isFile ? `a file of ${size} bytes` : 'not a directory',
  );
}

/** The error for a non-empty directory without CURRENT, saying what it seems to hold. */
function foreignError(location: string, names: string[]): Error {
  const badger = names.filter((n) => BADGER_NAME.test(n));
  if (badger.some((n) => n.endsWith('.vlog') || n === 'KEYREGISTRY' || n === 'DISCARD')) {
    return STORE_ERRORS.foreign(
      location,
      `it looks like a Go badger database (${sample(badger)}); this manager does not read badger`,
    );
  }
  const levelLike = names.filter((n) => LEVELDB_NAME.test(n));
  if (levelLike.length > 0) {
    return STORE_ERRORS.foreign(
      location,
      `it holds LevelDB-like files (${sample(levelLike)}): a damaged LevelDB (restore it from a backup) or another program's data`,
    );
  }
  return STORE_ERRORS.foreign(location, `it holds ${names.length} entries (${sample(names)})`);
}

/** The size of table `number` (`.ldb`, or `.sst` of older LevelDBs), `undefined` when absent. */
async function tableSize(location: string, number: number): Promise<number | undefined> {
  const base = String(number).padStart(6, '0');
  for (const name of [`${base}.ldb`, `${base}.sst`]) {
    const info = await stat(join(location, name)).catch(() => undefined);
    if (info?.isFile()) return info.size;
  }
  return undefined;
}

/** Checks CURRENT → MANIFEST → table files of a LevelDB directory, reading only. */
async function checkLevelDb(location: string): Promise<void> {
  const currentText = await readFile(join(location, 'CURRENT'), 'latin1').catch((err: unknown) => {
    throw STORE_ERRORS.corrupt(location, `CURRENT cannot be read: ${errnoOf(err) ?? String(err)}`);
  });
  const manifest = CURRENT_TEXT.exec(currentText)?.[1];
  if (manifest === undefined) {
    const shown = JSON.stringify(currentText.slice(0, 40));
    throw STORE_ERRORS.corrupt(location, `CURRENT holds ${shown}, not the name of a MANIFEST`);
  }
  const info = await stat(join(location, manifest)).catch(() => undefined);
  if (!info?.isFile()) {
    throw STORE_ERRORS.corrupt(location, `CURRENT names ${manifest}, which is missing`);
  }
  if (info.size === 0) throw STORE_ERRORS.corrupt(location, `${manifest} is empty`);
  const bytes = await readFile(join(location, manifest)).catch((err: unknown) => {
    throw STORE_ERRORS.openFailed.withCause(
      err,
      location,
      `${manifest}: ${errnoOf(err) ?? String(err)}`,
    );
  });
  let tables: Map<number, number>;
  try {
    ({ tables } = readManifest(bytes));
  } catch (err) {
    if (!(err instanceof ManifestProblem)) throw err;
    throw STORE_ERRORS.corrupt(location, `${manifest}: ${err.message}`);
  }
  for (const [number, expected] of [...tables].sort((a, b) => a[0] - b[0])) {
    const size = await tableSize(location, number);
    const name = `table ${String(number).padStart(6, '0')}.ldb`;
    if (size === undefined) {
      throw STORE_ERRORS.corrupt(location, `${name}, which ${manifest} lists, is missing`);
    }
    if (size !== expected) {
      throw STORE_ERRORS.corrupt(
        location,
        `${name} is ${size} bytes, ${manifest} says ${expected} (truncated or overwritten)`,
      );
    }
  }
}

/**
 * The start-up rule of the store — never delete or rewrite a file this program did not
 * create: looks at `location` without writing anything and says whether it is missing,
 * empty, an intact LevelDB directory, or a Go manager's bolt or goleveldb database (to be
 * imported, never opened); anything else throws a `StoreError` naming the path and what
 * was found (another file, a badger directory, other files, a damaged LevelDB, a LevelDB
 * locked by another process — a Go manager's flock included).
 */
export async function inspectDatabaseLocation(location: string): Promise<DatabaseContent> {
  let info;
  try {
    info = await stat(location);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') throw STORE_ERRORS.notADirectory(location, 'a path below a file');
    throw STORE_ERRORS.openFailed.withCause(err, location, code ?? String(err));
  }
  if (!info.isDirectory()) {
    if (info.isFile() && (await looksLikeBolt(location))) return 'bolt';
    throw fileError(location, info.size, info.isFile());
  }
  let names: string[];
  try {
    names = (await readdir(location)).sort();
  } catch (err) {
    throw STORE_ERRORS.openFailed.withCause(err, location, errnoOf(err) ?? String(err));
  }
  if (names.length === 0) return 'empty';
  // Any lock: LevelDB's (POSIX) from another tunasync-ts manager, goleveldb's (flock) from a
  // running Go manager.
  const holders = names.includes('LOCK') ? await lockHolders(join(location, 'LOCK')) : undefined;
  if (holders !== undefined && holders.length > 0) {
    throw STORE_ERRORS.locked(location, holders);
  }
  if (!names.includes('CURRENT')) throw foreignError(location, names);
  await checkLevelDb(location);
  return (await isGoLevelDb(location)) ? 'goleveldb' : 'leveldb';
}

/**
 * `inspectDatabaseLocation` for opening a `LevelStore`: a Go manager's database is refused
 * (`TUNASYNC_E_STORE_GO_DATABASE`), untouched — it is imported (`importGoDatabase`), never
 * opened in place.
 */
export async function checkDatabaseLocation(location: string): Promise<DatabaseLocationKind> {
  const content = await inspectDatabaseLocation(location);
  if (content === 'bolt' || content === 'goleveldb') {
    throw STORE_ERRORS.goDatabase(location, content === 'bolt' ? 'bolt' : 'LevelDB');
  }
  return content;
}
