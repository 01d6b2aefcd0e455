import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cp, readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import {
  requireTool,
  snapshotTree,
  startManagerProcess,
  TempDirs,
  goManagerFixtures,
} from '@tunasync/test-utils';
import type { ManagerProcess } from '@tunasync/test-utils';
import { managerStartFailure } from '../src/manager-start-failure';
import { treeState } from '../src/tree-state';

/**
 * Issue #12: the built manager takes over the Go manager's databases (real data written by
 * the Go manager v0.10.0, with its own answers) under TZ=Asia/Shanghai, as the Go manager ran.
 */
const FIXTURES = goManagerFixtures();
const ENV = { TZ: 'Asia/Shanghai' };
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

type Json = Record<string, unknown>;

async function getJson(url: string): Promise<Json[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as Json[];
}

async function fixtureJson(folder: string, file: string): Promise<Json[]> {
  return JSON.parse(await readFile(join(FIXTURES, folder, file), 'utf8')) as Json[];
}

/** Items as sorted canonical JSON texts: equal arrays mean item for item, field for field. */
function canonical(items: Json[]): string[] {
  const sortKeys = (o: Json) => JSON.stringify(Object.fromEntries(Object.entries(o).sort()));
  return items.map(sortKeys).sort();
}

interface Case {
  folder: string;
  /** The Go database inside the folder. */
  name: string;
  /** manager.conf's `[files]` db_type line ('' for none: Go's default, bolt). */
  dbType: string;
  target: string;
  perWorker: boolean;
  /** How the case is named. */
  shown: string;
}

const CASES: Case[] = [
  {
    folder: 'bolt-small',
    name: 'tunasync.db',
    dbType: 'bolt',
    target: 'tunasync.db.leveldb',
    shown: 'db_type "bolt"',
    perWorker: true,
  },
  {
    folder: 'bolt-small',
    name: 'tunasync.db',
    dbType: '',
    target: 'tunasync.db.leveldb',
    shown: 'no db_type',
    perWorker: true,
  },
  {
    folder: 'bolt-2000',
    name: 'tunasync.db',
    dbType: 'bolt',
    target: 'tunasync.db.leveldb',
    shown: 'db_type "bolt"',
    perWorker: true,
  },
  {
    folder: 'leveldb-small',
    name: 'tunasync.ldb',
    dbType: 'leveldb',
    target: 'tunasync.ldb.ts-leveldb',
    shown: 'db_type "leveldb"',
    perWorker: true,
  },
  {
    folder: 'leveldb-12000',
    name: 'tunasync.ldb',
    dbType: 'leveldb',
    target: 'tunasync.ldb.ts-leveldb',
    shown: 'db_type "leveldb"',
    perWorker: false,
  },
];

async function startOn(dir: string, c: Case): Promise<ManagerProcess> {
  return startManagerProcess({
    // The stale extra of /workers/:id/jobs (issue #15) off: the fixtures age, Go's answers do not.
    config: `[server]\nstale_after = 0\n[files]\n${c.dbType === '' ? '' : `db_type = "${c.dbType}"\n`}db_file = ${JSON.stringify(join(dir, c.name))}\n`,
    dbDir: join(dir, c.name),
    env: ENV,
    timeoutMs: 30_000,
  });
}

async function expectGoAnswers(manager: ManagerProcess, c: Case): Promise<void> {
  const goJobs = await fixtureJson(c.folder, 'jobs.json');
  const jobs = await getJson(`${manager.url}/jobs`);
  expect(jobs).toHaveLength(goJobs.length);
  // Item for item and field for field, every time in the offset Go printed it in.
  expect(canonical(jobs)).toEqual(canonical(goJobs));
  // Same instants: every `_ts` as Go answered.
  expect(canonical(jobs.map((j) => ({ name: j.name, ts: j.next_schedule_ts })))).toEqual(
    canonical(goJobs.map((j) => ({ name: j.name, ts: j.next_schedule_ts }))),
  );
  // Workers: every field, the stored times as Go wrote them, tokens REDACTED as in Go.
  expect(canonical(await getJson(`${manager.url}/workers`))).toEqual(
    canonical(await fixtureJson(c.folder, 'workers.json')),
  );
  if (!c.perWorker) return;
  for (const worker of ['worker-a', 'worker-b']) {
    expect(canonical(await getJson(`${manager.url}/workers/${worker}/jobs`))).toEqual(
      canonical(await fixtureJson(c.folder, `${worker}.jobs.json`)),
    );
  }
}

