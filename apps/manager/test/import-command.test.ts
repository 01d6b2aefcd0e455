import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotTree, TempDirs, goManagerFixtures } from '@tunasync/test-utils';
import { LevelStore } from '@tunasync/store';
import { runCli } from '../src/cli';
import { capture } from './helpers';

const FIXTURES = goManagerFixtures();
const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

async function copyFixture(folder: string): Promise<string> {
  const dir = join(await dirs.make('tunasync-import-'), folder);
  await cp(join(FIXTURES, folder), dir, { recursive: true });
  return dir;
}

describe('tunasync-manager import', () => {
  test('--from bolt: imports beside the file, once; the bolt file untouched', async () => {
    const dir = await copyFixture('bolt-2000');
    const db = join(dir, 'tunasync.db');
    const before = await snapshotTree(dir);
    const c = capture();
    expect(await runCli(['import', '--from', `bolt:${db}`], c.io)).toBe(0);
    expect(c.out()).toBe(
      `imported 2 workers and 2012 mirror statuses from Go bolt database ${db} into ${db}.leveldb; the Go database was left as it was\n`,
    );
    expect(await snapshotTree(dir, (rel) => rel.startsWith('tunasync.db.leveldb'))).toEqual(before);
    const store = await LevelStore.open({ location: `${db}.leveldb` });
    expect(await store.listAllMirrorStatuses()).toHaveLength(2012);
    await store.close();

    const again = capture();
    expect(await runCli(['import', '--from', `bolt:${db}`], again.io)).toBe(2);
    expect(again.err()).toBe(
      `import: ${db}.leveldb exists already (imported before?); nothing done\n`,
    );
  });

  test('--from leveldb: with --to, the Go directory byte-identical', async () => {
    const dir = await copyFixture('leveldb-small');
    const db = join(dir, 'tunasync.ldb');
    const to = join(dir, 'elsewhere');
    const before = await snapshotTree(dir);
    const c = capture();
    expect(await runCli(['import', '--from', `leveldb:${db}`, '--to', to], c.io)).toBe(0);
    expect(c.out()).toContain(`from Go LevelDB database ${db} into ${to};`);
    expect(await snapshotTree(dir, (rel) => rel.startsWith('elsewhere'))).toEqual(before);
  });

  test('-c manager.conf imports what a start would; then says it was done', async () => {
    const dir = await copyFixture('bolt-small');
    const db = join(dir, 'tunasync.db');
    const conf = join(dir, 'manager.conf');
    await writeFile(conf, `[files]\ndb_type = "bolt"\ndb_file = ${JSON.stringify(db)}\n`);
    const check = capture();
    expect(await runCli(['--check-config', conf], check.io)).toBe(0);
    expect(check.out()).toBe(
      `database: a start would import Go bolt database ${db} into ${db}.leveldb (the Go database is only read), then open it\n${conf}: OK, 0 warning(s)\n`,
    );
    const c = capture();
    expect(await runCli(['import', '-c', conf], c.io)).toBe(0);
    expect(c.out()).toContain(
      `imported 2 workers and 12 mirror statuses from Go bolt database ${db}`,
    );
    const again = capture();
    expect(await runCli(['import', '-c', conf], again.io)).toBe(0);
    expect(again.out()).toBe(
      `Go bolt database ${db} was imported before into ${db}.leveldb; nothing done\n`,
    );
    const later = capture();
    expect(await runCli(['--check-config', conf], later.io)).toBe(0);
    expect(later.out()).toContain(
      `database: a start would open ${db}.leveldb, imported earlier from Go bolt database ${db} (not read again)`,
    );
  });

  test.each([
    [['import'], 2, 'import: give --from KIND:PATH or -c manager.conf (one of them)'],
    [
      ['import', '--from', 'badger:/x'],
      2,
      '--from: expected bolt:FILE or leveldb:DIR, got "badger:/x"',
    ],
    [['import', '--bogus'], 2, "import: Unknown option '--bogus'"],
  ])('usage mistakes: %j', async (argv, code, message) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(code);
    expect(c.err()).toBe(`${message}\n`);
  });

  test('a source that is not the Go database it names, a damaged bolt file: exit 2, nothing written', async () => {
    const dir = await dirs.make('tunasync-import-');
    const c = capture();
    expect(await runCli(['import', '--from', `leveldb:${join(dir, 'none')}`], c.io)).toBe(2);
    expect(c.err()).toBe(
      `--from leveldb:${join(dir, 'none')}: ${join(dir, 'none')} does not exist\n`,
    );
    const bad = join(dir, 'bad.db');
    const bytes = Buffer.alloc(8192);
    bytes.writeUInt32LE(0xed0cdaed, 16);
    await writeFile(bad, bytes);
    const d = capture();
    expect(await runCli(['import', '--from', `bolt:${bad}`], d.io)).toBe(2);
    expect(d.err()).toMatch(
      /^tunasync-manager import: Go bolt database \S+bad\.db cannot be read \(/,
    );
    const e = capture();
    expect(await runCli(['import', '--from', `leveldb:${bad}`], e.io)).toBe(2);
    expect(e.err()).toBe(`--from leveldb:${bad}: ${bad} holds a Go bolt database\n`);
    expect((await readdir(dir)).sort()).toEqual(['bad.db']);
  });
});
