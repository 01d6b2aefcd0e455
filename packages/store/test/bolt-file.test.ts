import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, goManagerFixtures } from '@tunasync/test-utils';
import { STORE_ERROR_CODES, openBoltFile } from '../src/index';
import type { BoltBucket } from '../src/index';
import { fnv1a64, parseMeta } from '../src/bolt-meta';
import { lockHolders } from '../src/file-locks';
import { InlineBucket, buildBolt } from './bolt-builder';

const FIXTURES = goManagerFixtures();
const PAGE = 4096;
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-bolt-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A writable copy of a fixture's bolt file, damaged by `damage` (which edits the bytes). */
async function copyOf(fixture: string, damage?: (file: Buffer) => Buffer | void): Promise<string> {
  const path = join(await tempDir(), 'tunasync.db');
  const bytes = await readFile(join(FIXTURES, fixture, 'tunasync.db'));
  await writeFile(path, damage?.(bytes) ?? bytes);
  return path;
}

function entries(bucket: BoltBucket | undefined): Pairs {
  if (!bucket) throw new Error('no such bucket');
  return [...bucket.entries()].map(([k, v]) => [k.toString('utf8'), v.toString('utf8')]);
}

type Pairs = Array<[string, string]>;

async function readAll(path: string): Promise<{ workers: Pairs; statuses: Pairs }> {
  const db = await openBoltFile(path);
  try {
    return {
      workers: entries(db.bucket('workers')),
      statuses: entries(db.bucket('mirror_status')),
    };
  } finally {
    db.close();
  }
}

