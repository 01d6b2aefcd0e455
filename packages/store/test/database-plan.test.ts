import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotTree, goManagerFixtures } from '@tunasync/test-utils';
import type { Logger } from '@tunasync/api-types';
import {
  LevelStore,
  STORE_ERROR_CODES,
  describePlan,
  openPlannedDatabase,
  planDatabase,
} from '../src/index';

const FIXTURES = goManagerFixtures();
const dirs: string[] = [];

async function copyFixture(folder: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-plan-'));
  dirs.push(dir);
  await cp(join(FIXTURES, folder), join(dir, folder), { recursive: true });
  return join(dir, folder);
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function infoLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger: Logger & { lines: string[] } = {
    lines,
    error: (m) => lines.push(`error: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    info: (m) => lines.push(m),
    debug: () => undefined,
    child: () => logger,
  };
  return logger;
}

describe('planDatabase and openPlannedDatabase', () => {
  test.each([['bolt' as const], [undefined], ['leveldb' as const]])(
    'a bolt file (db_type %s) is imported once, then the import is opened',
    async (dbType) => {
      const dir = await copyFixture('bolt-small');
      const dbFile = join(dir, 'tunasync.db');
      const before = await snapshotTree(dir);
      const plan = await planDatabase(dbFile, dbType);
      expect(plan).toEqual({
        action: 'import',
        location: `${dbFile}.leveldb`,
        source: { kind: 'bolt', path: dbFile },
      });
      expect(describePlan(plan)).toBe(
        `import Go bolt database ${dbFile} into ${dbFile}.leveldb (the Go database is only read), then open it`,
      );
      const logger = infoLogger();
      const store = await openPlannedDatabase(plan, logger);
      expect((await store.listAllMirrorStatuses()).length).toBe(12);
      await store.close();
      expect(logger.lines).toEqual([
        `imported 2 workers and 12 mirror statuses from Go bolt database ${dbFile} into ${dbFile}.leveldb; the Go database was left as it was`,
      ]);

      const again = await planDatabase(dbFile, dbType);
      expect(again.action).toBe('imported');
      const later = infoLogger();
      await (await openPlannedDatabase(again, later)).close();
      expect(later.lines).toEqual([
        `using ${dbFile}.leveldb, imported earlier from Go bolt database ${dbFile} (the Go database is not read again)`,
      ]);
      expect(await snapshotTree(dir, (rel) => rel.startsWith('tunasync.db.leveldb'))).toEqual(
        before,
      );
    },
  );

  test('a goleveldb directory is imported into <db_file>.ts-leveldb, left byte-identical', async () => {
    const dir = await copyFixture('leveldb-small');
    const dbFile = join(dir, 'tunasync.ldb');
    const before = await snapshotTree(dir);
    const plan = await planDatabase(dbFile, 'leveldb');
    expect(plan).toMatchObject({
      action: 'import',
      location: `${dbFile}.ts-leveldb`,
      source: { kind: 'goleveldb' },
    });
    const logger = infoLogger();
    const store = await openPlannedDatabase(plan, logger);
    expect((await store.listWorkers()).map((w) => w.id)).toEqual(['worker-a', 'worker-b']);
    await store.close();
    expect(logger.lines).toEqual([
      `imported 2 workers and 12 mirror statuses from Go LevelDB database ${dbFile} into ${dbFile}.ts-leveldb; the Go database was left as it was`,
    ]);
    expect(await snapshotTree(dir, (rel) => rel.startsWith('tunasync.ldb.ts-leveldb'))).toEqual(
      before,
    );
    expect((await planDatabase(dbFile, 'leveldb')).action).toBe('imported');
  });

  test('db_type "bolt": a missing file gets a new LevelDB beside it; a directory is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunasync-plan-'));
    dirs.push(dir);
    const dbFile = join(dir, 'tunasync.db');
    expect(await planDatabase(dbFile, 'bolt')).toEqual({
      action: 'open',
      location: `${dbFile}.leveldb`,
    });
    expect(await planDatabase(dbFile, undefined)).toEqual({ action: 'open', location: dbFile });
    const ours = join(dir, 'ours');
    await (await LevelStore.open({ location: ours })).close();
    expect(await planDatabase(ours, 'leveldb')).toEqual({ action: 'open', location: ours });
    await expect(planDatabase(ours, 'bolt')).rejects.toMatchObject({
      code: STORE_ERROR_CODES.openFailed,
      message: expect.stringContaining('db_type is "bolt" but it is a directory'),
    });
  });

  test('an import target that is not an earlier import is refused', async () => {
    const dir = await copyFixture('bolt-small');
    const dbFile = join(dir, 'tunasync.db');
    await mkdir(`${dbFile}.leveldb`);
    await expect(planDatabase(dbFile, 'bolt')).rejects.toMatchObject({
      code: STORE_ERROR_CODES.openFailed,
      message: expect.stringContaining(
        'it is an empty directory, not an earlier import; move it away',
      ),
    });
  });

  test.each([
    ['leveldb-small', 'tunasync.ldb', 'LevelDB'],
    ['bolt-small', 'tunasync.db', 'bolt'],
  ])('LevelStore never opens a Go database in place (%s)', async (folder, name, format) => {
    const dir = await copyFixture(folder);
    const before = await snapshotTree(dir);
    await expect(LevelStore.open({ location: join(dir, name) })).rejects.toMatchObject({
      code: STORE_ERROR_CODES.goDatabase,
      message: expect.stringContaining(
        `is a Go manager's ${format} database; it was left untouched`,
      ),
    });
    expect(await snapshotTree(dir)).toEqual(before);
  });
});
