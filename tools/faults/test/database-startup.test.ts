import { randomBytes } from 'node:crypto';
import { cp, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TempDirs, startManagerProcess, writeTree, statusReport } from '@tunasync/test-utils';
import type { TreeEntry } from '@tunasync/test-utils';
import { managerStartFailure } from '../src/manager-start-failure';
import { treeState } from '../src/tree-state';

/**
 * Start-up on foreign or damaged database directories (issue #11, finding 1): the built
 * manager exits with one line naming the path and what it found, and every file stays
 * byte-identical (content, size, mtime; the directory's own mtime too: nothing added or
 * removed).
 */

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

const OLD = new Date('2021-03-04T05:06:07Z');

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Writes `entries` under a new directory, all with an old mtime. */
async function foreignTree(entries: Record<string, TreeEntry>): Promise<string> {
  const root = join(await dirs.make('tunasync-foreign-'), 'db');
  await writeTree(root, entries);
  for (const name of [...(await readdir(root)), '.']) await utimes(join(root, name), OLD, OLD);
  return root;
}

let baseDb: string;

/** A real database of the manager's: 30 statuses, two starts (so a table file exists). */
beforeAll(async () => {
  baseDb = join(await dirs.make('tunasync-base-db-'), 'db');
  for (const round of [0, 1]) {
    const m = await startManagerProcess({ dbDir: baseDb });
    try {
      expect(await post(`${m.url}/workers`, { id: 'w1', url: 'http://127.0.0.1:1/' })).toBe(200);
      for (let i = 0; i < 15; i += 1) {
        const name = `m${round}-${i}`;
        expect(
          await post(`${m.url}/workers/w1/jobs/${name}`, statusReport('w1', name, 'success')),
        ).toBe(200);
      }
    } finally {
      expect(await m.stop()).toBe(0);
    }
  }
});

/** A copy of the base database, damaged by `damage`, with every entry's mtime made old. */
async function damagedCopy(damage: (db: string) => Promise<void>): Promise<string> {
  const db = join(await dirs.make('tunasync-damaged-'), 'db');
  await cp(baseDb, db, { recursive: true });
  await damage(db);
  for (const name of [...(await readdir(db)), '.']) await utimes(join(db, name), OLD, OLD);
  return db;
}

const manifestOf = async (db: string) => (await readFile(join(db, 'CURRENT'), 'utf8')).trim();
const tableOf = async (db: string) => {
  const table = (await readdir(db)).find((n) => n.endsWith('.ldb'));
  if (!table) throw new Error(`no table file in ${db}`);
  return table;
};

/** The one line a refused start prints, with no stack trace. */
function expectOneLine(lines: string[], pattern: RegExp): void {
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /^\[[\d-]+ [\d:]+\]\[ERROR\]\[manager\] cannot start: (?:Go bolt )?database /,
  );
  expect(lines[0]).toMatch(pattern);
  expect(lines.join('\n')).not.toMatch(/\n\s+at |Error:/);
}

