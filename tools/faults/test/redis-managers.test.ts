import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  goManagerFixtures,
  startManagerProcess,
  startRedisServer,
  startWorkerProcess,
  waitUntil,
  commandMirror,
  writeWorkerConf,
  statusReport,
} from '@tunasync/test-utils';
import type { ManagerProcess, RedisServer } from '@tunasync/test-utils';
import { runCtl } from '../src/tunasynctl';

/**
 * Several managers on one Redis (issue #13), with real processes: the Go manager's Redis
 * served as Go served it, a report through one manager on the other's `/jobs`, a kill -9 of
 * a manager and of redis-server.
 */

const FIXTURES = join(goManagerFixtures(), 'redis-small');
const running: Array<{ stop(): Promise<unknown> }> = [];

afterEach(async () => {
  // Managers first, then Redis; every stop runs even if one fails.
  const all = running.splice(0).reverse();
  await Promise.allSettled(all.map((p) => p.stop()));
});

async function redis(options: Parameters<typeof startRedisServer>[0] = {}): Promise<RedisServer> {
  const server = await startRedisServer(options);
  running.push(server);
  return server;
}

async function manager(
  url: string,
  env: Record<string, string> = {},
  config?: string,
): Promise<ManagerProcess> {
  const m = await startManagerProcess({ redisUrl: url, env, config });
  running.push(m);
  return m;
}

async function admin(server: RedisServer): Promise<Redis> {
  const client = new Redis(server.url());
  running.push({ stop: () => client.quit() });
  return client;
}

async function post(url: string, body: unknown): Promise<{ status: number; body: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}

async function jobs(m: ManagerProcess): Promise<Array<{ name: string; size: string }>> {
  const res = await fetch(`${m.url}/jobs`);
  return (await res.json()) as Array<{ name: string; size: string }>;
}

async function sizeOn(m: ManagerProcess, name: string): Promise<string | undefined> {
  return (await jobs(m)).find((j) => j.name === name)?.size;
}

/**
 * The items of a JSON array answer, each as its exact JSON text, sorted: the Go manager lists
 * a Redis hash in Go's map order, which is random, so only the set of items can be compared.
 * Every field is compared as Go printed it (times in the offset they were stored with).
 */
function itemsOf(body: string): string[] {
  return (JSON.parse(body) as unknown[]).map((item) => JSON.stringify(item)).sort();
}