/** Changes one bit of the byte at `offset`. */
function flip(file: Buffer, offset: number): void {
  file.writeUInt8(file.readUInt8(offset) ^ 1, offset);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The meta in use (the valid one with the higher txid) of a bolt file's bytes. */
function metaOf(file: Buffer) {
  const metas = [parseMeta(file.subarray(0, PAGE), 0), parseMeta(file.subarray(PAGE, 2 * PAGE), 1)];
  const valid = metas.filter((m) => typeof m !== 'string');
  return valid.sort((a, b) => (a.txid > b.txid ? -1 : 1))[0]!;
}

/** The byte offset of the value of leaf element `key` on page `page`. */
function leafValueOffset(file: Buffer, page: number, key: string): number {
  const base = page * PAGE;
  const count = file.readUInt16LE(base + 10);
  for (let i = 0; i < count; i += 1) {
    const element = base + 16 + i * 16;
    const start = element + file.readUInt32LE(element + 4);
    const ksize = file.readUInt32LE(element + 8);
    if (file.subarray(start, start + ksize).toString() === key) return start + ksize;
  }
  throw new Error(`no key ${key} on page ${page}`);
}

/** The root page of top-level bucket `name`. */
function bucketRoot(file: Buffer, name: string): number {
  return Number(file.readBigUInt64LE(leafValueOffset(file, Number(metaOf(file).root), name)));
}

describe('openBoltFile on the Go manager fixtures', () => {
  test('bolt-small: both workers and every status, keys <mirror>/<worker>, the file unchanged', async () => {
    const original = join(FIXTURES, 'bolt-small', 'tunasync.db');
    const before = sha256(await readFile(original));
    const { workers, statuses } = await readAll(original);
    expect(workers.map(([k]) => k)).toEqual(['worker-a', 'worker-b']);
    for (const [id, text] of workers) expect((JSON.parse(text) as { id: string }).id).toBe(id);
    expect(statuses).toHaveLength(12); // one per item of the Go manager's GET /jobs
    for (const [key, text] of statuses) {
      const status = JSON.parse(text) as { name: string; worker: string };
      expect(key).toBe(`${status.name}/${status.worker}`);
    }
    expect(statuses.map(([k]) => k)).toEqual(
      expect.arrayContaining(['ubuntu/worker-a', 'ubuntu/worker-b']),
    );
    expect(sha256(await readFile(original))).toBe(before);
    expect(await lockHolders(original)).toEqual([]);
  });

  test('bolt-2000: 2,012 statuses through branch pages, in key order', async () => {
    const path = await copyOf('bolt-2000');
    const bytes = await readFile(path);
    // The fixture's status bucket really is a tree: its root is a branch page.
    expect(bytes.readUInt16LE(bucketRoot(bytes, 'mirror_status') * PAGE + 8)).toBe(0x01);
    const { workers, statuses } = await readAll(path);
    expect(workers).toHaveLength(2);
    expect(statuses).toHaveLength(2012);
    const keys = statuses.map(([k]) => Buffer.from(k));
    for (let i = 1; i < keys.length; i += 1) {
      expect(Buffer.compare(keys[i - 1]!, keys[i]!)).toBe(-1);
    }
    for (const [key, text] of statuses) {
      const status = JSON.parse(text) as { name: string; worker: string };
      expect(key).toBe(`${status.name}/${status.worker}`);
    }
    expect(sha256(await readFile(path))).toBe(sha256(bytes));
  });

  test('a file whose newer meta is damaged is read at the older one', async () => {
    const path = await copyOf('bolt-small', (file) => {
      flip(file, PAGE + 16 + 48); // meta page 1 (txid 73): its txid, so its checksum fails
    });
    const db = await openBoltFile(path);
    try {
      expect(db.txid).toBe(72n);
      expect(entries(db.bucket('workers'))).toHaveLength(2);
    } finally {
      db.close();
    }
  });
});

describe('openBoltFile on written shapes', () => {
  test('nested and inline buckets, a value over overflow pages, missing buckets', async () => {
    const big = Buffer.alloc(10_000, 'x');
    const path = join(await tempDir(), 'shapes.db');
    await writeFile(
      path,
      buildBolt({
        outer: { plain: 'v1', inner: { deep: 'v2' }, tiny: new InlineBucket({ a: '1', b: '2' }) },
        large: { blob: big },
      }),
    );
    const db = await openBoltFile(path);
    try {
      const outer = db.bucket('outer');
      expect(entries(outer)).toEqual([['plain', 'v1']]);
      expect(entries(outer?.bucket('inner'))).toEqual([['deep', 'v2']]);
      expect(entries(outer?.bucket('tiny'))).toEqual([
        ['a', '1'],
        ['b', '2'],
      ]);
      const [[key, value]] = [...db.bucket('large')!.entries()] as [[Buffer, Buffer]];
      expect(key.toString()).toBe('blob');
      expect(value.equals(big)).toBe(true);
      expect(db.bucket('missing')).toBeUndefined();
      expect(outer?.bucket('plain')).toBeUndefined();
    } finally {
      db.close();
    }
  });
});

describe('openBoltFile on damaged files: one clear error, never a hang or a crash', () => {
  const corrupt = STORE_ERROR_CODES.boltCorrupt;

  async function failure(path: string): Promise<{ code: string; message: string }> {
    try {
      await readAll(path);
    } catch (err) {
      const { code, message } = err as { code: string; message: string };
      return { code, message };
    }
    throw new Error(`${path} was read without an error`);
  }

  test('a truncated file', async () => {
    const half = await copyOf('bolt-2000', (file) => file.subarray(0, 1 << 20));
    expect(await failure(half)).toMatchObject({
      code: corrupt,
      message: expect.stringMatching(
        /^Go bolt database .* cannot be read \(page \d+ lies past the end of the file \(1048576 bytes\): truncated/,
      ),
    });
    const stub = await copyOf('bolt-small');
    await truncate(stub, 100);
    expect(await failure(stub)).toMatchObject({
      code: corrupt,
      message: expect.stringContaining('the file is 100 bytes, shorter than its two meta pages'),
    });
    await truncate(stub, 0);
    expect(await failure(stub)).toMatchObject({ code: corrupt });
  });

  test('a bad magic in both metas (not a bolt file)', async () => {
    const path = await copyOf('bolt-small', (file) => {
      file.writeUInt32LE(0x12345678, 16);
      file.writeUInt32LE(0x12345678, PAGE + 16);
    });
    expect(await failure(path)).toMatchObject({
      code: corrupt,
      message: expect.stringContaining('meta page 0 has magic 0x12345678, not 0xed0cdaed'),
    });
    const text = join(await tempDir(), 'notes.txt');
    await writeFile(text, 'hello\n'.repeat(2000));
    expect(await failure(text)).toMatchObject({ code: corrupt });
  });

  test('a bad checksum in both metas', async () => {
    const path = await copyOf('bolt-small', (file) => {
      flip(file, 16 + 48);
      flip(file, PAGE + 16 + 48);
    });
    expect(await failure(path)).toMatchObject({
      code: corrupt,
      message: expect.stringContaining(
        'meta page 0 fails its checksum; meta page 1 fails its checksum',
      ),
    });
  });

  test('a page id out of range', async () => {
    const path = await copyOf('bolt-small', (file) => {
      file.writeBigUInt64LE(
        99_999n,
        leafValueOffset(file, Number(metaOf(file).root), 'mirror_status'),
      );
    });
    expect(await failure(path)).toMatchObject({
      code: corrupt,
      message: expect.stringContaining(
        'page 99999 is out of range (the database has pages 2 to 10)',
      ),
    });
  });

  test('a root page out of range in a meta with a valid checksum', async () => {
    const path = await copyOf('bolt-small', (file) => {
      for (const at of [16, PAGE + 16]) {
        file.writeBigUInt64LE(500n, at + 16);
        file.writeBigUInt64LE(fnv1a64(file.subarray(at, at + 56)), at + 56);
      }
    });
    expect(await failure(path)).toMatchObject({
      code: corrupt,
      message: expect.stringContaining('its root bucket is page 500, out of range'),
    });
  });

  test('a cycle of page ids', async () => {
    const path = await copyOf('bolt-2000', (file) => {
      const root = bucketRoot(file, 'mirror_status');
      const count = file.readUInt16LE(root * PAGE + 10);
      // The branch's last child points back at the branch itself.
      file.writeBigUInt64LE(BigInt(root), root * PAGE + 16 + (count - 1) * 16 + 8);
    });
    expect(await failure(path)).toMatchObject({
      code: corrupt,
      message: expect.stringMatching(/page \d+ is reached twice: the tree has a cycle/),
    });
  });

  test('a page holding another id, a wrong page type, an element past the page', async () => {
    const wrongId = await copyOf('bolt-small', (file) => {
      file.writeBigUInt64LE(7n, bucketRoot(file, 'mirror_status') * PAGE);
    });
    expect(await failure(wrongId)).toMatchObject({
      code: corrupt,
      message: expect.stringMatching(/page \d+ is marked as page 7/),
    });
    const wrongType = await copyOf('bolt-small', (file) => {
      file.writeUInt16LE(0x10, bucketRoot(file, 'mirror_status') * PAGE + 8);
    });
    expect(await failure(wrongType)).toMatchObject({
      code: corrupt,
      message: expect.stringContaining('has page flags 0x10, not a branch or leaf page'),
    });
    const pastEnd = await copyOf('bolt-small', (file) => {
      // A branch element's key size, a leaf element's key position.
      file.writeUInt32LE(1 << 20, bucketRoot(file, 'mirror_status') * PAGE + 16 + 4);
    });
    expect(await failure(pastEnd)).toMatchObject({
      code: corrupt,
      message: expect.stringContaining('element 0 points past the end of the page'),
    });
  });

  test('a missing file', async () => {
    await expect(openBoltFile(join(await tempDir(), 'none.db'))).rejects.toMatchObject({
      code: STORE_ERROR_CODES.openFailed,
      message: expect.stringContaining('ENOENT'),
    });
  });
});

describe('openBoltFile and a running Go manager', () => {
  let holder: ChildProcess | undefined;

  afterEach(async () => {
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      const exited = new Promise((resolve) => holder?.once('exit', resolve));
      process.kill(-(holder.pid as number), 'SIGKILL'); // flock and its sleep
      await exited;
    }
    holder = undefined;
  });

  test('a file another process holds an flock on (as bbolt does) is refused, untouched', async () => {
    const flock = requireTool('flock', 'apt-get install util-linux');
    const path = await copyOf('bolt-small');
    const before = sha256(await readFile(path));
    holder = spawn(flock, ['--exclusive', path, 'sleep', '60'], {
      stdio: 'ignore',
      detached: true,
    });
    const deadline = Date.now() + 10_000;
    while (((await lockHolders(path)) ?? []).length === 0) {
      if (Date.now() > deadline) throw new Error('flock never took its lock');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expect(openBoltFile(path)).rejects.toMatchObject({
      code: STORE_ERROR_CODES.locked,
      message: expect.stringMatching(
        /is locked: .*pid \d+\) has it open; stop that process first$/,
      ),
    });
    expect(sha256(await readFile(path))).toBe(before);
  });
});