const cases: Array<[string, () => Promise<string>, number, RegExp]> = [
  [
    'a Go badger directory (000003.log, 000005.ldb, 000007.sst, MANIFEST-000001, *.vlog, KEYREGISTRY, DISCARD)',
    () =>
      foreignTree({
        '000001.vlog': randomBytes(20_000),
        '000003.log': randomBytes(300),
        '000005.ldb': randomBytes(700),
        '000007.sst': randomBytes(900),
        'MANIFEST-000001': randomBytes(64),
        MANIFEST: randomBytes(64),
        KEYREGISTRY: randomBytes(28),
        DISCARD: Buffer.alloc(1 << 20),
      }),
    2,
    /holds files but no LevelDB CURRENT: it looks like a Go badger database \(000001\.vlog, DISCARD, KEYREGISTRY, …\); this manager does not read badger; it was left untouched — point db_file at a new, empty directory$/,
  ],
  [
    'a bolt-like file',
    async () => {
      const page = randomBytes(4096);
      page.writeUInt32LE(0xed0cdaed, 16);
      const root = await foreignTree({ 'tunasync.db': Buffer.concat([page, randomBytes(12_288)]) });
      return join(root, 'tunasync.db');
    },
    2,
    /Go bolt database \S+ cannot be read \(not a bolt database: meta page 0 has format version \d+, not 2; .*\); it was left untouched/,
  ],
  [
    'random files with LevelDB-like names and others',
    () =>
      foreignTree({
        '000009.log': randomBytes(1000),
        '000010.ldb': randomBytes(1000),
        'notes.txt': 'keep me',
        'sub/inner.bin': randomBytes(100),
      }),
    2,
    /holds files but no LevelDB CURRENT: it holds LevelDB-like files \(000009\.log, 000010\.ldb\): a damaged LevelDB/,
  ],
  [
    'CURRENT pointing to a missing MANIFEST',
    () => damagedCopy(async (db) => rm(join(db, await manifestOf(db)))),
    2,
    /is corrupt \(CURRENT names MANIFEST-\d+, which is missing\); it was left untouched/,
  ],
  [
    'a truncated MANIFEST',
    () =>
      damagedCopy(async (db) => {
        const file = join(db, await manifestOf(db));
        await truncate(file, Math.floor((await stat(file)).size * 0.6));
      }),
    2,
    /is corrupt \(MANIFEST-\d+: the record at byte \d+ is cut short \(the file ends first\)\)/,
  ],
  [
    'garbage in CURRENT',
    () => damagedCopy((db) => writeFile(join(db, 'CURRENT'), randomBytes(40))),
    2,
    /is corrupt \(CURRENT holds ".*", not the name of a MANIFEST\)/,
  ],
  [
    'a truncated table file',
    () =>
      damagedCopy(async (db) => {
        const file = join(db, await tableOf(db));
        await truncate(file, Math.floor((await stat(file)).size / 3));
      }),
    2,
    /is corrupt \(table \d{6}\.ldb is \d+ bytes, MANIFEST-\d+ says \d+ \(truncated or overwritten\)\)/,
  ],
];

test.each(cases)(
  '%s: the expected exit code, one line, every file byte-identical',
  async (_n, make, code, pattern) => {
    const db = await make();
    // A file's directory too: nothing is created beside it (no import of a bolt file).
    const root = (await stat(db)).isDirectory() ? db : dirname(db);
    const before = await treeState(root);
    const failure = await managerStartFailure(db);
    expect(failure.code).toBe(code);
    expectOneLine(failure.lines, pattern);
    expect(failure.lines[0]).toContain(db);
    expect(await treeState(root)).toEqual(before);
  },
);

test('a directory held by another running manager: exit 1, "locked", the holder undisturbed', async () => {
  const db = join(await dirs.make('tunasync-held-'), 'db');
  const holder = await startManagerProcess({ dbDir: db });
  try {
    expect(await post(`${holder.url}/workers`, { id: 'w1', url: 'http://127.0.0.1:1/' })).toBe(200);
    expect(
      await post(`${holder.url}/workers/w1/jobs/m1`, statusReport('w1', 'm1', 'success')),
    ).toBe(200);
    const before = await treeState(db);
    const failure = await managerStartFailure(db);
    expect(failure.code).toBe(1);
    expectOneLine(
      failure.lines,
      new RegExp(
        `is locked: another tunasync-manager \\(or another program, pid ${holder.child.pid}\\) has it open; stop that process first$`,
      ),
    );
    // Not even LevelDB's info log of the holder was rotated.
    expect(await treeState(db)).toEqual(before);
    const jobs = (await (await fetch(`${holder.url}/jobs`)).json()) as Array<{ name: string }>;
    expect(jobs.map((j) => j.name)).toEqual(['m1']);
  } finally {
    expect(await holder.stop()).toBe(0);
  }
});

test('the damaged copies are of a database that opens: the base starts with all 30 statuses', async () => {
  const db = await damagedCopy(async () => undefined);
  const m = await startManagerProcess({ dbDir: db });
  try {
    const jobs = (await (await fetch(`${m.url}/workers/w1/jobs`)).json()) as unknown[];
    expect(jobs).toHaveLength(30);
  } finally {
    expect(await m.stop()).toBe(0);
  }
});