describe('the Go manager’s Redis', () => {
  test('loaded with HSET, is served by our manager as the Go manager served it (TZ=Asia/Shanghai)', async () => {
    const server = await redis();
    const client = await admin(server);
    const hashes = JSON.parse(readFileSync(join(FIXTURES, 'redis-hashes.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    for (const [key, fields] of Object.entries(hashes)) await client.hset(key, fields);
    // The fixtures age: with the stale extra of /workers/:id/jobs (issue #15) off, every route
    // is Go's, byte for byte, whatever day the test runs.
    const m = await manager(server.url(), { TZ: 'Asia/Shanghai' }, '[server]\nstale_after = 0');
    for (const [route, file] of [
      ['/jobs', 'jobs.json'],
      ['/workers', 'workers.json'],
      ['/workers/worker-a/jobs', 'worker-a.jobs.json'],
      ['/workers/worker-b/jobs', 'worker-b.jobs.json'],
    ] as const) {
      const res = await fetch(`${m.url}${route}`);
      const expected = itemsOf(readFileSync(join(FIXTURES, file), 'utf8'));
      expect({ route, items: itemsOf(await res.text()) }).toEqual({
        route,
        items: expected,
      });
    }
    // A Go manager reading the same Redis finds our writes where it looks.
    expect(
      (
        await post(
          `${m.url}/workers/worker-a/jobs/debian`,
          statusReport('worker-a', 'debian', 'syncing'),
        )
      ).status,
    ).toBe(200);
    const raw = await client.hget('mirror_status', 'debian/worker-a');
    expect(JSON.parse(raw as string)).toMatchObject({ name: 'debian', status: 'syncing' });
  });
});

describe('two managers on one Redis', () => {
  test('a report through one is on the other’s /jobs (pub/sub); a direct HSET within 2 s', async () => {
    const server = await redis();
    const [m1, m2] = [await manager(server.url()), await manager(server.url())];
    expect((await post(`${m1.url}/workers`, { id: 'w1', url: 'http://127.0.0.1:1/' })).status).toBe(
      200,
    );
    const delays: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const size = `${i}G`;
      const sent = await post(
        `${m1.url}/workers/w1/jobs/debian`,
        statusReport('w1', 'debian', i % 2 === 0 ? 'syncing' : 'success', { size }),
      );
      expect(sent.status).toBe(200);
      const acked = Date.now();
      await waitUntil(
        'the report on m2',
        async () => (await sizeOn(m2, 'debian')) === size,
        2000,
        2,
      );
      delays.push(Date.now() - acked);
    }
    delays.sort((a, b) => a - b);
    process.stdout.write(`report on the other manager after ${delays.join(', ')} ms\n`);
    expect(delays[delays.length - 1]).toBeLessThanOrEqual(100);

    // As a Go manager writes: straight into the hash, no message.
    const client = await admin(server);
    await client.hset(
      'mirror_status',
      'go-mirror/go-w',
      JSON.stringify(statusReport('go-w', 'go-mirror', 'success', { size: '7G' })),
    );
    const written = Date.now();
    await waitUntil(
      'the Go write on both',
      async () =>
        (await sizeOn(m1, 'go-mirror')) === '7G' && (await sizeOn(m2, 'go-mirror')) === '7G',
      2000,
      10,
    );
    process.stdout.write(`direct HSET on both managers after ${Date.now() - written} ms\n`);

    // rm-worker and flush through one are seen by the other.
    await post(`${m2.url}/workers/w1/jobs/arch`, statusReport('w1', 'arch', 'disabled'));
    await waitUntil('arch on m1', async () => (await sizeOn(m1, 'arch')) !== undefined, 2000, 10);
    const flushed = await fetch(`${m2.url}/jobs/disabled`, { method: 'DELETE' });
    expect(flushed.status).toBe(200);
    await waitUntil(
      'the flush on m1',
      async () => (await sizeOn(m1, 'arch')) === undefined,
      2000,
      10,
    );
    const removed = await fetch(`${m1.url}/workers/w1`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    await waitUntil(
      'the worker gone on m2',
      async () =>
        !((await (await fetch(`${m2.url}/workers`)).json()) as Array<{ id: string }>).some(
          (w) => w.id === 'w1',
        ),
      2000,
      10,
    );
  });

  test('/cmd through either manager reaches the worker registered through the other', async () => {
    const server = await redis();
    const [m1, m2] = [await manager(server.url()), await manager(server.url())];
    const received: unknown[] = [];
    const control = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.setHeader('content-type', 'application/json');
        res.end('{"msg":"OK"}');
      });
    });
    await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
    running.push({ stop: () => new Promise((r) => control.close(r)) });
    const workerUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}/`;
    expect((await post(`${m1.url}/workers`, { id: 'w1', url: workerUrl })).status).toBe(200);
    for (const [i, m] of [m2, m1].entries()) {
      const res = await post(`${m.url}/cmd`, {
        cmd: 'start',
        worker_id: 'w1',
        mirror_id: `mirror${i}`,
        args: [],
        options: {},
      });
      expect({ status: res.status, body: JSON.parse(res.body) }).toEqual({
        status: 200,
        body: { message: 'successfully send command to worker w1' },
      });
    }
    expect(received).toEqual([
      expect.objectContaining({ cmd: 'start', mirror_id: 'mirror0' }),
      expect.objectContaining({ cmd: 'start', mirror_id: 'mirror1' }),
    ]);
  });

  test('kill -9 of either manager: the other serves everything and takes every report', async () => {
    const server = await redis();
    const [m1, m2] = [await manager(server.url()), await manager(server.url())];
    expect((await post(`${m1.url}/workers`, { id: 'w1', url: 'http://127.0.0.1:1/' })).status).toBe(
      200,
    );
    const acked: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const target = i % 2 === 0 ? m1 : m2;
      const name = `m${i}`;
      const res = await post(
        `${target.url}/workers/w1/jobs/${name}`,
        statusReport('w1', name, 'success'),
      );
      if (res.status === 200) acked.push(name);
    }
    m1.child.kill('SIGKILL');
    await new Promise((r) => m1.child.once('exit', r));
    for (let i = 30; i < 40; i += 1) {
      const name = `m${i}`;
      expect(
        (await post(`${m2.url}/workers/w1/jobs/${name}`, statusReport('w1', name, 'success')))
          .status,
      ).toBe(200);
      acked.push(name);
    }
    expect((await jobs(m2)).map((j) => j.name).sort()).toEqual([...acked].sort());
    // A new manager in m1's place has everything too.
    const m3 = await manager(server.url());
    m2.child.kill('SIGKILL');
    await new Promise((r) => m2.child.once('exit', r));
    expect((await jobs(m3)).map((j) => j.name).sort()).toEqual([...acked].sort());
  });
});

describe('redis-server killed', () => {
  test('with appendfsync always, a kill -9 of Redis loses no acknowledged report; 503 meanwhile', async () => {
    const server = await redis({ appendOnly: 'always' });
    const m = await manager(server.url());
    expect((await post(`${m.url}/workers`, { id: 'w1', url: 'http://127.0.0.1:1/' })).status).toBe(
      200,
    );
    const acked = new Map<string, string>();
    let stop = false;
    let refused = 0;
    let restarted = false;
    let ackedAfterRestart = 0;
    // Reports keep coming while Redis is killed and restarted.
    const sender = (async () => {
      for (let i = 0; !stop; i += 1) {
        const name = `m${i % 25}`;
        const size = `${i}`;
        const res = await post(
          `${m.url}/workers/w1/jobs/${name}`,
          statusReport('w1', name, 'success', { size }),
        );
        if (res.status === 200) {
          acked.set(name, size);
          if (restarted) ackedAfterRestart += 1;
        } else {
          expect(res.status).toBe(503);
          expect(JSON.parse(res.body)).toEqual({
            error: expect.stringMatching(
              /^the database is unavailable, retry later: database redis:\/\/127\.0\.0\.1:\d+\/0 is unavailable/,
            ),
          });
          refused += 1;
        }
      }
    })();
    await waitUntil('25 mirrors acknowledged', () => acked.size === 25, 10_000, 10);
    await server.kill9();
    await waitUntil('a refused report', () => refused > 0, 10_000, 10);
    const jobsDuring = await fetch(`${m.url}/jobs`);
    expect(jobsDuring.status).toBe(200); // served from the snapshot
    await server.restart();
    restarted = true;
    await waitUntil(
      '10 reports acknowledged after the restart',
      () => ackedAfterRestart >= 10,
      10_000,
      10,
    );
    stop = true;
    await sender;
    const client = await admin(server);
    const stored = await client.hgetall('mirror_status');
    // Stored is the last acknowledged report, or a later one whose answer the outage cut off.
    for (const [name, size] of acked) {
      const kept = Number(JSON.parse(stored[`${name}/w1`] as string).size);
      expect({ name, kept: kept >= Number(size) }).toEqual({ name, kept: true });
    }
    // One error line for the outage, one line for the return; the manager still runs.
    const lost = m
      .output()
      .split('\n')
      .filter((l) => l.includes('lost the connection to'));
    expect(lost).toHaveLength(1);
    expect(m.output()).toMatch(/connection to redis:\/\/127\.0\.0\.1:\d+\/0 is back/);
    expect(m.child.exitCode).toBeNull();
    process.stdout.write(
      `${refused} reports answered 503 during the outage, ${acked.size} mirrors acknowledged\n`,
    );
  });
});

describe('a real worker and tunasynctl with two managers on one Redis', () => {
  test('api_base_list = [m1, m2] and a third manager: all show its mirror; tunasynctl against any lists it and its commands reach the worker', async () => {
    const server = await redis();
    const m1 = await manager(server.url());
    const m2 = await manager(server.url());
    // A third manager the worker does not report to: it serves the same from the shared Redis.
    const m3 = await manager(server.url());
    const dir = await mkdtemp(join(tmpdir(), 'tunasync-faults-redis-worker-'));
    running.push({ stop: () => rm(dir, { recursive: true, force: true }) });
    const configFile = await writeWorkerConf(dir, {
      name: 'rw',
      managers: [m1.url, m2.url],
      mirrors: [commandMirror('one', 'echo synced', 'interval = 1440')],
      heartbeatInterval: 2,
    });
    const worker = await startWorkerProcess({ configFile, stateDir: join(dir, 'state') });
    running.push(worker);
    const statusOn = async (m: ManagerProcess) =>
      (
        (await (await fetch(`${m.url}/jobs`)).json()) as Array<{ name: string; status: string }>
      ).find((j) => j.name === 'one')?.status;
    for (const m of [m1, m2, m3]) {
      await waitUntil(`success on ${m.url}`, async () => (await statusOn(m)) === 'success', 20_000);
    }
    for (const m of [m1, m2, m3]) {
      const list = await runCtl(['list', 'rw'], m.port, dir);
      expect({ code: list.code, stderr: list.stderr }).toEqual({ code: 0, stderr: '' });
      expect(list.stdout).toContain('"name": "one"');
    }
    // A stop through m3 (never registered with by the worker) reaches it; all show it paused.
    const stop = await runCtl(['stop', '-w', 'rw', 'one'], m3.port, dir);
    expect({ code: stop.code, stderr: stop.stderr }).toEqual({ code: 0, stderr: '' });
    for (const m of [m1, m2, m3]) {
      await waitUntil(`paused on ${m.url}`, async () => (await statusOn(m)) === 'paused', 10_000);
    }
    // And a start through m1 runs it again, seen by both.
    const start = await runCtl(['start', '-w', 'rw', 'one'], m1.port, dir);
    expect({ code: start.code, stderr: start.stderr }).toEqual({ code: 0, stderr: '' });
    for (const m of [m1, m2]) {
      await waitUntil(
        `success again on ${m.url}`,
        async () => (await statusOn(m)) === 'success',
        20_000,
      );
    }
  });
});
