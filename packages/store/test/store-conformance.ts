import { ZERO_TIME_RFC3339 } from '@tunasync/api-types';
import type { MirrorStatus, SyncStatus, WorkerStatus } from '@tunasync/api-types';
import { STORE_ERROR_CODES } from '../src/errors';
import type { RunRecord, Store, StoreChange, WriteOptions } from '../src/store';
import { describeAlertQueueConformance } from './alert-queue-conformance';

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

/**
 * Moves one mirror through `statuses` with `updateMirrorStatus`, as reports do: each write
 * gets `size` `<tag><i>`, `error_msg` `e<tag><i>` when failed, and `last_started` /
 * `last_ended` changed so a record shows which write it came from.
 */
export async function report(
  store: Store,
  worker: string,
  mirror: string,
  statuses: readonly SyncStatus[],
  options: WriteOptions,
  tag = '',
): Promise<void> {
  for (const [i, status] of statuses.entries()) {
    await store.updateMirrorStatus(
      worker,
      mirror,
      (current) =>
        mirrorStatus(worker, mirror, status, {
          size: `${tag}${i}`,
          error_msg: status === 'failed' ? `e${tag}${i}` : '',
          last_started:
            status === 'pre-syncing'
              ? `2026-01-02T15:00:${String(i).padStart(2, '0')}Z`
              : (current?.last_started ?? ZERO_TIME_RFC3339),
          last_ended:
            status === 'success' || status === 'failed'
              ? `2026-01-02T16:00:${String(i).padStart(2, '0')}Z`
              : (current?.last_ended ?? ZERO_TIME_RFC3339),
        }),
      options,
    );
  }
}

