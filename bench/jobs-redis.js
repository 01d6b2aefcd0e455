#!/usr/bin/env node
// Benchmark (not a test): the manager on Redis against the manager on LevelDB, in one run
// (issue #13). Build first: `npx nx run-many -t build -p @tunasync/manager @tunasync/store
// @tunasync/test-utils`, then `node bench/jobs-redis.js [--statuses N] [--seconds S]
// [--connections C]`. Needs `redis-server` (apt-get install -y redis-server).
//
// Two built managers (test-utils `startManagerProcess`), one on a LevelDB and one on a real
// `redis-server` (`appendonly yes`, `appendfsync always`, as recommended), each seeded with
// the same N statuses over 10 workers. Measured in turn by the same client (undici, C
// keep-alive connections, S seconds, twice each, alternating; best rounds compared):
// - `GET /jobs` (a cache in both: goal Redis ≥ 0.9× LevelDB);
// - report ingestion, `POST /workers/:id/jobs/:job` of `syncing`/`success` reports to the
//   seeded mirrors (figures only: every Redis report is an fsync of the AOF);
// - with two managers on another database of the same Redis, the time from a report's answer
//   on one manager to its status on the other's `GET /jobs`, p50 and p99 of 200 reports.
'use strict';

const { parseArgs } = require('node:util');
const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Pool, request } = require('undici');
const { load, seed, seedStore } = require('./jobs-throughput');

const GOAL_RATIO = 0.9;

/** Reports per second for `seconds`, `connections` at a time, over the seeded mirrors. */
async function ingest(origin, connections, seconds, statuses) {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const loop = async (c) => {
    for (let i = c; Date.now() < end; i += connections) {
      const n = i % statuses;
      const worker = `worker-${n % 10}`;
      const name = `mirror-${String(n).padStart(5, '0')}`;
      const res = await pool.request({
        path: `/workers/${worker}/jobs/${name}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name,
          worker,
          is_master: true,
          status: i % 2 === 0 ? 'syncing' : 'success',
          upstream: 'x',
          size: 'unknown',
        }),
      });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`${origin}: report answered ${res.statusCode}`);
      done += 1;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, (_, c) => loop(c)));
  const rate = done / ((Date.now() - started) / 1000);
  await pool.close();
  return rate;
}

/** Milliseconds from a report's answer on `a` to its size on `b`, for `count` reports. */
async function propagation(a, b, count) {
  const registered = await request(`${a}/workers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'worker-0', url: 'http://127.0.0.1:1/' }),
  });
  await registered.body.dump();
  const delays = [];
  for (let i = 0; i < count; i += 1) {
    const size = `p${i}`;
    const res = await request(`${a}/workers/worker-0/jobs/mirror-00000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'mirror-00000',
        worker: 'worker-0',
        is_master: true,
        status: 'syncing',
        upstream: 'x',
        size,
      }),
    });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`${a}: report answered ${res.statusCode}`);
    const acked = process.hrtime.bigint();
    for (const deadline = Date.now() + 10_000; ;) {
      if (Date.now() > deadline) throw new Error(`report ${size} not on ${b} within 10 s`);
      const jobs = await (await request(`${b}/jobs`)).body.json();
      if (jobs.find((j) => j.name === 'mirror-00000')?.size === size) break;
    }
    delays.push(Number(process.hrtime.bigint() - acked) / 1e6);
  }
  delays.sort((x, y) => x - y);
  const at = (q) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      statuses: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '8' },
    },
  });
  const statuses = Number(values.statuses);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const { startManagerProcess, startRedisServer } = require('@tunasync/test-utils');
  const { RedisStore } = require('@tunasync/store');

  const dir = await mkdtemp(join(tmpdir(), 'jobs-redis-bench-'));
  const stops = [];
  try {
    const dbDir = join(dir, 'db');
    await seed(dbDir, statuses);
    const redis = await startRedisServer({ appendOnly: 'always' });
    stops.push(() => redis.stop());
    const store = await RedisStore.open({ url: redis.url() });
    await seedStore(store, statuses);
    await store.close();
    const level = await startManagerProcess({ dbDir });
    stops.push(() => level.stop());
    const onRedis = await startManagerProcess({ redisUrl: redis.url() });
    stops.push(() => onRedis.stop());

    const bodies = await Promise.all(
      [level, onRedis].map(async (m) =>
        Buffer.from(await (await request(`${m.url}/jobs`)).body.arrayBuffer()),
      ),
    );
    // Seeded a moment apart (the times differ), the same statuses otherwise.
    const counts = bodies.map((b) => JSON.parse(b.toString('utf8')).length);
    if (counts[0] !== statuses || counts[1] !== statuses || bodies[0].length !== bodies[1].length) {
      throw new Error(
        `/jobs: ${counts.join(' and ')} statuses, ${bodies[0].length} and ${bodies[1].length} bytes`,
      );
    }
    const size = bodies[0].length;

    const rounds = { level: [], redis: [], levelIn: [], redisIn: [] };
    for (let round = 0; round < 2; round += 1) {
      rounds.level.push(await load(level.url, '/jobs', connections, seconds, size));
      rounds.redis.push(await load(onRedis.url, '/jobs', connections, seconds, size));
    }
    for (let round = 0; round < 2; round += 1) {
      rounds.levelIn.push(await ingest(level.url, connections, seconds, statuses));
      rounds.redisIn.push(await ingest(onRedis.url, connections, seconds, statuses));
    }
    // Two more managers on database 1 of the same Redis, with only the mirror measured: the
    // time is the store's, not that of rendering 10,000 statuses for each poll of the answer.
    const first = await startManagerProcess({ redisUrl: redis.url(1) });
    stops.push(() => first.stop());
    const second = await startManagerProcess({ redisUrl: redis.url(1) });
    stops.push(() => second.stop());
    const spread = await propagation(first.url, second.url, 200);

    const best = (xs) => Math.max(...xs);
    const ratio = best(rounds.redis) / best(rounds.level);
    const line = (label, xs, unit) =>
      console.log(`${label.padEnd(34)} ${xs.map((x) => `${x.toFixed(1)} ${unit}`).join(', ')}`);
    console.log(
      `${statuses} statuses, /jobs body ${(size / 1024 / 1024).toFixed(2)} MiB, ${connections} connections, ${seconds} s rounds`,
    );
    line('GET /jobs, LevelDB', rounds.level, 'req/s');
    line('GET /jobs, Redis', rounds.redis, 'req/s');
    console.log(
      `ratio (best rounds): ${ratio.toFixed(2)}× (goal ≥ ${GOAL_RATIO}×): ${ratio >= GOAL_RATIO ? 'PASS' : 'FAIL'}`,
    );
    line('reports, LevelDB', rounds.levelIn, 'reports/s');
    line('reports, Redis (appendfsync always)', rounds.redisIn, 'reports/s');
    console.log(
      `ingestion ratio (best rounds): ${(best(rounds.redisIn) / best(rounds.levelIn)).toFixed(2)}×`,
    );
    console.log(
      `report on the other manager: p50 ${spread.p50.toFixed(1)} ms, p99 ${spread.p99.toFixed(1)} ms (200 reports)`,
    );
    process.exitCode = ratio >= GOAL_RATIO ? 0 : 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/jobs-redis: ${err.stack ?? err}`);
  process.exitCode = 1;
});
