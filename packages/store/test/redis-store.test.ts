import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  goManagerFixtures,
  recordingLogger,
  startRedisServer,
  waitUntil,
} from '@tunasync/test-utils';
import type { RedisServer } from '@tunasync/test-utils';
import { RedisStore, STORE_ERROR_CODES } from '../src/index';
import type { StoreChange } from '../src/index';
import { mirrorStatus, report, workerStatus } from './store-conformance';

const FIXTURE = join(goManagerFixtures(), 'redis-small', 'redis-hashes.json');

let server: RedisServer;
let admin: Redis;
const stores: RedisStore[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url());
});

afterAll(async () => {
  await admin.quit();
  await server.stop();
});

beforeEach(() => admin.flushall());

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function open(options: Partial<Parameters<typeof RedisStore.open>[0]> = {}) {
  const store = await RedisStore.open({ url: server.url(), ...options });
  stores.push(store);
  return store;
}

/** Polls `condition` every 5 ms until it holds, failing after `ms`. */
async function waitFor(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  await waitUntil('the condition', condition, ms, 5);
}

describe('RedisStore: the Go manager layout', () => {
  test('writes the Go hashes exactly: workers by id, mirror_status by <mirror>/<worker>', async () => {
    const store = await open();
    await store.putWorker(workerStatus('worker-a'));
    await store.putMirrorStatus('worker-a', 'debian', mirrorStatus('worker-a', 'debian'));
    await report(store, 'worker-a', 'arch', ['syncing', 'success'], { history: 5 });
    expect(await admin.hgetall('workers')).toEqual({
      'worker-a': JSON.stringify(workerStatus('worker-a')),
    });
    const statuses = await admin.hgetall('mirror_status');
    expect(Object.keys(statuses).sort()).toEqual(['arch/worker-a', 'debian/worker-a']);
    expect(JSON.parse(statuses['debian/worker-a'] as string)).toEqual(
      mirrorStatus('worker-a', 'debian'),
    );
    // Everything else is under our prefix, which a Go manager never reads.
    const keys = (await admin.keys('*')).sort();
    expect(keys).toEqual([
      'mirror_status',
      'tunasync-ts:history-index:worker-a',
      'tunasync-ts:history:worker-a/arch',
      'tunasync-ts:version',
      'workers',
    ]);
    expect(await admin.get('tunasync-ts:version')).toBe('1');
  });

  test('reads what the Go manager wrote (the fixture, loaded with HSET)', async () => {
    const hashes = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    for (const [key, fields] of Object.entries(hashes)) await admin.hset(key, fields);
    const store = await open();
    const workers = await store.listWorkers();
    expect(workers.map((w) => w.id)).toEqual(['worker-a', 'worker-b']);
    const entries = await store.listAllMirrorStatusEntries();
    expect(entries).toHaveLength(Object.keys(hashes.mirror_status ?? {}).length);
    for (const e of entries) {
      expect(JSON.parse(hashes.mirror_status?.[`${e.mirror}/${e.workerId}`] as string)).toEqual(
        e.status,
      );
    }
    // Our update of a Go field keeps it where Go reads it.
    await store.updateMirrorStatus('worker-a', 'debian', (c) => c && { ...c, size: '9G' });
    const raw = await admin.hget('mirror_status', 'debian/worker-a');
    expect(JSON.parse(raw as string).size).toBe('9G');
  });

  test('names a Go field cannot hold are kept in our own hash, unambiguously', async () => {
    const store = await open();
    await store.putMirrorStatus('c', 'a/b', mirrorStatus('c', 'a/b'));
    await store.putMirrorStatus('b/c', 'a', mirrorStatus('b/c', 'a'));
    expect(await admin.hkeys('mirror_status')).toEqual([]);
    expect((await admin.hkeys('tunasync-ts:mirror_status')).sort()).toEqual([
      'b~002fc/a',
      'c/a~002fb',
    ]);
  });

  test('an unreadable field is skipped in lists (warned once) and refused by get', async () => {
    await admin.hset('mirror_status', { 'bad/w': 'not json', 'm/w': '{"status":"weird"}' });
    await admin.hset('mirror_status', 'ok/w', JSON.stringify(mirrorStatus('w', 'ok')));
    const lines: string[] = [];
    const store = await open({ logger: recordingLogger(lines), pollIntervalMs: 20 });
    expect((await store.listAllMirrorStatuses()).map((s) => s.name)).toEqual(['ok']);
    await expect(store.getMirrorStatus('w', 'bad')).rejects.toMatchObject({
      code: STORE_ERROR_CODES.badRecord,
    });
    const polls = lines.filter((l) => l.includes('bad/w')).length;
    await admin.hset('mirror_status', 'later/w', JSON.stringify(mirrorStatus('w', 'later')));
    const seen: StoreChange[] = [];
    store.onChange((c) => seen.push(c));
    await waitFor(() => seen.length > 0);
    await waitFor(async () => (await store.listAllMirrorStatuses()).length === 2);
    // The poller does not warn again at each period about a field it already saw.
    expect(lines.filter((l) => l.includes('bad/w')).length).toBe(polls + 1);
  });

  test('a newer layout version is refused', async () => {
    await admin.set('tunasync-ts:version', '2');
    await expect(open()).rejects.toMatchObject({ code: STORE_ERROR_CODES.unsupportedVersion });
  });
});

