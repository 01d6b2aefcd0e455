#!/usr/bin/env node
// Benchmark (not a test): status-report ingestion of the built manager on LevelDB (issue #16,
// point 1). Build first (`npx nx run-many -t build`), then
// `node bench/ingest.js [--mirrors N] [--seconds S] [--connections C] [--rounds R] [--redis]
// [--before DIR]`.
//
// The real manager (test-utils `startManagerProcess`) on a LevelDB seeded with 10 workers and
// N mirror statuses, loaded by autocannon in a process of its own (load-client.js) with C
// keep-alive connections for S seconds: `syncing` reports, POST /workers/:id/jobs/:job,
// cycling over the N mirrors. Baselines in the same run, rounds alternating:
// - the ceiling: express (the manager's framework), also a child process, parsing the same
//   JSON bodies and answering each with a small JSON object, doing nothing else;
// - the store's limit: raw `level` batch puts of the same records (the status JSON the
//   manager stores), C records per batch, in this process.
// With `--redis`, a third manager on a real `redis-server` (`appendfsync always`, seeded the
// same) takes part in every round too (figures and the ratio to LevelDB only; issue #16,
// point 5). With `--before DIR` (another built checkout, e.g. the main branch's), that
// checkout's manager on a copy of the same seeded LevelDB takes part in every round too: a
// before/after in one run. A warm-up round of each first, not counted. The figure is the manager's best round; goal
// ≥ 5,000 reports/s. The server's CPU time per request (from /proc) is printed too: on a
// machine that others load, it moves less than the rates.
'use strict';

