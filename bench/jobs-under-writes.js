#!/usr/bin/env node
// Benchmark (not a test): `GET /jobs` latency while reports arrive (issue #16, point 2). Build
// first (`npx nx run-many -t build`), then
// `node bench/jobs-under-writes.js [--statuses N] [--seconds S] [--rate R] [--get-rate G]
// [--rounds K] [--redis]`.
//
// The built manager (test-utils `startManagerProcess`) on a LevelDB seeded with N statuses
// over 10 workers. autocannon (load-client.js, a process of its own) asks `GET /jobs` G times
// a second (20: status pages and mirror lists polling) on 2 keep-alive connections for S
// seconds, alone (the baseline: every answer from the cached body), then while a second autocannon process sends R `syncing` reports per second to the
// seeded mirrors (each one changes /jobs, so its body is built again between most requests),
// alternating, K rounds each. The figure is the best p99 under writes against the best p99
// alone; goal ≤ 2×. With `--redis` the manager runs on a real `redis-server` (`appendfsync
// always`) seeded the same instead (issue #16, point 5).
'use strict';

const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { runLoad } = require('./load-client');
const { seed, seedStore } = require('./jobs-throughput');

const GOAL_RATIO = 2;

async function main() {
  const { values } = parseArgs({
    options: {
      statuses: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '5' },
      rate: { type: 'string', default: '1000' },
      'get-rate': { type: 'string', default: '20' },
      rounds: { type: 'string', default: '2' },
      redis: { type: 'boolean', default: false },
    },
  });
  const statuses = Number(values.statuses);
  const seconds = Number(values.seconds);
  const rate = Number(values.rate);
  const roundCount = Number(values.rounds);
  const { startManagerProcess } = require('@tunasync/test-utils');

  const dir = await mkdtemp(join(tmpdir(), 'jobs-writes-bench-'));
  let manager;
  let redis;
  try {
    if (values.redis) {
      const { startRedisServer } = require('@tunasync/test-utils');
      const { RedisStore } = require('@tunasync/store');
      redis = await startRedisServer({ appendOnly: 'always' });
      const store = await RedisStore.open({ url: redis.url() });
      await seedStore(store, statuses);
      await store.close();
      manager = await startManagerProcess({ redisUrl: redis.url() });
    } else {
      const dbDir = join(dir, 'db');
      await seed(dbDir, statuses);
      manager = await startManagerProcess({ dbDir });
    }
    const url = manager.url;
    const getRate = Number(values['get-rate']);
    const jobs = { kind: 'get', url, path: '/jobs', connections: 2, seconds, rate: getRate };
    const reports = { kind: 'reports', url, connections: 8, seconds, mirrors: statuses, rate };
    await runLoad({ ...jobs, seconds: 2 }); // warm-up, not counted

    const rounds = { idle: [], loaded: [], reports: [] };
    for (let round = 0; round < roundCount; round += 1) {
      rounds.idle.push(await runLoad(jobs));
      const [loaded, sent] = await Promise.all([runLoad(jobs), runLoad(reports)]);
      rounds.loaded.push(loaded);
      rounds.reports.push(sent);
    }
    const body = await (await fetch(`${url}/jobs`)).arrayBuffer();
    const fmt = (r) => `p50 ${r.p50} ms, p99 ${r.p99} ms (${Math.round(r.rate)} req/s)`;
    console.log(
      `${values.redis ? 'Redis' : 'LevelDB'}, ${statuses} statuses, /jobs ${(body.byteLength / 1024 / 1024).toFixed(2)} MiB, 2 connections, ${seconds} s rounds`,
    );
    console.log(`GET /jobs alone:            ${rounds.idle.map(fmt).join('; ')}`);
    console.log(`GET /jobs under reports:    ${rounds.loaded.map(fmt).join('; ')}`);
    console.log(
      `reports sent meanwhile:     ${rounds.reports.map((r) => `${Math.round(r.rate)}/s`).join(', ')} (asked ${rate}/s)`,
    );
    const best = (xs) => Math.min(...xs.map((r) => r.p99));
    const ratio = best(rounds.loaded) / Math.max(best(rounds.idle), 1);
    const sentEnough = Math.max(...rounds.reports.map((r) => r.rate)) >= rate * 0.9;
    const pass = ratio <= GOAL_RATIO && sentEnough;
    console.log(
      `p99 under reports / p99 alone (best rounds): ${ratio.toFixed(2)}× (goal ≤ ${GOAL_RATIO}×, with ≥ 90 % of the reports sent): ${pass ? 'PASS' : 'FAIL'}`,
    );
    process.exitCode = pass ? 0 : 1;
  } finally {
    await manager?.stop();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/jobs-under-writes: ${err.stack ?? err}`);
  process.exitCode = 1;
});