/** `result:size` of each record, newest first. */
function runs(records: RunRecord[]): string[] {
  return records.map((r) => `${r.result}:${r.size}`);
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

    describeAlertQueueConformance(
      () => harness,
      () => store,
      (reopened) => (store = reopened),
    );

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

    test('deleting a worker with purge removes its statuses too, not those of others', async () => {
      await store.putWorker(workerStatus('w1'));
      await store.putWorker(workerStatus('w10'));
      await store.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1'));
      await store.putMirrorStatus('w1', 'm2', mirrorStatus('w1', 'm2', 'failed'));
      await store.putMirrorStatus('w10', 'm1', mirrorStatus('w10', 'm1'));
      const changes: StoreChange[] = [];
      const off = store.onChange((change) => changes.push(change));
      expect(await store.deleteWorker('w1', { purge: true })).toBe(true);
      off();
      expect(await store.listMirrorStatuses('w1')).toEqual([]);
      expect(await store.getWorker('w1')).toBeUndefined();
      expect((await store.listAllMirrorStatuses()).map((s) => s.worker)).toEqual(['w10']);
      expect(changes).toEqual([
        { kind: 'status-delete', workerId: 'w1', mirror: 'm1' },
        { kind: 'status-delete', workerId: 'w1', mirror: 'm2' },
        { kind: 'worker-delete', workerId: 'w1' },
      ]);
      // Statuses left by a worker deleted earlier without purge go with a later purge.
      await store.putMirrorStatus('gone', 'm1', mirrorStatus('gone', 'm1'));
      expect(await store.deleteWorker('gone', { purge: true })).toBe(false);
      expect(await store.listMirrorStatuses('gone')).toEqual([]);
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

    describe('run history', () => {
      const KEEP = { history: 50 };

      test('a write that finishes a run appends its record; listed newest first', async () => {
        expect(await store.listRunHistory('w1', 'm1')).toEqual([]);
        await report(
          store,
          'w1',
          'm1',
          ['pre-syncing', 'syncing', 'success', 'pre-syncing', 'syncing', 'failed'],
          KEEP,
        );
        const history = await store.listRunHistory('w1', 'm1');
        expect(history).toEqual([
          {
            started: '2026-01-02T15:00:03Z',
            ended: '2026-01-02T16:00:05Z',
            result: 'failed',
            size: '5',
            error_msg: 'e5',
          },
          {
            started: '2026-01-02T15:00:00Z',
            ended: '2026-01-02T16:00:02Z',
            result: 'success',
            size: '2',
            error_msg: '',
          },
        ]);
        expect(await store.listRunHistory('w1', 'm1', 1)).toEqual([history[0]]);
        expect(await store.listRunHistory('w1', 'm1', 2)).toEqual(history);
        expect(await store.listRunHistory('w1', 'm1', 99)).toEqual(history);
        expect(await store.listRunHistory('w1', 'm1', 0)).toEqual([]);
        expect(await store.listRunHistory('w1', 'm1', -1)).toEqual([]);
        expect(await store.listRunHistory('w1', 'other')).toEqual([]);
        expect(await store.listRunHistory('w2', 'm1')).toEqual([]);
      });

      test('a terminal report delivered twice is one run; success after failed is another', async () => {
        await report(
          store,
          'w1',
          'm1',
          ['success', 'success', 'failed', 'failed', 'success', 'paused', 'success'],
          KEEP,
        );
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual([
          'success:6',
          'success:4',
          'failed:2',
          'success:0',
        ]);
      });

      test('writes without the history option never touch the history', async () => {
        await report(store, 'w1', 'm1', ['syncing', 'success', 'syncing', 'failed'], {});
        await store.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1', 'success'));
        expect(await store.listRunHistory('w1', 'm1')).toEqual([]);
        // putMirrorStatus applies the rule against the stored status too.
        await store.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1', 'success'), KEEP);
        await store.putMirrorStatus(
          'w1',
          'm1',
          mirrorStatus('w1', 'm1', 'failed', { size: '7G', error_msg: 'boom' }),
          KEEP,
        );
        expect(await store.listRunHistory('w1', 'm1')).toEqual([
          {
            started: mirrorStatus('w1', 'm1').last_started,
            ended: mirrorStatus('w1', 'm1').last_ended,
            result: 'failed',
            size: '7G',
            error_msg: 'boom',
          },
        ]);
      });

      test('only the newest N are kept; lowering N trims at the next run; 0 keeps none', async () => {
        const cycle = (n: number) =>
          Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'syncing' : 'success') as SyncStatus);
        await report(store, 'w1', 'm1', cycle(14), { history: 3 });
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual([
          'success:13',
          'success:11',
          'success:9',
        ]);
        await report(store, 'w1', 'm1', cycle(4), { history: 5 }, 'b');
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual([
          'success:b3',
          'success:b1',
          'success:13',
          'success:11',
          'success:9',
        ]);
        await report(store, 'w1', 'm1', ['syncing', 'failed'], { history: 2 }, 'c');
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual(['failed:c1', 'success:b3']);
        // A write that finishes no run trims nothing.
        await report(store, 'w1', 'm1', ['syncing'], { history: 1 }, 'd');
        expect(await store.listRunHistory('w1', 'm1')).toHaveLength(2);
        await report(store, 'w1', 'm1', ['success'], { history: 0 }, 'e');
        expect(await store.listRunHistory('w1', 'm1')).toEqual([]);
        await report(store, 'w1', 'm1', ['syncing', 'success'], { history: 2 }, 'f');
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual(['success:f1']);
      });

      test('histories never mix, whatever the names contain', async () => {
        const pairs: Array<[string, string]> = [
          ['c', 'a/b'],
          ['b/c', 'a'],
          ['b', 'c/a'],
          ['w', 'm'],
          ['w', 'mx'],
          ['w', 'm/0000000000000001'],
          ['wx', 'm'],
          ['w/m', ''],
          ['', 'w/m'],
        ];
        for (const [i, [worker, mirror]] of pairs.entries()) {
          await report(
            store,
            worker,
            mirror,
            Array.from({ length: i + 1 }, () => 'failed' as SyncStatus).flatMap((f) => [
              'syncing' as SyncStatus,
              f,
            ]),
            KEEP,
            `${i}-`,
          );
        }
        for (const [i, [worker, mirror]] of pairs.entries()) {
          const history = await store.listRunHistory(worker, mirror);
          expect({ worker, mirror, count: history.length }).toEqual({
            worker,
            mirror,
            count: i + 1,
          });
          expect(history.every((r) => r.size.startsWith(`${i}-`))).toBe(true);
        }
      });

      test('deleting a worker deletes its history (not its statuses, nor its neighbours)', async () => {
        await store.putWorker(workerStatus('w'));
        for (const [worker, mirror] of [
          ['w', 'm1'],
          ['w', 'm2'],
          ['wx', 'm1'],
          ['w/x', 'm1'],
          ['x', 'w/m1'],
        ] as const) {
          await report(store, worker, mirror, ['syncing', 'success'], KEEP);
        }
        expect(await store.deleteWorker('w')).toBe(true);
        expect(await store.listRunHistory('w', 'm1')).toEqual([]);
        expect(await store.listRunHistory('w', 'm2')).toEqual([]);
        expect(await store.listMirrorStatuses('w')).toHaveLength(2);
        for (const [worker, mirror] of [
          ['wx', 'm1'],
          ['w/x', 'm1'],
          ['x', 'w/m1'],
        ] as const) {
          expect(await store.listRunHistory(worker, mirror)).toHaveLength(1);
        }
        // An unregistered worker's history goes too (the answer still says it was unknown).
        expect(await store.deleteWorker('wx')).toBe(false);
        expect(await store.listRunHistory('wx', 'm1')).toEqual([]);
        // A new run after the deletion starts a new history.
        await report(store, 'w', 'm1', ['syncing', 'failed'], KEEP, 'n');
        expect(runs(await store.listRunHistory('w', 'm1'))).toEqual(['failed:n1']);
      });

      test('flushDisabled deletes the history of the flushed mirrors only', async () => {
        await report(store, 'w1', 'a', ['syncing', 'success', 'disabled'], KEEP);
        await report(store, 'w1', 'ab', ['syncing', 'success', 'paused'], KEEP);
        await report(store, 'w2', 'a', ['syncing', 'failed'], KEEP);
        expect(await store.flushDisabled()).toBe(1);
        expect(await store.listRunHistory('w1', 'a')).toEqual([]);
        expect(await store.listRunHistory('w1', 'ab')).toHaveLength(1);
        expect(await store.listRunHistory('w2', 'a')).toHaveLength(1);
      });

      test('a restart keeps the history, and numbering and trimming go on', async () => {
        await report(store, 'w1', 'm1', ['syncing', 'success', 'syncing', 'failed'], {
          history: 3,
        });
        store = await harness.reopen(store);
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual(['failed:3', 'success:1']);
        await report(
          store,
          'w1',
          'm1',
          ['syncing', 'success', 'syncing', 'success'],
          { history: 3 },
          'r',
        );
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual([
          'success:r3',
          'success:r1',
          'failed:3',
        ]);
      });

      test('200 concurrent finishing writes of different mirrors are all recorded', async () => {
        await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            store.putMirrorStatus('w1', `m${i}`, mirrorStatus('w1', `m${i}`, 'syncing')),
          ),
        );
        await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            store.updateMirrorStatus(
              'w1',
              `m${i}`,
              (current) =>
                current && { ...current, status: i % 3 === 0 ? 'failed' : 'success', size: `${i}` },
              KEEP,
            ),
          ),
        );
        for (let i = 0; i < 200; i += 1) {
          expect(runs(await store.listRunHistory('w1', `m${i}`))).toEqual([
            `${i % 3 === 0 ? 'failed' : 'success'}:${i}`,
          ]);
        }
      });

      test('concurrent reports of one mirror never lose or duplicate a record', async () => {
        // In call order: syncing, success (a run), success again (the same run), failed (a
        // run) — 100 runs in 200 writes, each with the size of the write that finished it.
        const cycle = ['syncing', 'success', 'success', 'failed'] as const;
        const write = (i: number, options: WriteOptions) =>
          store.updateMirrorStatus(
            'w1',
            'm1',
            (current) => ({
              ...(current ?? mirrorStatus('w1', 'm1')),
              status: cycle[i % 4] as SyncStatus,
              size: `${i}`,
            }),
            options,
          );
        await Promise.all(Array.from({ length: 200 }, (_, i) => write(i, { history: 500 })));
        const expected = Array.from({ length: 200 }, (_, i) => i)
          .filter((i) => i % 4 === 1 || i % 4 === 3)
          .reverse()
          .map((i) => `${i % 4 === 1 ? 'success' : 'failed'}:${i}`);
        expect(expected).toHaveLength(100);
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual(expected);

        // The same with a small window: exactly the newest 10 remain.
        await Promise.all(Array.from({ length: 200 }, (_, i) => write(i, { history: 10 })));
        expect(runs(await store.listRunHistory('w1', 'm1'))).toEqual(expected.slice(0, 10));
      });
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
