import { ZERO_TIME_RFC3339 } from '@tunasync/api-types';
import type { MirrorStatus, SyncStatus, WorkerStatus } from '@tunasync/api-types';
import { STORE_ERROR_CODES } from '../src/errors';
import type { Store, StoreChange } from '../src/store';

/**
 * A backend under test. `create` makes a fresh, empty store; `reopen` closes the given store
 * and opens the same data again (a manager restart); `cleanup` removes everything.
 */
export interface StoreHarness {
  create(): Promise<Store>;
  reopen(store: Store): Promise<Store>;
  cleanup(): Promise<void>;
}

export function mirrorStatus(
  worker: string,
  name: string,
  status: SyncStatus = 'success',
  extra: Partial<MirrorStatus> = {},
): MirrorStatus {
  return {
    name,
    worker,
    is_master: true,
    status,
    last_update: '2026-01-02T15:04:05.123+08:00',
    last_started: '2026-01-02T15:00:00+08:00',
    last_ended: '2026-01-02T15:04:05.123+08:00',
    next_schedule: ZERO_TIME_RFC3339,
    upstream: 'rsync://example.org/x/',
    size: '1.5G',
    error_msg: '',
    ...extra,
  };
}

export function workerStatus(id: string, extra: Partial<WorkerStatus> = {}): WorkerStatus {
  return {
    id,
    url: `http://127.0.0.1:6000/${id}`,
    token: '',
    last_online: '2026-01-02T15:04:05+08:00',
    last_register: '2026-01-02T15:04:05+08:00',
    ...extra,
  };
}

