#!/usr/bin/env node
// Benchmark (not a test): `GET /jobs` with 10,000 statuses is served from a cache that writes
// invalidate, at a throughput close to serving a static body of the same size (SPEC §8).
// Build first: `npx nx run-many -t build -p @tunasync/manager @tunasync/store @tunasync/test-utils`,
// then `node bench/jobs-throughput.js [--statuses N] [--seconds S] [--connections C]`.
//
// The real manager (the built `tunasync-manager`, test-utils `startManagerProcess`) on a
// LevelDB seeded with N statuses over 10 workers, against a baseline in the same run: a bare
// `node:http` server, also a child process, answering every request with the same bytes
// from a Buffer. Both are loaded in turn by the same client (undici, C keep-alive
// connections, S seconds, twice each, alternating); the figure is the ratio of the best
// rounds. Then a status report between two requests shows the cache is invalidated.
'use strict';

const { spawn } = require('node:child_process');
const { mkdtemp, rm, writeFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { Pool, request } = require('undici');

const GOAL_RATIO = 0.8;

/** Writes 10 workers and `statuses` statuses over them into `store` (any Store). */
async function seedStore(store, statuses) {
  const { formatRfc3339 } = require('@tunasync/api-types');
  const now = formatRfc3339(new Date());
  const workers = 10;
  for (let w = 0; w < workers; w += 1) {
    const id = `worker-${w}`;
    await store.putWorker({
      id,
      url: 'http://127.0.0.1:1/',
      token: '',
      last_online: now,
      last_register: now,
    });
  }
  const puts = [];
  for (let i = 0; i < statuses; i += 1) {
    const worker = `worker-${i % workers}`;
    const name = `mirror-${String(i).padStart(5, '0')}`;
    puts.push(
      store.putMirrorStatus(worker, name, {
        name,
        worker,
        is_master: true,
        status: i % 17 === 0 ? 'failed' : 'success',
        last_update: now,
        last_started: now,
        last_ended: now,
        next_schedule: now,
        upstream: `rsync://rsync.example.org/${name}/`,
        size: `${(i % 900) + 1}.5G`,
        error_msg: '',
      }),
    );
    if (puts.length >= 500) await Promise.all(puts.splice(0));
  }
  await Promise.all(puts);
}

async function seed(dbDir, statuses) {
  const { LevelStore } = require('@tunasync/store');
  const store = await LevelStore.open({ location: dbDir });
  await seedStore(store, statuses);
  await store.close();
}

/** A bare node:http server in a child process, serving `bodyFile`'s bytes for every request. */
async function startStaticServer(bodyFile) {
  const script = `
    const body = require('node:fs').readFileSync(${JSON.stringify(bodyFile)});
    const server = require('node:http').createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`static server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** Requests per second of GET `path` with `connections` keep-alive connections for `seconds`. */
async function load(origin, path, connections, seconds, expectedBytes) {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const loop = async () => {
    while (Date.now() < end) {
      const res = await pool.request({ path, method: 'GET' });
      let bytes = 0;
      for await (const chunk of res.body) bytes += chunk.length;
      if (res.statusCode !== 200 || bytes !== expectedBytes) {
        throw new Error(
          `${origin}${path}: ${res.statusCode}, ${bytes} bytes (expected ${expectedBytes})`,
        );
      }
      done += 1;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, loop));
  const rate = done / ((Date.now() - started) / 1000);
  await pool.close();
  return rate;
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
  const { startManagerProcess } = require('@tunasync/test-utils');

  const dir = await mkdtemp(join(tmpdir(), 'jobs-bench-'));
  let manager;
  let baseline;
  try {
    const dbDir = join(dir, 'db');
    await seed(dbDir, statuses);
    manager = await startManagerProcess({ dbDir });
    const first = await request(`${manager.url}/jobs`);
    const body = Buffer.from(await first.body.arrayBuffer());
    const count = JSON.parse(body.toString('utf8')).length;
    if (count !== statuses) throw new Error(`/jobs listed ${count} statuses, seeded ${statuses}`);
    const bodyFile = join(dir, 'jobs.json');
    await writeFile(bodyFile, body);
    baseline = await startStaticServer(bodyFile);

    const rounds = { manager: [], baseline: [] };
    for (let round = 0; round < 2; round += 1) {
      rounds.baseline.push(await load(baseline.url, '/', connections, seconds, body.length));
      rounds.manager.push(await load(manager.url, '/jobs', connections, seconds, body.length));
    }
    const best = (xs) => Math.max(...xs);
    const ratio = best(rounds.manager) / best(rounds.baseline);
    const mib = (body.length / 1024 / 1024).toFixed(2);
    console.log(
      `${statuses} statuses, /jobs body ${mib} MiB, ${connections} connections, ${seconds} s rounds`,
    );
    const line = (label, xs) =>
      console.log(`${label.padEnd(36)} ${xs.map((x) => `${x.toFixed(1)} req/s`).join(', ')}`);
    line('static body (node:http, Buffer)', rounds.baseline);
    line('tunasync-manager GET /jobs', rounds.manager);
    console.log(
      `ratio (best rounds): ${ratio.toFixed(2)}× (goal ≥ ${GOAL_RATIO}×): ${ratio >= GOAL_RATIO ? 'PASS' : 'FAIL'}`,
    );

    // A write invalidates the cache: the next /jobs shows it.
    const name = 'mirror-00001';
    const worker = 'worker-1';
    const posted = await request(`${manager.url}/workers/${worker}/jobs/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        worker,
        is_master: true,
        status: 'syncing',
        upstream: 'x',
        size: 'unknown',
      }),
    });
    await posted.body.dump();
    const after = JSON.parse(await (await request(`${manager.url}/jobs`)).body.text());
    const seen = after.find((j) => j.name === name)?.status;
    console.log(
      `after a report of ${name} as syncing, /jobs shows: ${seen} (${seen === 'syncing' ? 'PASS' : 'FAIL'})`,
    );
    process.exitCode = ratio >= GOAL_RATIO && seen === 'syncing' ? 0 : 1;
  } finally {
    await baseline?.stop();
    await manager?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

module.exports = { load, seed, seedStore, startStaticServer };

if (require.main === module) {
  main().catch((err) => {
    console.error(`bench/jobs-throughput: ${err.stack ?? err}`);
    process.exitCode = 1;
  });
}