const { spawn } = require('node:child_process');
const { mkdtemp, rm, writeFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { cpuSeconds } = require('./proc-stats');
const { runLoad } = require('./load-client');
const { seed, seedStore } = require('./jobs-throughput');

const GOAL_REPORTS_PER_S = 5000;

/** One load of `url`, with the CPU time the server process `pid` spent per request. */
async function measured(pid, spec) {
  const before = cpuSeconds(pid);
  const figures = await runLoad(spec);
  const cpu = cpuSeconds(pid) - before;
  return { ...figures, cpuUs: (cpu * 1e6) / figures.total };
}

/** The built manager of another checkout `root` on `dbDir`, on a free loopback port. */
async function startBuiltManager(root, dir, dbDir) {
  const { findFreePort } = require('@tunasync/test-utils');
  const port = await findFreePort();
  const conf = join(dir, 'before.conf');
  await writeFile(
    conf,
    `[server]\naddr = "127.0.0.1"\nport = ${port}\n[files]\ndb_type = "leveldb"\ndb_file = ${JSON.stringify(dbDir)}\n`,
  );
  const bin = join(root, 'apps', 'manager', 'bin', 'tunasync-manager.js');
  const child = spawn(process.execPath, [bin, '--config', conf], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ;) {
    if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}`);
    const up = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`${bin} did not answer /ping within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** express parsing JSON bodies and answering `{}`: the ceiling of any express app. */
async function startExpressBaseline() {
  const script = `
    const express = require('express');
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    app.use(express.json({ type: () => true }));
    app.post('/workers/:id/jobs/:job', (req, res) => res.json({ name: req.body.name }));
    const server = app.listen(0, '127.0.0.1', () =>
      process.stdout.write(String(server.address().port) + '\\n'));
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: join(__dirname, '..'),
  });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`express baseline exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** Records per second of raw `level` batches of `perBatch` status puts for `seconds`. */
async function rawLevel(dir, mirrors, perBatch, seconds) {
  const { Level } = require('level');
  const { formatRfc3339 } = require('@tunasync/api-types');
  const { statusKey } = require('@tunasync/store');
  const db = new Level(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  await db.open();
  const now = formatRfc3339(new Date());
  let n = 0;
  const record = () => {
    const i = n % mirrors;
    n += 1;
    const worker = `worker-${i % 10}`;
    const name = `mirror-${String(i).padStart(5, '0')}`;
    return {
      type: 'put',
      key: statusKey(worker, name),
      value: JSON.stringify({
        name,
        worker,
        is_master: true,
        status: 'syncing',
        last_update: now,
        last_started: now,
        last_ended: now,
        next_schedule: now,
        upstream: `rsync://rsync.example.org/${name}/`,
        size: 'unknown',
        error_msg: '',
      }),
    };
  };
  const started = Date.now();
  const end = started + seconds * 1000;
  let written = 0;
  while (Date.now() < end) {
    await db.batch(Array.from({ length: perBatch }, record));
    written += perBatch;
  }
  const rate = written / ((Date.now() - started) / 1000);
  await db.close();
  return rate;
}

async function main() {
  const { values } = parseArgs({
    options: {
      mirrors: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '2' },
      redis: { type: 'boolean', default: false },
      before: { type: 'string' },
    },
  });
  const mirrors = Number(values.mirrors);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const roundCount = Number(values.rounds);
  const { startManagerProcess } = require('@tunasync/test-utils');

  const dir = await mkdtemp(join(tmpdir(), 'ingest-bench-'));
  const stops = [];
  try {
    const dbDir = join(dir, 'db');
    await seed(dbDir, mirrors);
    const manager = await startManagerProcess({ dbDir });
    stops.push(() => manager.stop());
    const baseline = await startExpressBaseline();
    stops.push(() => baseline.stop());
    let before;
    if (values.before !== undefined) {
      const beforeDb = join(dir, 'before-db');
      await seed(beforeDb, mirrors);
      before = await startBuiltManager(values.before, dir, beforeDb);
      stops.push(() => before.stop());
    }
    let onRedis;
    if (values.redis) {
      const { startRedisServer } = require('@tunasync/test-utils');
      const { RedisStore } = require('@tunasync/store');
      const redis = await startRedisServer({ appendOnly: 'always' });
      stops.push(() => redis.stop());
      const store = await RedisStore.open({ url: redis.url() });
      await seedStore(store, mirrors);
      await store.close();
      const m = await startManagerProcess({ redisUrl: redis.url() });
      stops.push(() => m.stop());
      onRedis = { url: m.url, pid: m.child.pid };
    }

    const load = (server) =>
      measured(server.pid, { kind: 'reports', url: server.url, connections, seconds, mirrors });
    // A warm-up of each (JIT, the store's record cache), not counted.
    const servers = [baseline, { url: manager.url, pid: manager.child.pid }, onRedis, before];
    for (const server of servers.filter(Boolean)) {
      await runLoad({ kind: 'reports', url: server.url, connections, seconds: 2, mirrors });
    }
    const rounds = { manager: [], express: [], level: [], redis: [], before: [] };
    for (let round = 0; round < roundCount; round += 1) {
      rounds.express.push(await load(baseline));
      rounds.manager.push(await load({ url: manager.url, pid: manager.child.pid }));
      if (onRedis) rounds.redis.push(await load(onRedis));
      if (before) rounds.before.push(await load(before));
      rounds.level.push(await rawLevel(join(dir, `raw-${round}`), mirrors, connections, seconds));
    }
    // Every report was stored: the last one of each mirror shows on /jobs as syncing.
    const jobs = await (await fetch(`${manager.url}/jobs`)).json();
    const syncing = jobs.filter((j) => j.status === 'syncing').length;

    const best = (xs) => Math.max(...xs);
    const fmt = (x) => `${Math.round(x).toLocaleString('en-US')}/s`;
    const line = (label, xs) => console.log(`${label.padEnd(44)} ${xs.map(fmt).join(', ')}`);
    console.log(
      `${mirrors} mirrors over 10 workers, ${connections} keep-alive connections (autocannon), ${seconds} s rounds`,
    );
    line(
      'express, same POSTs, no work (ceiling)',
      rounds.express.map((r) => r.rate),
    );
    line('raw level batches of the same records', rounds.level);
    line(
      'tunasync-manager reports',
      rounds.manager.map((r) => r.rate),
    );
    if (onRedis)
      line(
        'tunasync-manager on Redis reports',
        rounds.redis.map((r) => r.rate),
      );
    if (before)
      line(
        `before (${values.before}) reports`,
        rounds.before.map((r) => r.rate),
      );
    const cpu = (label, xs) =>
      console.log(`${label.padEnd(44)} ${xs.map((r) => `${Math.round(r.cpuUs)} µs`).join(', ')}`);
    cpu('server CPU per request, express', rounds.express);
    cpu('server CPU per request, tunasync-manager', rounds.manager);
    if (before) cpu('server CPU per request, before', rounds.before);
    if (onRedis) {
      cpu('server CPU per request, manager on Redis', rounds.redis);
      const redisBest = Math.max(...rounds.redis.map((r) => r.rate));
      const levelBest = Math.max(...rounds.manager.map((r) => r.rate));
      console.log(`Redis / LevelDB (best rounds): ${(redisBest / levelBest).toFixed(2)}×`);
    }
    const top = rounds.manager.reduce((a, b) => (b.rate > a.rate ? b : a));
    console.log(
      `manager latency of its best round: p50 ${top.p50} ms, p99 ${top.p99} ms, max ${top.max} ms`,
    );
    const rate = best(rounds.manager.map((r) => r.rate));
    const ceiling = best(rounds.express.map((r) => r.rate));
    const pass = rate >= GOAL_REPORTS_PER_S && syncing === mirrors;
    console.log(
      `best: ${fmt(rate)} = ${(rate / ceiling).toFixed(2)}× express's ceiling; /jobs shows ${syncing} of ${mirrors} syncing`,
    );
    console.log(`goal ≥ ${fmt(GOAL_REPORTS_PER_S)}: ${pass ? 'PASS' : 'FAIL'}`);
    process.exitCode = pass ? 0 : 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/ingest: ${err.stack ?? err}`);
  process.exitCode = 1;
});