/** Defines the tests every Store backend must pass. */
export function describeStoreConformance(backend: string, makeHarness: () => StoreHarness): void {
  describe(`Store conformance: ${backend}`, () => {
    let harness: StoreHarness;
    let store: Store;

    beforeEach(async () => {
      harness = makeHarness();
      store = await harness.create();
    });

    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    test('a new store is empty', async () => {
      expect(await store.listWorkers()).toEqual([]);
      expect(await store.listAllMirrorStatuses()).toEqual([]);
      expect(await store.listMirrorStatuses('w1')).toEqual([]);
      expect(await store.getWorker('w1')).toBeUndefined();
      expect(await store.getMirrorStatus('w1', 'm1')).toBeUndefined();
      expect(await store.flushDisabled()).toBe(0);
    });

    test('workers: put, get, list, replace, refresh, delete', async () => {
      await store.putWorker(workerStatus('w1'));
      await store.putWorker(workerStatus('w2'), { sync: true });
      expect(await store.getWorker('w1')).toEqual(workerStatus('w1'));
      expect((await store.listWorkers()).map((w) => w.id)).toEqual(['w1', 'w2']);

      await store.putWorker(workerStatus('w1', { url: 'https://h:1/' }));
      expect((await store.getWorker('w1'))?.url).toBe('https://h:1/');
      expect(await store.listWorkers()).toHaveLength(2);

      const refreshed = await store.refreshWorker('w1', '2027-01-01T00:00:00Z');
      expect(refreshed?.last_online).toBe('2027-01-01T00:00:00Z');
      expect(refreshed?.last_register).toBe(workerStatus('w1').last_register);
      expect((await store.getWorker('w1'))?.last_online).toBe('2027-01-01T00:00:00Z');
      expect(await store.refreshWorker('nobody', '2027-01-01T00:00:00Z')).toBeUndefined();
      expect(await store.getWorker('nobody')).toBeUndefined();

      expect(await store.deleteWorker('w1')).toBe(true);
      expect(await store.deleteWorker('w1')).toBe(false);
      expect(await store.getWorker('w1')).toBeUndefined();
      expect((await store.listWorkers()).map((w) => w.id)).toEqual(['w2']);
    });

    test('deleting a worker keeps its statuses (as the Go manager does)', async () => {
      await store.putWorker(workerStatus('w1'));
      await store.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1'));
      await store.deleteWorker('w1');
      expect(await store.listMirrorStatuses('w1')).toHaveLength(1);
    });

    test('statuses: put, get, list per worker and for all', async () => {
      await store.putMirrorStatus('w1', 'debian', mirrorStatus('w1', 'debian'));
      await store.putMirrorStatus('w1', 'arch', mirrorStatus('w1', 'arch', 'syncing'));
      await store.putMirrorStatus('w2', 'debian', mirrorStatus('w2', 'debian', 'failed'));

      expect(await store.getMirrorStatus('w1', 'debian')).toEqual(mirrorStatus('w1', 'debian'));
      expect((await store.listMirrorStatuses('w1')).map((s) => s.name)).toEqual(['arch', 'debian']);
      expect((await store.listMirrorStatuses('w2')).map((s) => s.status)).toEqual(['failed']);
      expect((await store.listAllMirrorStatuses()).map((s) => `${s.worker}:${s.name}`)).toEqual([
        'w1:arch',
        'w1:debian',
        'w2:debian',
      ]);

      await store.putMirrorStatus('w1', 'debian', mirrorStatus('w1', 'debian', 'paused'));
      expect((await store.getMirrorStatus('w1', 'debian'))?.status).toBe('paused');
      expect(await store.listAllMirrorStatuses()).toHaveLength(3);
    });

    test('names can never collide, whatever they contain', async () => {
      const pairs: Array<[string, string]> = [
        ['c', 'a/b'],
        ['b/c', 'a'],
        ['a', 'b'],
        ['ab', ''],
        ['a', 'b/'],
        ['a/', 'b'],
        ['x~002fy', 'm'],
        ['x/y', 'm'],
        ['w', '%2F'],
        ['w', '/'],
        ['w', '\u00e9t\u00e9'],
        ['w', '\ud800'],
        ['w', '\ufffd'],
        ['', 'm'],
        ['w 1', 'm'],
      ];
      for (const [worker, mirror] of pairs) {
        await store.putMirrorStatus(worker, mirror, mirrorStatus(worker, mirror, 'none'));
      }
      for (const [worker, mirror] of pairs) {
        const got = await store.getMirrorStatus(worker, mirror);
        expect({ worker: got?.worker, name: got?.name }).toEqual({ worker, name: mirror });
      }
      expect(await store.listAllMirrorStatuses()).toHaveLength(pairs.length);
      const entries = await store.listAllMirrorStatusEntries();
      expect(entries.map((e) => [e.workerId, e.mirror]).sort()).toEqual([...pairs].sort());
      for (const e of entries)
        expect([e.status.worker, e.status.name]).toEqual([e.workerId, e.mirror]);
      // A worker's list holds exactly its own statuses, never a neighbour's with a shared prefix.
      expect((await store.listMirrorStatuses('a')).map((s) => s.name).sort()).toEqual(['b', 'b/']);
      expect((await store.listMirrorStatuses('c')).map((s) => s.name)).toEqual(['a/b']);
      expect((await store.listMirrorStatuses('b/c')).map((s) => s.name)).toEqual(['a']);
      expect((await store.listMirrorStatuses('x/y')).map((s) => s.worker)).toEqual(['x/y']);

      await store.putWorker(workerStatus('a/b'));
      await store.putWorker(workerStatus('a'));
      expect((await store.getWorker('a/b'))?.id).toBe('a/b');
      expect(await store.deleteWorker('a')).toBe(true);
      expect((await store.getWorker('a/b'))?.id).toBe('a/b');
    });

    test('updateMirrorStatus sees the stored value and can decline to write', async () => {
      const seen: Array<MirrorStatus | undefined> = [];
      const first = await store.updateMirrorStatus('w1', 'm1', (current) => {
        seen.push(current);
        return mirrorStatus('w1', 'm1', 'pre-syncing');
      });
      expect(first?.status).toBe('pre-syncing');
      const unchanged = await store.updateMirrorStatus('w1', 'm1', (current) => {
        seen.push(current);
        return undefined;
      });
      expect(unchanged?.status).toBe('pre-syncing');
      expect(seen[0]).toBeUndefined();
      expect(seen[1]?.status).toBe('pre-syncing');
      expect(await store.updateMirrorStatus('w1', 'none-such', () => undefined)).toBeUndefined();
      expect(await store.getMirrorStatus('w1', 'none-such')).toBeUndefined();
    });

    test('200 concurrent read-modify-writes of one status lose no update', async () => {
      await store.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1', 'syncing', { size: '0' }));
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          store.updateMirrorStatus(
            'w1',
            'm1',
            (current) =>
              current && {
                ...current,
                size: String(Number(current.size) + 1),
                status: i % 2 === 0 ? 'success' : 'syncing',
              },
          ),
        ),
      );
      expect((await store.getMirrorStatus('w1', 'm1'))?.size).toBe('200');
    });

    test('200 concurrent writes of different statuses are all stored', async () => {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          store.putMirrorStatus('w1', `m${i}`, mirrorStatus('w1', `m${i}`)),
        ),
      );
      expect(await store.listMirrorStatuses('w1')).toHaveLength(200);
    });

    test('flushDisabled removes disabled and nameless statuses only', async () => {
      await store.putMirrorStatus('w1', 'a', mirrorStatus('w1', 'a', 'disabled'));
      await store.putMirrorStatus('w1', 'b', mirrorStatus('w1', 'b', 'paused'));
      await store.putMirrorStatus('w2', 'a', mirrorStatus('w2', 'a', 'success'));
      await store.putMirrorStatus('w2', '', mirrorStatus('w2', '', 'success'));
      await store.putMirrorStatus('w3', 'x', mirrorStatus('w3', '', 'failed'));
      expect(await store.flushDisabled()).toBe(3);
      expect(await store.listAllMirrorStatusEntries()).toHaveLength(2);
      expect(
        (await store.listAllMirrorStatuses()).map((s) => `${s.worker}:${s.name}`).sort(),
      ).toEqual(['w1:b', 'w2:a']);
    });

    test('a status re-enabled while a flush runs is kept', async () => {
      for (let i = 0; i < 50; i += 1) {
        await store.putMirrorStatus('w1', `m${i}`, mirrorStatus('w1', `m${i}`, 'disabled'));
      }
      const [removed] = await Promise.all([
        store.flushDisabled(),
        ...Array.from({ length: 50 }, (_, i) =>
          i % 2 === 0
            ? store.updateMirrorStatus('w1', `m${i}`, (c) => c && { ...c, status: 'success' })
            : Promise.resolve(undefined),
        ),
      ]);
      const left = await store.listMirrorStatuses('w1');
      expect(left.every((s) => s.status === 'success')).toBe(true);
      expect(removed + left.length).toBe(50);
    });

    test('listeners hear every change in order, and can unsubscribe', async () => {
      const changes: StoreChange[] = [];
      const off = store.onChange((c) => changes.push(c));
      const noisy = store.onChange(() => {
        throw new Error('a bad listener does not break writes');
      });
      await store.putWorker(workerStatus('w1'));
      await store.refreshWorker('w1', '2027-01-01T00:00:00Z');
      await store.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1', 'disabled'));
      await store.updateMirrorStatus('w1', 'm2', () => mirrorStatus('w1', 'm2'));
      await store.flushDisabled();
      await store.deleteWorker('w1');
      await store.deleteWorker('w1');
      off();
      noisy();
      await store.putWorker(workerStatus('w9'));
      expect(changes.map((c) => c.kind)).toEqual([
        'worker-put',
        'worker-put',
        'status-put',
        'status-put',
        'status-delete',
        'worker-delete',
      ]);
      expect(changes[4]).toEqual({ kind: 'status-delete', workerId: 'w1', mirror: 'm1' });
      expect(changes[3]).toMatchObject({ kind: 'status-put', workerId: 'w1', mirror: 'm2' });
    });

    test('returned objects are copies', async () => {
      const input = mirrorStatus('w1', 'm1');
      const stored = await store.putMirrorStatus('w1', 'm1', input);
      input.size = 'mutated-input';
      stored.size = 'mutated-output';
      const got = await store.getMirrorStatus('w1', 'm1');
      expect(got?.size).toBe('1.5G');
      if (got) got.size = 'mutated-get';
      expect((await store.getMirrorStatus('w1', 'm1'))?.size).toBe('1.5G');
    });

    test('fields beyond the wire format are kept', async () => {
      const status = { ...mirrorStatus('w1', 'm1'), progress: { files: 3 } } as MirrorStatus;
      await store.putMirrorStatus('w1', 'm1', status);
      expect(await store.getMirrorStatus('w1', 'm1')).toEqual(status);
    });

    test('a restart keeps every worker and status', async () => {
      await store.putWorker(workerStatus('w1'));
      await store.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1', 'success'));
      await store.putMirrorStatus('w1', 'm2', mirrorStatus('w1', 'm2', 'syncing'));
      store = await harness.reopen(store);
      expect(await store.getWorker('w1')).toEqual(workerStatus('w1'));
      expect(await store.listMirrorStatuses('w1')).toEqual([
        mirrorStatus('w1', 'm1', 'success'),
        mirrorStatus('w1', 'm2', 'syncing'),
      ]);
    });

    test('close is idempotent, waits for running writes, and refuses later calls', async () => {
      const pending = Array.from({ length: 20 }, (_, i) =>
        store.putMirrorStatus('w1', `m${i}`, mirrorStatus('w1', `m${i}`)),
      );
      await Promise.all([store.close(), store.close()]);
      await expect(Promise.all(pending)).resolves.toHaveLength(20);
      await expect(store.getWorker('w1')).rejects.toMatchObject({
        code: STORE_ERROR_CODES.closed,
      });
      await expect(store.putMirrorStatus('w1', 'm', mirrorStatus('w1', 'm'))).rejects.toMatchObject(
        { code: STORE_ERROR_CODES.closed },
      );
      store = await harness.reopen(store);
      expect(await store.listMirrorStatuses('w1')).toHaveLength(20);
    });
  });
}
