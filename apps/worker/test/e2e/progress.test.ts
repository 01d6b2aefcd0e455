import path from 'node:path';
import type { MirrorStatus } from '@tunasync/api-types';
import { TempDirs, startRsyncDaemon, writeTree, type RsyncDaemon } from '@tunasync/test-utils';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import { GIN_NOT_FOUND, TinyManager } from '../helpers/tiny-manager';
import { startRuntime, waitFor } from '../helpers/worker-fixture';
import { ManagerFixture, rsyncMirror } from './e2e-fixture';

// Live progress (SPEC §7.9) end to end: the real worker runtime, the real manager (child
// process), a real rsync daemon, and a tiny HTTP server answering like a Go manager.
jest.setTimeout(40_000);

const dirs = new TempDirs();
let upstream: RsyncDaemon;
let manager: ManagerFixture;
let goManager: TinyManager;
let runtime: WorkerRuntime | undefined;
let dir: string;

/** Six files of 32 KiB: about 4 s at 48 KiB/s. */
const TREE = Object.fromEntries(
  Array.from({ length: 6 }, (_, i) => [`pool/file-${i}.deb`, Buffer.alloc(32 * 1024, i)]),
);
const FILES = 6;
const BYTES = 6 * 32 * 1024;

beforeEach(async () => {
  dir = await dirs.make('e2e-progress-');
  await writeTree(path.join(dir, 'upstream'), TREE);
  upstream = await startRsyncDaemon({
    modules: [{ name: 'slow', path: path.join(dir, 'upstream') }],
  });
  manager = await new ManagerFixture(path.join(dir, 'db')).start();
  goManager = await new TinyManager().start();
  goManager.respond = (req) => {
    if (req.url.endsWith('/progress')) return GIN_NOT_FOUND;
    if (req.method === 'GET') return { status: 200, body: [] };
    return undefined;
  };
});

afterEach(async () => {
  await runtime?.halt();
  runtime = undefined;
  await goManager.stop();
  await manager.stop();
  await upstream.stop();
  await dirs.cleanup();
});

type Item = Record<string, unknown>;

test('progress reaches /jobs while syncing and is gone after success; a Go manager gets one try', async () => {
  const w = await startRuntime(
    dir,
    {
      managers: [manager.url, goManager.url],
      mirrors: rsyncMirror('slow', upstream.url('slow'), 'rsync_options = ["--bwlimit=48"]'),
    },
    { progressIntervalMs: 100 },
  );
  runtime = w.runtime;

  const item = async (): Promise<Item | undefined> =>
    ((await manager.jobs()) as unknown as Item[]).find((j) => j.name === 'slow');
  // Progress shows up as extra fields while the mirror syncs…
  const first = await waitFor('progress on /jobs', async () => {
    const found = await item();
    return typeof found?.progress_files === 'number' ? found : undefined;
  });
  expect(first.status).toBe('syncing');
  expect(first.progress_files).toBeGreaterThanOrEqual(0);
  expect(first.progress_files).toBeLessThanOrEqual(FILES);
  expect(typeof first.progress_updated).toBe('string');
  expect(typeof first.progress_updated_ts).toBe('number');
  // …and grows: at least one file complete while still syncing.
  const later = await waitFor('progress with bytes', async () => {
    const found = await item();
    return typeof found?.progress_bytes === 'number' && found.progress_bytes > 0
      ? found
      : undefined;
  });
  expect(later.status).toBe('syncing');
  expect(later.progress_bytes).toBeLessThanOrEqual(BYTES);
  expect(later.progress_files).toBeGreaterThanOrEqual(first.progress_files as number);
  const own = (await manager.workerJobs()).find((s) => s.name === 'slow') as unknown as Item;
  expect(own).toMatchObject({ status: 'syncing', progress_files: expect.any(Number) as unknown });
  expect(String(own.progress_updated)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);

  // After success the fields are gone; the compatible ones are all there.
  await manager.waitForMirror('slow', (s) => s.status === 'success', 'success', 20_000);
  const done = await item();
  expect(Object.keys(done ?? {}).filter((k) => k.startsWith('progress_'))).toEqual([]);
  expect(done).toMatchObject({ status: 'success', size: expect.any(String) as unknown });

  // The Go manager: one refused progress post, then none; its status reports all arrived.
  await waitFor('the success report at the Go manager', () =>
    goManager.requests.some(
      (r) => r.url === '/workers/w1/jobs/slow' && (r.body as MirrorStatus).status === 'success',
    ),
  );
  expect(goManager.received.filter((r) => r.url.endsWith('/progress'))).toHaveLength(1);
  expect(w.log().match(/has no progress route/g)).toHaveLength(1);
  expect(w.log()).toContain(`manager ${goManager.url} has no progress route (HTTP 404`);
});
