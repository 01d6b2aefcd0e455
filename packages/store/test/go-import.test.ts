import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { requireTool, snapshotTree, goManagerFixtures } from '@tunasync/test-utils';
import type { Logger } from '@tunasync/api-types';
import {
  LevelStore,
  STORE_ERROR_CODES,
  importGoDatabase,
  importTarget,
  isGoLevelDb,
  openBoltFile,
} from '../src/index';
import type { GoDatabase } from '../src/index';
import { lockHolders } from '../src/file-locks';
import { buildBolt } from './bolt-builder';

const FIXTURES = goManagerFixtures();
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-go-import-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A logger keeping its warnings. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger & { warnings: string[] } = {
    warnings,
    error: () => undefined,
    warn: (message) => warnings.push(message),
    info: () => undefined,
    debug: () => undefined,
    child: () => logger,
  };
  return logger;
}

interface Fixture {
  folder: string;
  source: (dir: string) => GoDatabase;
}

const FIXTURE_SET: Fixture[] = [
  { folder: 'bolt-small', source: (dir) => ({ kind: 'bolt', path: join(dir, 'tunasync.db') }) },
  { folder: 'bolt-2000', source: (dir) => ({ kind: 'bolt', path: join(dir, 'tunasync.db') }) },
  {
    folder: 'leveldb-small',
    source: (dir) => ({ kind: 'goleveldb', path: join(dir, 'tunasync.ldb') }),
  },
  {
    folder: 'leveldb-12000',
    source: (dir) => ({ kind: 'goleveldb', path: join(dir, 'tunasync.ldb') }),
  },
];

/** A copy of a fixture folder in a temp dir (the fixtures are read-only), writable. */
async function copyFixture(folder: string): Promise<string> {
  const dir = join(await tempDir(), folder);
  await cp(join(FIXTURES, folder), dir, { recursive: true });
  return dir;
}

function fixtureJson<T>(folder: string, file: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8')) as T;
}
const jobsOf = (folder: string) =>
  fixtureJson<Array<{ name: string; last_update: string }>>(folder, 'jobs.json');
const workersOf = (folder: string) =>
  fixtureJson<Array<{ id: string; last_online: string }>>(folder, 'workers.json');

describe('importGoDatabase on the Go manager fixtures', () => {
  test.each(FIXTURE_SET)(
    '$folder: every worker and status, Go texts kept, the Go files byte-identical',
    async ({ folder, source: sourceIn }) => {
      const originals = await snapshotTree(join(FIXTURES, folder));
      const dir = await copyFixture(folder);
      const source = sourceIn(dir);
      const before = await snapshotTree(dir);
      if (source.kind === 'goleveldb') expect(await isGoLevelDb(source.path)).toBe(true);

      const summary = await importGoDatabase(source, recordingLogger());
      const target = importTarget(source);
      expect(summary).toEqual({
        source,
        target,
        workers: workersOf(folder).length,
        statuses: jobsOf(folder).length,
        skipped: 0,
      });
      // Nothing of the Go database changed; only the target was added beside it.
      const after = await snapshotTree(dir, (rel) => rel.startsWith(basename(target)));
      expect(after).toEqual(before);
      expect(await snapshotTree(join(FIXTURES, folder))).toEqual(originals);
      expect(
        (await readdir(dir)).filter((n) => n.includes('.importing') || n.includes('go-copy')),
      ).toEqual([]);

      const store = await LevelStore.open({ location: target });
      try {
        const workers = await store.listWorkers();
        expect(workers.map((w) => w.id).sort()).toEqual(
          workersOf(folder)
            .map((w) => w.id)
            .sort(),
        );
        // Times are the text Go stored (nanoseconds, +08:00), denoting what Go answered.
        for (const expected of workersOf(folder)) {
          const worker = workers.find((w) => w.id === expected.id);
          expect(Date.parse(worker?.last_online ?? '')).toBe(Date.parse(expected.last_online));
          expect(worker?.last_online).toMatch(/^\d{4}-\d\d-\d\dT[\d:]{8}\.\d{6,9}\+08:00$/);
        }
        const entries = await store.listAllMirrorStatusEntries();
        expect(entries).toHaveLength(jobsOf(folder).length);
        expect(new Set(entries.map((e) => e.mirror))).toEqual(
          new Set(jobsOf(folder).map((j) => j.name)),
        );
        for (const { workerId, mirror, status } of entries) {
          expect([status.worker, status.name]).toEqual([workerId, mirror]);
        }
      } finally {
        await store.close();
      }
    },
    60_000,
  );

  test('the stored JSON of a bolt import is the text Go wrote', async () => {
    const dir = await copyFixture('bolt-small');
    const source: GoDatabase = { kind: 'bolt', path: join(dir, 'tunasync.db') };
    await importGoDatabase(source, recordingLogger());
    const bolt = await openBoltFile(source.path);
    const goTexts = [...(bolt.bucket('mirror_status')?.entries() ?? [])].map(([, v]) =>
      JSON.parse(v.toString()),
    );
    bolt.close();
    const store = await LevelStore.open({ location: importTarget(source) });
    try {
      const ours = (await store.listAllMirrorStatusEntries()).map((e) => e.status);
      expect(ours).toEqual(expect.arrayContaining(goTexts));
      expect(ours).toHaveLength(goTexts.length);
      const debian = await store.getMirrorStatus('worker-a', 'debian');
      expect(debian?.last_ended).toBe('2026-12-03T22:30:12.514134268+08:00');
      expect(debian?.error_msg).toBe('rsync exited with code 12');
    } finally {
      await store.close();
    }
  });
});

