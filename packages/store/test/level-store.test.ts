import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Level } from 'level';
import { recordingLogger } from '@tunasync/test-utils';
import { LevelStore, STORE_ERROR_CODES, isStoreError } from '../src/index';
import { mirrorStatus, report } from './store-conformance';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-store-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('LevelStore opening', () => {
  test('a directory held open by this process is refused as locked', async () => {
    const location = join(await tempDir(), 'db');
    const first = await LevelStore.open({ location });
    try {
      const err: unknown = await LevelStore.open({ location }).catch((e: unknown) => e);
      expect(isStoreError(err, STORE_ERROR_CODES.locked)).toBe(true);
      expect((err as Error).message).toBe(
        `database ${location} is locked: another tunasync-manager (or another program, pid ${process.pid}) has it open; stop that process first`,
      );
    } finally {
      await first.close();
    }
  });

  test('a directory held open by another process is refused as locked', async () => {
    const location = join(await tempDir(), 'db');
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
      const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
      expect(chunk.toString()).toBe('ready\n');
      await expect(LevelStore.open({ location })).rejects.toMatchObject({
        code: STORE_ERROR_CODES.locked,
        location,
      });
    } finally {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, 'exit');
    }
    // Once the other process is gone, the data opens fine.
    const store = await LevelStore.open({ location });
    await store.close();
  });

  test('a file where the directory should be is refused (e.g. a Go bolt database)', async () => {
    const location = join(await tempDir(), 'tunasync.db');
    await writeFile(location, 'bolt data');
    await expect(LevelStore.open({ location })).rejects.toMatchObject({
      code: STORE_ERROR_CODES.notADirectory,
    });
    expect(await readFile(location, 'utf8')).toBe('bolt data');
    await expect(LevelStore.open({ location: join(location, 'sub') })).rejects.toMatchObject({
      code: STORE_ERROR_CODES.notADirectory,
    });
  });

  test('an unusable location fails with the reason', async () => {
    const location = join(await tempDir(), 'db');
    await (await LevelStore.open({ location })).close();
    await rm(join(location, 'LOCK'));
    await mkdir(join(location, 'LOCK'));
    const err: unknown = await LevelStore.open({ location }).catch((e: unknown) => e);
    expect(isStoreError(err, STORE_ERROR_CODES.openFailed)).toBe(true);
    expect((err as Error).message).toBe(
      `cannot open database ${location}: IO error: ${location}/LOCK: Is a directory`,
    );
  });

  test('a database written by a newer layout is refused', async () => {
    const location = join(await tempDir(), 'db');
    const raw = new Level<string, string>(location);
    await raw.put('meta/version', '99');
    await raw.close();
    await expect(LevelStore.open({ location })).rejects.toMatchObject({
      code: STORE_ERROR_CODES.unsupportedVersion,
    });
  });

  test('a LevelDB without our version key, or with a bad one, is not taken over', async () => {
    const location = join(await tempDir(), 'db');
    const raw = new Level<string, string>(location);
    await raw.put('something', 'else');
    await raw.close();
    await expect(LevelStore.open({ location })).rejects.toMatchObject({
      code: STORE_ERROR_CODES.corrupt,
    });
    const raw2 = new Level<string, string>(location);
    await raw2.put('meta/version', 'x');
    await raw2.close();
    await expect(LevelStore.open({ location })).rejects.toMatchObject({
      code: STORE_ERROR_CODES.corrupt,
    });
    const raw3 = new Level<string, string>(location);
    expect(await raw3.get('something')).toBe('else');
    await raw3.close();
  });

  test('the key layout on disk is the documented one', async () => {
    const location = join(await tempDir(), 'db');
    const store = await LevelStore.open({ location });
    await store.putWorker({
      id: 'w1',
      url: 'http://h/',
      token: '',
      last_online: '0001-01-01T00:00:00Z',
      last_register: '0001-01-01T00:00:00Z',
    });
    await store.putMirrorStatus('w1', 'debian', mirrorStatus('w1', 'debian'));
    await store.putMirrorStatus('b/c', 'a b', mirrorStatus('b/c', 'a b'));
    await report(store, 'b/c', 'a', ['syncing', 'success'], { history: 5 });
    // Three runs with a window of two: the oldest key is gone from the disk.
    await report(store, 'w1', 'arch', ['success', 'failed', 'success'], { history: 2 });
    await store.close();
    const raw = new Level<string, string>(location);
    const keys: string[] = [];
    for await (const key of raw.keys()) keys.push(key);
    const record = await raw.get('history/w1/arch/0000000000000003');
    await raw.close();
    expect(keys).toEqual([
      'history/b~002fc/a/0000000000000001',
      'history/w1/arch/0000000000000002',
      'history/w1/arch/0000000000000003',
      'meta/version',
      'status/b~002fc/a',
      'status/b~002fc/a~0020b',
      'status/w1/arch',
      'status/w1/debian',
      'worker/w1',
    ]);
    expect(JSON.parse(record as string)).toEqual({
      started: '0001-01-01T00:00:00Z',
      ended: '2026-01-02T16:00:02Z',
      result: 'success',
      size: '2',
      error_msg: '',
    });
  });
});