describe.each(CASES)('$folder with $shown', (c) => {
  test('imported once, answers what Go answered, the Go files byte-identical; the next start uses the import', async () => {
    const originals = await snapshotTree(join(FIXTURES, c.folder));
    const dir = join(await dirs.make('tunasync-takeover-'), c.folder);
    await cp(join(FIXTURES, c.folder), dir, { recursive: true });
    const goFiles = () => snapshotTree(dir, (rel) => rel.startsWith(c.target));
    const before = await goFiles();

    const first = await startOn(dir, c);
    try {
      await expectGoAnswers(first, c);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const kind = c.folder.startsWith('bolt') ? 'bolt' : 'LevelDB';
    const imported = first
      .output()
      .split('\n')
      .filter((l) => l.includes('imported'));
    expect(imported).toEqual([
      expect.stringMatching(
        new RegExp(
          `\\[INFO\\]\\[manager\\] imported 2 workers and ${(await fixtureJson(c.folder, 'jobs.json')).length} mirror statuses from Go ${kind} database ${join(dir, c.name)} into ${join(dir, c.target)}; the Go database was left as it was$`,
        ),
      ),
    ]);
    expect(first.output()).toContain(`(database ${join(dir, c.target)})`);
    expect(await goFiles()).toEqual(before);

    const second = await startOn(dir, c);
    try {
      await expectGoAnswers(second, c);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(second.output()).toContain(
      `using ${join(dir, c.target)}, imported earlier from Go ${kind} database ${join(dir, c.name)} (the Go database is not read again)`,
    );
    expect(second.output()).not.toMatch(/\] imported /);
    expect(await goFiles()).toEqual(before);
    expect(await snapshotTree(join(FIXTURES, c.folder))).toEqual(originals);
  });
});

describe('a Go database that cannot be taken over: one line, nothing started, nothing written', () => {
  let holder: ChildProcess | undefined;

  afterEach(async () => {
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      const exited = new Promise((resolve) => holder?.once('exit', resolve));
      process.kill(-(holder.pid as number), 'SIGKILL'); // flock and its sleep
      await exited;
    }
    holder = undefined;
  });

  /** Holds an flock on `file` as a running Go manager does, until the test ends. */
  async function holdLock(file: string): Promise<number> {
    const flock = requireTool('flock', 'apt-get install util-linux');
    holder = spawn(flock, ['--exclusive', file, 'sleep', '120'], {
      stdio: 'ignore',
      detached: true,
    });
    const deadline = Date.now() + 10_000;
    while (!(await holdsFlock(holder.pid as number))) {
      if (Date.now() > deadline) throw new Error('flock never took its lock');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return holder.pid as number;
  }

  /** Whether `pid` holds an flock (a line "n: FLOCK ADVISORY WRITE <pid> …" of /proc/locks). */
  async function holdsFlock(pid: number): Promise<boolean> {
    const lines = (await readFile('/proc/locks', 'utf8')).split('\n');
    return lines.some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1] === 'FLOCK' && fields[4] === String(pid);
    });
  }

  test.each([
    ['bolt-small', 'tunasync.db', 'bolt'],
    ['leveldb-small', 'tunasync.ldb', 'leveldb'],
  ])(
    '%s held by a running Go manager (flock): exit 1, "locked" with its pid',
    async (folder, name, dbType) => {
      const dir = join(await dirs.make('tunasync-takeover-held-'), folder);
      await cp(join(FIXTURES, folder), dir, { recursive: true });
      const db = join(dir, name);
      const pid = await holdLock(dbType === 'bolt' ? db : join(db, 'LOCK'));
      const before = await treeState(dir);
      const failure = await managerStartFailure(db, { dbType });
      expect(failure.code).toBe(1);
      expect(failure.lines).toEqual([
        expect.stringMatching(
          new RegExp(
            `\\[ERROR\\]\\[manager\\] cannot start: database ${db} is locked: another tunasync-manager \\(or another program, pid ${pid}\\) has it open; stop that process first$`,
          ),
        ),
      ]);
      expect(await treeState(dir)).toEqual(before);
    },
  );

  test('a truncated bolt file: exit 2, one line, no import beside it', async () => {
    const dir = await dirs.make('tunasync-takeover-damaged-');
    const db = join(dir, 'tunasync.db');
    await cp(join(FIXTURES, 'bolt-2000', 'tunasync.db'), db);
    await truncate(db, 1 << 20);
    const before = await treeState(dir);
    const failure = await managerStartFailure(db, { dbType: null });
    expect(failure.code).toBe(2);
    expect(failure.lines).toEqual([
      expect.stringMatching(
        /\[ERROR\]\[manager\] cannot start: Go bolt database \S+ cannot be read \(page \d+ lies past the end of the file \(1048576 bytes\): truncated\); it was left untouched/,
      ),
    ]);
    expect(await treeState(dir)).toEqual(before);
    expect(await readdir(dir)).toEqual(['tunasync.db']);
  });
});
