import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  appendFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelStore, STORE_ERROR_CODES, checkDatabaseLocation } from '../src/index';
import type { StoreErrorCode } from '../src/index';
import { isPosixLocked } from '../src/posix-lock';
import { mirrorStatus } from './store-conformance';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-location-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Every entry of a directory (LevelDB's LOG included) with size, hash and mtime. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    const info = await stat(join(dir, name));
    const hash = info.isFile()
      ? createHash('sha256')
          .update(await readFile(join(dir, name)))
          .digest('hex')
      : 'dir';
    out[name] = `${info.size} ${hash} ${info.mtimeMs}`;
  }
  return out;
}

const OLD = new Date('2020-02-02T02:02:02Z');

/** Writes files with an old mtime, so that a rewrite would show. */
async function writeOld(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), content);
    await utimes(join(dir, name), OLD, OLD);
  }
}

/** A real database of ours with a table file, a log and two MANIFEST generations behind it. */
async function realDatabase(): Promise<string> {
  const location = join(await tempDir(), 'db');
  let store = await LevelStore.open({ location });
  for (let i = 0; i < 20; i += 1)
    await store.putMirrorStatus('w1', `m${i}`, mirrorStatus('w1', `m${i}`));
  await store.close();
  store = await LevelStore.open({ location }); // LevelDB turns the log into a table
  await store.putMirrorStatus('w1', 'late', mirrorStatus('w1', 'late'));
  await store.close();
  for (const name of await readdir(location)) await utimes(join(location, name), OLD, OLD);
  return location;
}

async function manifestOf(location: string): Promise<string> {
  return (await readFile(join(location, 'CURRENT'), 'utf8')).trim();
}

async function tableOf(location: string): Promise<string> {
  const table = (await readdir(location)).find((n) => n.endsWith('.ldb'));
  if (table === undefined) throw new Error(`no table in ${location}`);
  return table;
}

/** Opens, expects the code and a message matching `pattern`, and no change on disk. */
async function expectRefused(location: string, code: StoreErrorCode, pattern: RegExp) {
  const before = await snapshot(location).catch(() => undefined);
  const err = (await LevelStore.open({ location }).then(
    (store) => store.close().then(() => new Error('opened')),
    (e: unknown) => e,
  )) as { code?: string; message: string };
  expect(err.message).toMatch(pattern);
  expect(err.message).not.toContain('\n');
  expect(err.code).toBe(code);
  if (before !== undefined) expect(await snapshot(location)).toEqual(before);
}

describe('checkDatabaseLocation: new databases', () => {
  test('a missing directory is created with its parents, an empty one is used', async () => {
    const missing = join(await tempDir(), 'a', 'b', 'db');
    expect(await checkDatabaseLocation(missing)).toBe('missing');
    const store = await LevelStore.open({ location: missing });
    await store.putWorker({
      id: 'w',
      url: 'http://h/',
      token: '',
      last_online: '',
      last_register: '',
    });
    await store.close();
    expect(await checkDatabaseLocation(missing)).toBe('leveldb');

    const empty = await tempDir();
    expect(await checkDatabaseLocation(empty)).toBe('empty');
    await (await LevelStore.open({ location: empty })).close();
    expect(await readdir(empty)).toContain('CURRENT');
  });

  test('a database of ours after restarts is intact, and its data is all there', async () => {
    const location = await realDatabase();
    expect(await checkDatabaseLocation(location)).toBe('leveldb');
    const store = await LevelStore.open({ location });
    expect(await store.listMirrorStatuses('w1')).toHaveLength(21);
    await store.close();
  });
});

describe('checkDatabaseLocation: foreign content is refused and left byte-identical', () => {
  test('a Go badger directory (LevelDB-like names, *.vlog, KEYREGISTRY)', async () => {
    const location = join(await tempDir(), 'badger');
    await writeOld(location, {
      '000001.vlog': Buffer.alloc(4096, 7),
      '000003.log': 'not a leveldb log',
      '000005.ldb': Buffer.alloc(100, 1),
      '000007.sst': Buffer.alloc(200, 2),
      'MANIFEST-000001': 'badger manifest',
      MANIFEST: 'badger',
      KEYREGISTRY: Buffer.alloc(28, 3),
      DISCARD: Buffer.alloc(1024, 0),
    });
    await expectRefused(
      location,
      STORE_ERROR_CODES.foreign,
      new RegExp(
        `^database ${location} holds files but no LevelDB CURRENT: it looks like a Go badger database \\(000001\\.vlog, DISCARD, KEYREGISTRY, …\\); this manager does not read badger; it was left untouched — point db_file at a new, empty directory$`,
      ),
    );
  });

  test('LevelDB-like files without CURRENT, and other files', async () => {
    const leveldbLike = join(await tempDir(), 'db');
    await writeOld(leveldbLike, {
      '000003.log': 'x',
      '000005.ldb': 'y',
      '000007.sst': 'z',
      'MANIFEST-000001': 'm',
    });
    await expectRefused(
      leveldbLike,
      STORE_ERROR_CODES.foreign,
      /holds files but no LevelDB CURRENT: it holds LevelDB-like files \(000003\.log, 000005\.ldb, 000007\.sst, …\): a damaged LevelDB/,
    );
    const other = join(await tempDir(), 'db');
    await writeOld(other, { 'notes.txt': 'hello', 'x.bin': Buffer.from([1, 2, 3]) });
    await expectRefused(
      other,
      STORE_ERROR_CODES.foreign,
      /holds files but no LevelDB CURRENT: it holds 2 entries \(notes\.txt, x\.bin\); it was left untouched/,
    );
  });

  test('a Go bolt file, another file, a path below a file', async () => {
    const dir = await tempDir();
    const bolt = Buffer.alloc(8192);
    bolt.writeUInt32LE(0xed0cdaed, 16);
    bolt.writeUInt32LE(2, 20);
    await writeOld(dir, { 'tunasync.db': bolt, 'other.db': 'something' });
    const boltPath = join(dir, 'tunasync.db');
    await expectRefused(
      boltPath,
      STORE_ERROR_CODES.notADirectory,
      new RegExp(
        `^database ${boltPath} is not a LevelDB directory \\(it looks like a Go bolt database; importing bolt databases is not available yet`,
      ),
    );
    await expectRefused(
      join(dir, 'other.db'),
      STORE_ERROR_CODES.notADirectory,
      /is not a LevelDB directory \(a file of 9 bytes\); it was left untouched/,
    );
    await expectRefused(
      join(dir, 'other.db', 'sub'),
      STORE_ERROR_CODES.notADirectory,
      /a path below a file/,
    );
    expect(await snapshot(dir)).toEqual({
      'other.db': `9 ${createHash('sha256').update('something').digest('hex')} ${OLD.getTime()}`,
      'tunasync.db': `8192 ${createHash('sha256').update(bolt).digest('hex')} ${OLD.getTime()}`,
    });
  });
});

