import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Level } from 'level';
import { LevelStore, STORE_ERROR_CODES, isStoreError } from '../src/index';
import type { StoreChange } from '../src/index';
import { mirrorStatus, workerStatus } from './store-conformance';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-group-commit-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

type Db = Level<string, string>;

interface BatchCall {
  keys: string[];
  sync: boolean;
}

/** The store's real LevelDB, its batches recorded as they pass (nothing is changed). */
function recordBatches(store: LevelStore): { db: Db; calls: BatchCall[] } {
  const db = (store as unknown as { db: Db }).db;
  const calls: BatchCall[] = [];
  const batch = db.batch.bind(db) as (
    ops: Array<{ type: 'put' | 'del'; key: string; value?: string }>,
    options?: { sync?: boolean },
  ) => Promise<void>;
  (db as unknown as { batch: typeof batch }).batch = (ops, options) => {
    calls.push({ keys: ops.map((op) => op.key), sync: options?.sync === true });
    return batch(ops, options);
  };
  return { db, calls };
}

describe('LevelStore group commit (real LevelDB)', () => {
  test('concurrent writes share one batch, fsynced when a terminal status is among them, on disk when they resolve', async () => {
    const location = join(await tempDir(), 'db');
    const store = await LevelStore.open({ location });
    const { calls } = recordBatches(store);
    try {
      await Promise.all([
        store.putMirrorStatus('w1', 'a', mirrorStatus('w1', 'a', 'syncing')),
        store.putMirrorStatus('w1', 'b', mirrorStatus('w1', 'b', 'success')),
        store.putMirrorStatus('w2', 'c', mirrorStatus('w2', 'c', 'syncing')),
        store.putWorker(workerStatus('w1')),
      ]);
      expect(calls).toEqual([
        {
          keys: ['status/w1/a', 'status/w1/b', 'status/w2/c', 'worker/w1'],
          sync: true,
        },
      ]);
      // The files as they are now, while the store is still open (as after a crash).
      const copy = join(await tempDir(), 'copy');
      await cp(location, copy, { recursive: true });
      const reopened = await LevelStore.open({ location: copy });
      try {
        expect((await reopened.listAllMirrorStatuses()).map((s) => [s.name, s.status])).toEqual([
          ['a', 'syncing'],
          ['b', 'success'],
          ['c', 'syncing'],
        ]);
        expect((await reopened.getWorker('w1'))?.id).toBe('w1');
      } finally {
        await reopened.close();
      }
    } finally {
      await store.close();
    }
  });

  test('only a batch of non-terminal statuses is written without fsync', async () => {
    const location = join(await tempDir(), 'db');
    const store = await LevelStore.open({ location });
    const { calls } = recordBatches(store);
    try {
      await Promise.all([
        store.putMirrorStatus('w1', 'a', mirrorStatus('w1', 'a', 'syncing')),
        store.putMirrorStatus('w1', 'b', mirrorStatus('w1', 'b', 'pre-syncing')),
      ]);
      await store.putMirrorStatus('w1', 'a', mirrorStatus('w1', 'a', 'failed'));
      expect(calls.map((c) => c.sync)).toEqual([false, true]);
    } finally {
      await store.close();
    }
  });

  test('writes to one key keep their order: listeners, reads and the disk see the last', async () => {
    const location = join(await tempDir(), 'db');
    let store = await LevelStore.open({ location });
    const seen: string[] = [];
    store.onChange((change: StoreChange) => {
      if (change.kind === 'status-put') seen.push(change.status.size);
    });
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.putMirrorStatus('w', 'm', mirrorStatus('w', 'm', 'syncing', { size: `p${i}` })),
    );
    // Read-modify-writes queued behind them, each appending to what it reads: none is lost.
    const updates = Array.from({ length: 10 }, (_, i) =>
      store.updateMirrorStatus('w', 'm', (current) =>
        current ? { ...current, size: `${current.size}+u${i}` } : undefined,
      ),
    );
    await Promise.all([...writes, ...updates]);
    const last = `p19${Array.from({ length: 10 }, (_, i) => `+u${i}`).join('')}`;
    expect(seen.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`));
    expect(seen[29]).toBe(last);
    expect((await store.getMirrorStatus('w', 'm'))?.size).toBe(last);
    await store.close();
    store = await LevelStore.open({ location });
    try {
      expect((await store.getMirrorStatus('w', 'm'))?.size).toBe(last);
    } finally {
      await store.close();
    }
  });

  test('a failing batch fails every write waiting for it, with the store error', async () => {
    const location = join(await tempDir(), 'db');
    const store = await LevelStore.open({ location });
    const db = (store as unknown as { db: Db }).db;
    const writes = ['a', 'b', 'c'].map((name) =>
      store.putMirrorStatus('w', name, mirrorStatus('w', name, 'success')),
    );
    // LevelDB closes under the gathered writes before their batch is written: it fails.
    const closed = db.close();
    const results = await Promise.allSettled(writes);
    await closed;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results) {
      const reason = (r as PromiseRejectedResult).reason as Error;
      expect(isStoreError(reason, STORE_ERROR_CODES.io)).toBe(true);
      expect(reason.message).toContain(location);
    }
    await store.close();
  });

  test('refreshes of one worker asked together share writes and keep the newest last_online', async () => {
    const location = join(await tempDir(), 'db');
    let store = await LevelStore.open({ location });
    await store.putWorker(workerStatus('w'));
    const { calls } = recordBatches(store);
    const times = Array.from({ length: 10 }, (_, i) => `2026-03-01T10:00:0${i}+08:00`);
    const refreshed = await Promise.all(times.map((t) => store.refreshWorker('w', t)));
    expect(refreshed.every((w) => w?.id === 'w')).toBe(true);
    const workerPuts = calls.flatMap((c) => c.keys).filter((k) => k === 'worker/w');
    expect(workerPuts.length).toBeLessThanOrEqual(2);
    expect((await store.getWorker('w'))?.last_online).toBe(times[9]);
    expect(await store.refreshWorker('nobody', '2026-03-01T10:00:00+08:00')).toBeUndefined();
    await store.close();
    store = await LevelStore.open({ location });
    try {
      expect((await store.getWorker('w'))?.last_online).toBe(times[9]);
    } finally {
      await store.close();
    }
  });
});