describe('RedisStore: several managers on one Redis', () => {
  test("a write through one store reaches the other's listeners by pub/sub", async () => {
    // A poll period far beyond the wait: only pub/sub can deliver in time.
    const a = await open({ pollIntervalMs: 600_000 });
    const b = await open({ pollIntervalMs: 600_000 });
    const seen: StoreChange[] = [];
    b.onChange((c) => seen.push(c));
    await a.putWorker(workerStatus('w1'));
    await a.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1', 'disabled'));
    await a.flushDisabled();
    await a.deleteWorker('w1');
    await waitFor(() => seen.length === 4);
    expect(seen.map((c) => c.kind)).toEqual([
      'worker-put',
      'status-put',
      'status-delete',
      'worker-delete',
    ]);
    expect(seen[1]).toEqual({
      kind: 'status-put',
      workerId: 'w1',
      mirror: 'm1',
      status: mirrorStatus('w1', 'm1', 'disabled'),
    });
  });

  test('a write made directly in the hash (as a Go manager does) is found by the poll', async () => {
    const store = await open({ pollIntervalMs: 20 });
    const seen: StoreChange[] = [];
    store.onChange((c) => seen.push(c));
    await admin.hset(
      'mirror_status',
      'debian/go-w',
      JSON.stringify(mirrorStatus('go-w', 'debian')),
    );
    await admin.hset('workers', 'go-w', JSON.stringify(workerStatus('go-w')));
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(
      expect.arrayContaining([
        {
          kind: 'status-put',
          workerId: 'go-w',
          mirror: 'debian',
          status: mirrorStatus('go-w', 'debian'),
        },
        { kind: 'worker-put', worker: workerStatus('go-w') },
      ]),
    );
    await admin.hdel('mirror_status', 'debian/go-w');
    await admin.hdel('workers', 'go-w');
    await waitFor(() => seen.length === 4);
    expect(seen.slice(2)).toEqual(
      expect.arrayContaining([
        { kind: 'status-delete', workerId: 'go-w', mirror: 'debian' },
        { kind: 'worker-delete', workerId: 'go-w' },
      ]),
    );
  });

  test('two stores updating one status concurrently lose no update and no run', async () => {
    const a = await open();
    const b = await open();
    await a.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1', 'syncing', { size: '0' }));
    const bump = (store: RedisStore, i: number) =>
      store.updateMirrorStatus(
        'w1',
        'm1',
        (current) =>
          current && {
            ...current,
            size: String(Number(current.size) + 1),
            status: i % 2 === 0 ? 'success' : 'syncing',
          },
        { history: 1000 },
      );
    await Promise.all(Array.from({ length: 200 }, (_, i) => bump(i % 2 === 0 ? a : b, i)));
    const final = await a.getMirrorStatus('w1', 'm1');
    expect(final?.size).toBe('200');
    // Each success follows a syncing (or the first status), so every success is one run:
    // the sizes of the records are exactly the successes the stored sequence went through.
    const history = await b.listRunHistory('w1', 'm1');
    const sizes = history.map((r) => Number(r.size));
    expect(new Set(sizes).size).toBe(sizes.length);
    expect([...sizes].sort((x, y) => y - x)).toEqual(sizes);
    expect(sizes.length).toBeGreaterThan(0);
  });

  test('each store sees both stores writes in the order they were stored', async () => {
    const a = await open({ pollIntervalMs: 600_000 });
    const b = await open({ pollIntervalMs: 600_000 });
    const sizes: string[] = [];
    const watcher = await open({ pollIntervalMs: 600_000 });
    watcher.onChange((c) => {
      if (c.kind === 'status-put') sizes.push(c.status.size);
    });
    for (let i = 0; i < 50; i += 1) {
      await (i % 2 === 0 ? a : b).updateMirrorStatus('w1', 'm1', () =>
        mirrorStatus('w1', 'm1', 'syncing', { size: String(i) }),
      );
    }
    await waitFor(() => sizes.length === 50);
    expect(sizes).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });
});