describe('checkDatabaseLocation: a damaged LevelDB is refused before LevelDB writes anything', () => {
  const cases: Array<[string, (location: string) => Promise<void>, RegExp]> = [
    [
      'CURRENT names a missing MANIFEST',
      async (l) => writeFile(join(l, 'CURRENT'), 'MANIFEST-000999\n'),
      /is corrupt \(CURRENT names MANIFEST-000999, which is missing\); it was left untouched/,
    ],
    [
      'garbage in CURRENT',
      async (l) => writeFile(join(l, 'CURRENT'), Buffer.from([0xde, 0xad, 0xbe, 0xef, 10])),
      /is corrupt \(CURRENT holds "\u00de\u00ad\u00be\u00ef\\n", not the name of a MANIFEST\)/,
    ],
    [
      'CURRENT without its newline',
      async (l) => writeFile(join(l, 'CURRENT'), await manifestOf(l)),
      /is corrupt \(CURRENT holds "MANIFEST-\d+", not the name of a MANIFEST\)/,
    ],
    [
      'an empty MANIFEST',
      async (l) => truncate(join(l, await manifestOf(l)), 0),
      /is corrupt \(MANIFEST-\d+ is empty\)/,
    ],
    [
      'a truncated MANIFEST',
      async (l) => {
        const file = join(l, await manifestOf(l));
        await truncate(file, Math.floor((await stat(file)).size / 2));
      },
      /is corrupt \(MANIFEST-\d+: the record at byte \d+ is cut short \(the file ends first\)\)/,
    ],
    [
      'a flipped byte in the MANIFEST',
      async (l) => {
        const file = join(l, await manifestOf(l));
        const bytes = await readFile(file);
        bytes[10] = (bytes[10] as number) ^ 0xff;
        await writeFile(file, bytes);
      },
      /is corrupt \(MANIFEST-\d+: the record at byte 0 fails its checksum\)/,
    ],
    [
      'a missing table file',
      async (l) => rm(join(l, await tableOf(l))),
      /is corrupt \(table \d{6}\.ldb, which MANIFEST-\d+ lists, is missing\)/,
    ],
    [
      'a truncated table file',
      async (l) => {
        const file = join(l, await tableOf(l));
        await truncate(file, Math.floor((await stat(file)).size / 2));
      },
      /is corrupt \(table \d{6}\.ldb is \d+ bytes, MANIFEST-\d+ says \d+ \(truncated or overwritten\)\)/,
    ],
  ];

  test.each(cases)('%s', async (_name, damage, pattern) => {
    const location = await realDatabase();
    await damage(location);
    for (const name of await readdir(location)) await utimes(join(location, name), OLD, OLD);
    await expectRefused(location, STORE_ERROR_CODES.corrupt, pattern);
  });

  test('a zero-filled MANIFEST tail (preallocated space) is no damage', async () => {
    const location = await realDatabase();
    await appendFile(join(location, await manifestOf(location)), Buffer.alloc(1000));
    const store = await LevelStore.open({ location });
    expect(await store.listMirrorStatuses('w1')).toHaveLength(21);
    await store.close();
  });
});

describe('checkDatabaseLocation: a locked database', () => {
  test('is refused without touching a file, LevelDB log included', async () => {
    const location = await realDatabase();
    const script = `
      const { Level } = require(${JSON.stringify(require.resolve('level'))});
      const db = new Level(process.argv[1]);
      db.open().then(() => process.stdout.write('ready\\n'));
      process.stdin.on('end', () => db.close().then(() => process.exit(0)));
      process.stdin.resume();
    `;
    const child: ChildProcess = spawn(process.execPath, ['-e', script, location], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      await once(child.stdout!, 'data');
      await expectRefused(
        location,
        STORE_ERROR_CODES.locked,
        new RegExp(`^database ${location} is locked: another tunasync-manager`),
      );
      expect(await isPosixLocked(join(location, 'LOCK'))).toBe(true);
    } finally {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, 'exit');
    }
    expect(await isPosixLocked(join(location, 'LOCK'))).toBe(false);
    expect(await isPosixLocked(join(location, 'no-such-file'))).toBeUndefined();
  });
});
