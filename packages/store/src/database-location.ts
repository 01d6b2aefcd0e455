import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { storeErrors } from './errors';
import { ManifestProblem, readManifest } from './leveldb-manifest';
import { isPosixLocked } from './posix-lock';

/**
 * What a database location holds, as far as opening it goes:
 * - `missing`: nothing there yet — the directory is made and a new database created;
 * - `empty`: an empty directory — a new database is created in it;
 * - `leveldb`: a LevelDB directory whose CURRENT, MANIFEST and table files are intact —
 *   LevelDB opens it (never repairs it).
 */
export type DatabaseLocationKind = 'missing' | 'empty' | 'leveldb';

/** bbolt's meta page: a 16-byte page header, then the magic 0xED0CDAED (little-endian). */
const BOLT_MAGIC_OFFSET = 16;
const BOLT_MAGIC = 0xed0cdaed;

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
    const head = Buffer.alloc(BOLT_MAGIC_OFFSET + 4);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.readUInt32LE(BOLT_MAGIC_OFFSET) === BOLT_MAGIC;
  } finally {
    await handle.close();
  }
}

/**
 * The error for a location that is a file. The place where importing a Go bolt file will
 * hook in (issue #12); until then a bolt file is named as such and refused.
 */
async function fileError(location: string, size: number, isFile: boolean): Promise<Error> {
  if (isFile && (await looksLikeBolt(location))) {
    return storeErrors.notADirectory(
      location,
      'it looks like a Go bolt database; importing bolt databases is not available yet, so keep it for the Go manager',
    );
  }
  return storeErrors.notADirectory(
    location,
    isFile ? `a file of ${size} bytes` : 'not a directory',
  );
}

/** The error for a non-empty directory without CURRENT, saying what it seems to hold. */
function foreignError(location: string, names: string[]): Error {
  const badger = names.filter((n) => BADGER_NAME.test(n));
  if (badger.some((n) => n.endsWith('.vlog') || n === 'KEYREGISTRY' || n === 'DISCARD')) {
    return storeErrors.foreign(
      location,
      `it looks like a Go badger database (${sample(badger)}); this manager does not read badger`,
    );
  }
  const levelLike = names.filter((n) => LEVELDB_NAME.test(n));
  if (levelLike.length > 0) {
    return storeErrors.foreign(
      location,
      `it holds LevelDB-like files (${sample(levelLike)}): a damaged LevelDB (restore it from a backup) or another program's data`,
    );
  }
  return storeErrors.foreign(location, `it holds ${names.length} entries (${sample(names)})`);
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
    throw storeErrors.corrupt(location, `CURRENT cannot be read: ${errnoOf(err) ?? String(err)}`);
  });
  const manifest = CURRENT_TEXT.exec(currentText)?.[1];
  if (manifest === undefined) {
    const shown = JSON.stringify(currentText.slice(0, 40));
    throw storeErrors.corrupt(location, `CURRENT holds ${shown}, not the name of a MANIFEST`);
  }
  const info = await stat(join(location, manifest)).catch(() => undefined);
  if (!info?.isFile()) {
    throw storeErrors.corrupt(location, `CURRENT names ${manifest}, which is missing`);
  }
  if (info.size === 0) throw storeErrors.corrupt(location, `${manifest} is empty`);
  const bytes = await readFile(join(location, manifest)).catch((err: unknown) => {
    throw storeErrors.openFailed(location, `${manifest}: ${errnoOf(err) ?? String(err)}`, err);
  });
  let tables: Map<number, number>;
  try {
    ({ tables } = readManifest(bytes));
  } catch (err) {
    if (!(err instanceof ManifestProblem)) throw err;
    throw storeErrors.corrupt(location, `${manifest}: ${err.message}`);
  }
  for (const [number, expected] of [...tables].sort((a, b) => a[0] - b[0])) {
    const size = await tableSize(location, number);
    const name = `table ${String(number).padStart(6, '0')}.ldb`;
    if (size === undefined) {
      throw storeErrors.corrupt(location, `${name}, which ${manifest} lists, is missing`);
    }
    if (size !== expected) {
      throw storeErrors.corrupt(
        location,
        `${name} is ${size} bytes, ${manifest} says ${expected} (truncated or overwritten)`,
      );
    }
  }
}

/**
 * The start-up rule of the store — never delete or rewrite a file this program did not
 * create: looks at `location` without writing anything and says whether it is missing,
 * empty or an intact LevelDB directory; anything else throws a `StoreError` naming the
 * path and what was found (a file such as a Go bolt database, a badger directory, other
 * files, a damaged LevelDB, a LevelDB locked by another process).
 */
export async function checkDatabaseLocation(location: string): Promise<DatabaseLocationKind> {
  let info;
  try {
    info = await stat(location);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') throw storeErrors.notADirectory(location, 'a path below a file');
    throw storeErrors.openFailed(location, code ?? String(err), err);
  }
  if (!info.isDirectory()) throw await fileError(location, info.size, info.isFile());
  let names: string[];
  try {
    names = (await readdir(location)).sort();
  } catch (err) {
    throw storeErrors.openFailed(location, errnoOf(err) ?? String(err), err);
  }
  if (names.length === 0) return 'empty';
  if (names.includes('LOCK') && (await isPosixLocked(join(location, 'LOCK')))) {
    throw storeErrors.locked(location);
  }
  if (!names.includes('CURRENT')) throw foreignError(location, names);
  await checkLevelDb(location);
  return 'leveldb';
}