describe('RedisStore: outages', () => {
  test('calls fail as unavailable while Redis is down, one log line, then work again', async () => {
    const own = await startRedisServer();
    try {
      const lines: string[] = [];
      const store = await RedisStore.open({
        url: own.url(),
        logger: recordingLogger(lines),
        pollIntervalMs: 20,
      });
      stores.push(store);
      const seen: StoreChange[] = [];
      store.onChange((c) => seen.push(c));
      await store.putWorker(workerStatus('w1'));
      await own.kill9();
      for (let i = 0; i < 5; i += 1) {
        await expect(
          store.putMirrorStatus('w1', 'm1', mirrorStatus('w1', 'm1')),
        ).rejects.toMatchObject({ code: STORE_ERROR_CODES.unavailable });
        await expect(store.listWorkers()).rejects.toMatchObject({
          code: STORE_ERROR_CODES.unavailable,
        });
      }
      await own.restart(); // no persistence: it comes back empty
      const other = new Redis(own.url());
      await other.hset('workers', 'w2', JSON.stringify(workerStatus('w2')));
      await other.quit();
      await waitFor(async () =>
        (await store.listWorkers().catch(() => [])).some((w) => w.id === 'w2'),
      );
      // On reconnect the store re-reads everything: w1 is gone, w2 is there.
      await waitFor(() => seen.some((c) => c.kind === 'worker-delete' && c.workerId === 'w1'));
      expect(seen.some((c) => c.kind === 'worker-put' && c.worker.id === 'w2')).toBe(true);
      await store.putMirrorStatus('w2', 'm1', mirrorStatus('w2', 'm1'));
      expect(lines.filter((l) => l.startsWith('error:'))).toEqual([
        `error: lost the connection to ${own.url()}; reconnecting`,
      ]);
      expect(lines).toContain(`info: connection to ${own.url()} is back`);
      await store.close();
    } finally {
      await own.stop();
    }
  });

  test('opening fails when nothing listens or the password is wrong, never printing it', async () => {
    const err: unknown = await RedisStore.open({
      url: `redis://user:s3cret-pw@127.0.0.1:1/0`,
      connectTimeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: STORE_ERROR_CODES.unavailable });
    expect((err as Error).message).toMatch(
      /^database redis:\/\/user:\*\*\*@127\.0\.0\.1:1\/0 is unavailable \(cannot connect: .*ECONNREFUSED/,
    );
    const guarded = await startRedisServer({ password: 'right-pw' });
    try {
      const wrong: unknown = await RedisStore.open({
        url: `redis://:s3cret-pw@127.0.0.1:${guarded.port}/0`,
        connectTimeoutMs: 2000,
      }).catch((e: unknown) => e);
      expect((wrong as Error).message).toMatch(/redis:\/\/:\*\*\*@127.0.0.1:\d+\/0 .*WRONGPASS/);
      expect((wrong as Error).message).not.toContain('s3cret-pw');
      const right = await RedisStore.open({ url: guarded.url() });
      expect(right.location).toBe(`redis://:***@127.0.0.1:${guarded.port}/0`);
      await right.close();
    } finally {
      await guarded.stop();
    }
  });
});

describe('RedisStore: Sentinel', () => {
  test('finds the master through a real Sentinel and follows a fail-over', async () => {
    const master = await startRedisServer();
    const replica = await startRedisServer({ replicaOf: master.port });
    const sentinel = await startRedisServer({
      sentinel: { name: 'tuna', masterPort: master.port },
    });
    const probe = new Redis(sentinel.url());
    const onReplica = new Redis(replica.url());
    try {
      await waitFor(async () => /master_link_status:up/.test(await onReplica.info('replication')));
      // Sentinel learns of the replica from the master's INFO.
      await waitFor(
        async () => ((await probe.call('SENTINEL', 'replicas', 'tuna')) as unknown[]).length === 1,
        15_000,
      );
      const store = await open({ url: `redis+sentinel://127.0.0.1:${sentinel.port}/tuna/0` });
      expect(store.location).toBe(`redis+sentinel://127.0.0.1:${sentinel.port}/tuna/0`);
      await store.putMirrorStatus('w1', 'before', mirrorStatus('w1', 'before'));
      await waitFor(async () => (await onReplica.hlen('mirror_status')) === 1);

      expect(await probe.call('SENTINEL', 'failover', 'tuna')).toBe('OK');
      await waitFor(async () => {
        const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', 'tuna')) as string[];
        return addr[1] === String(replica.port);
      }, 15_000);
      // Until Sentinel has demoted the old master, it still takes writes (which its
      // demotion then drops: Redis's documented fail-over window); wait for that first.
      const onOldMaster = new Redis(master.url());
      await waitFor(async () => /role:slave/.test(await onOldMaster.info('replication')), 15_000);
      await onOldMaster.quit();
      // Writes fail (unavailable) until the store has reconnected to the new master.
      await waitFor(
        () =>
          store.putMirrorStatus('w1', 'after', mirrorStatus('w1', 'after')).then(
            () => true,
            (err: unknown) => {
              expect(err).toMatchObject({ code: STORE_ERROR_CODES.unavailable });
              return false;
            },
          ),
        15_000,
      );
      expect((await onReplica.hkeys('mirror_status')).sort()).toEqual(['after/w1', 'before/w1']);
      expect((await store.listAllMirrorStatuses()).map((s) => s.name)).toEqual(['after', 'before']);
    } finally {
      probe.disconnect(); // a Sentinel knows no QUIT
      await onReplica.quit();
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await Promise.all([sentinel.stop(), replica.stop(), master.stop()]);
    }
  }, 60_000);
});