describe('LevelStore unreadable records', () => {
  test('get reports them, lists skip them with a warning', async () => {
    const location = join(await tempDir(), 'db');
    const store = await LevelStore.open({ location });
    await store.putMirrorStatus('w1', 'good', mirrorStatus('w1', 'good'));
    await store.close();
    const raw = new Level<string, string>(location);
    await raw.put('status/w1/notjson', '{');
    await raw.put('status/w1/badstatus', JSON.stringify({ name: 'x', status: 'weird' }));
    await raw.put('status/w1/array', '[]');
    await raw.put('worker/w9', '"text"');
    await raw.put('status/w1/old', JSON.stringify({ name: 'old', worker: 'w1' }));
    await raw.close();

    const lines: string[] = [];
    const reopened = await LevelStore.open({ location, logger: recordingLogger(lines) });
    try {
      await expect(reopened.getMirrorStatus('w1', 'notjson')).rejects.toMatchObject({
        code: STORE_ERROR_CODES.badRecord,
      });
      await expect(reopened.getMirrorStatus('w1', 'badstatus')).rejects.toThrow(
        /record status\/w1\/badstatus is unreadable \(unknown status "weird"\)/,
      );
      await expect(reopened.getWorker('w9')).rejects.toMatchObject({
        code: STORE_ERROR_CODES.badRecord,
      });
      // A record of an older, smaller shape is completed with Go's zero values.
      expect(await reopened.getMirrorStatus('w1', 'old')).toEqual({
        name: 'old',
        worker: 'w1',
        is_master: false,
        status: 'none',
        last_update: '0001-01-01T00:00:00Z',
        last_started: '0001-01-01T00:00:00Z',
        last_ended: '0001-01-01T00:00:00Z',
        next_schedule: '0001-01-01T00:00:00Z',
        upstream: '',
        size: '',
        error_msg: '',
      });
      expect((await reopened.listMirrorStatuses('w1')).map((s) => s.name)).toEqual(['good', 'old']);
      expect(await reopened.listWorkers()).toEqual([]);
      expect(lines.filter((l) => l.startsWith('warn: skipping unreadable record'))).toHaveLength(4);
      await expect(
        reopened.updateMirrorStatus('w1', 'notjson', () => mirrorStatus('w1', 'x')),
      ).rejects.toMatchObject({ code: STORE_ERROR_CODES.badRecord });
    } finally {
      await reopened.close();
    }
  });
});

describe('LevelStore unreadable history records', () => {
  test('lists skip them with a warning; a key that is not ours fails the finishing write', async () => {
    const location = join(await tempDir(), 'db');
    const store = await LevelStore.open({ location });
    await report(store, 'w1', 'm1', ['syncing', 'success'], { history: 10 });
    await store.close();
    const raw = new Level<string, string>(location);
    await raw.put('history/w1/m1/0000000000000002', '{');
    await raw.put('history/w1/m1/0000000000000003', JSON.stringify({ result: 'weird' }));
    await raw.put('history/w1/m1/0000000000000004', JSON.stringify({ result: 'failed' }));
    await raw.put('history/w1/m2/x', '{}');
    await raw.close();

    const lines: string[] = [];
    const reopened = await LevelStore.open({ location, logger: recordingLogger(lines) });
    try {
      expect(await reopened.listRunHistory('w1', 'm1')).toEqual([
        {
          started: '0001-01-01T00:00:00Z',
          ended: '0001-01-01T00:00:00Z',
          result: 'failed',
          size: '',
          error_msg: '',
        },
        expect.objectContaining({ result: 'success', size: '1' }),
      ]);
      expect(lines.filter((l) => l.startsWith('warn: skipping unreadable record'))).toEqual([
        'warn: skipping unreadable record history/w1/m1/0000000000000003: unknown result "weird"',
        'warn: skipping unreadable record history/w1/m1/0000000000000002: not JSON',
      ]);
      // Numbering goes on after the newest key, readable or not.
      await report(reopened, 'w1', 'm1', ['syncing', 'failed'], { history: 10 }, 'n');
      expect((await reopened.listRunHistory('w1', 'm1', 1))[0]?.size).toBe('n1');

      await reopened.putMirrorStatus('w1', 'm2', mirrorStatus('w1', 'm2', 'syncing'));
      await expect(
        reopened.putMirrorStatus('w1', 'm2', mirrorStatus('w1', 'm2', 'success'), { history: 5 }),
      ).rejects.toThrow(/record history\/w1\/m2\/x is unreadable \(not a history key\)/);
      expect((await reopened.getMirrorStatus('w1', 'm2'))?.status).toBe('syncing');
    } finally {
      await reopened.close();
    }
  });
});