describe('importGoDatabase refusals and recovery', () => {
  test('a target that exists is refused and left alone', async () => {
    const dir = await copyFixture('bolt-small');
    const source: GoDatabase = { kind: 'bolt', path: join(dir, 'tunasync.db') };
    await mkdir(importTarget(source));
    await writeFile(join(importTarget(source), 'mine'), 'keep');
    const before = await snapshotTree(dir);
    await expect(importGoDatabase(source, recordingLogger())).rejects.toMatchObject({
      code: STORE_ERROR_CODES.openFailed,
      message: expect.stringContaining('it exists already'),
    });
    expect(await snapshotTree(dir)).toEqual(before);
  });

  test('a staging directory left by a crashed import is replaced', async () => {
    const dir = await copyFixture('bolt-small');
    const source: GoDatabase = { kind: 'bolt', path: join(dir, 'tunasync.db') };
    await mkdir(`${importTarget(source)}.importing`);
    await writeFile(join(`${importTarget(source)}.importing`, 'CURRENT'), 'half');
    const summary = await importGoDatabase(source, recordingLogger());
    expect(summary.statuses).toBe(12);
    expect(await readdir(dir)).toEqual([
      'jobs.json',
      'tunasync.db',
      'tunasync.db.leveldb',
      'worker-a.jobs.json',
      'worker-b.jobs.json',
      'workers.json',
    ]);
  });

  test('unreadable records are skipped with a warning naming them', async () => {
    const path = join(await tempDir(), 'odd.db');
    const good = JSON.stringify({ name: 'debian', worker: 'w1', status: 'success' });
    await writeFile(
      path,
      buildBolt({
        workers: { w1: JSON.stringify({ id: 'w1', url: 'http://h:6000/' }), w2: 'not json' },
        mirror_status: {
          'debian/w1': good,
          'bad/w1': JSON.stringify({ name: 'bad', worker: 'w1', status: 'exploded' }),
          'nameless/w1': JSON.stringify({ status: 'success' }),
        },
      }),
    );
    const logger = recordingLogger();
    const summary = await importGoDatabase({ kind: 'bolt', path }, logger);
    expect(summary).toMatchObject({ workers: 1, statuses: 2, skipped: 2 });
    expect(logger.warnings).toEqual([
      `Go bolt database ${path}: skipping worker "w2": not a JSON object`,
      `Go bolt database ${path}: skipping mirror status "bad/w1": unknown status "exploded"`,
    ]);
    const store = await LevelStore.open({ location: `${path}.leveldb` });
    try {
      // A status without name and worker is filed under its field, as Go keyed it.
      expect((await store.getMirrorStatus('w1', 'nameless'))?.status).toBe('success');
    } finally {
      await store.close();
    }
  });

  test('a damaged bolt file imports nothing', async () => {
    const path = join(await tempDir(), 'tunasync.db');
    await writeFile(path, Buffer.alloc(8192));
    await expect(importGoDatabase({ kind: 'bolt', path }, recordingLogger())).rejects.toMatchObject(
      {
        code: STORE_ERROR_CODES.boltCorrupt,
      },
    );
    expect(await readdir(join(path, '..'))).toEqual(['tunasync.db']);
  });

  test('our own LevelDB is not taken for a Go one', async () => {
    const location = join(await tempDir(), 'ours');
    const store = await LevelStore.open({ location });
    await store.close();
    expect(await isGoLevelDb(location)).toBe(false);
    expect(await isGoLevelDb(join(location, 'missing'))).toBe(false);
  });

  describe('a Go LevelDB a running Go manager holds', () => {
    let holder: ChildProcess | undefined;

    afterEach(async () => {
      if (holder && holder.exitCode === null && holder.signalCode === null) {
        const exited = new Promise((resolve) => holder?.once('exit', resolve));
        process.kill(-(holder.pid as number), 'SIGKILL');
        await exited;
      }
      holder = undefined;
    });

    test('is refused as locked, untouched, nothing written beside it', async () => {
      const flock = requireTool('flock', 'apt-get install util-linux');
      const dir = await copyFixture('leveldb-small');
      const source: GoDatabase = { kind: 'goleveldb', path: join(dir, 'tunasync.ldb') };
      const lock = join(source.path, 'LOCK');
      const before = await snapshotTree(dir);
      holder = spawn(flock, ['--exclusive', lock, 'sleep', '60'], {
        stdio: 'ignore',
        detached: true,
      });
      const deadline = Date.now() + 10_000;
      while (((await lockHolders(lock)) ?? []).length === 0) {
        if (Date.now() > deadline) throw new Error('flock never took its lock');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await expect(importGoDatabase(source, recordingLogger())).rejects.toMatchObject({
        code: STORE_ERROR_CODES.locked,
      });
      expect(await snapshotTree(dir)).toEqual(before);
    });
  });
});
