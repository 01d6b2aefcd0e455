#!/usr/bin/env node
// Benchmark (not a test): the manager at site scale, 100,000 statuses (issue #16, point 3).
// Build first (`npx nx run-many -t build`), then
// `node bench/manager-scale.js [--statuses N] [--seconds S]`.
//
// On a LevelDB seeded with N statuses over 10 workers, the built manager (test-utils
// `startManagerProcess`):
// - start-up: from the spawn to the first answer of `/ping` (the database opened, every status
//   read and the /jobs snapshot built); goal ≤ 3 s;
// - `GET /jobs` against a bare `node:http` server sending the same bytes (jobs-throughput.js's
//   `load`, 8 keep-alive connections, S seconds, twice each, alternating); goal ≥ 0.8×;
// - `GET /metrics` and `GET /` (the status page), each timed right after a report changed a
//   status (so rendered, not answered from a cache); goal ≤ 500 ms each;
// - the manager's RSS after all that; goal ≤ 400 MB.
'use strict';

const { mkdtemp, rm, writeFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { rssMb } = require('./proc-stats');
const { load, seed, startStaticServer } = require('./jobs-throughput');

const GOALS = { startupMs: 3000, jobsRatio: 0.8, renderMs: 500, rssMb: 400 };

async function report(url, i, status) {
  const worker = `worker-${i % 10}`;
  const name = `mirror-${String(i).padStart(5, '0')}`;
  const res = await fetch(`${url}/workers/${worker}/jobs/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, worker, is_master: true, status, upstream: 'x', size: '2G' }),
  });
  if (res.status !== 200) throw new Error(`report of ${name}: ${res.status}`);
  await res.arrayBuffer();
}

/** Milliseconds to the whole answer of GET `path`, after a report changed a status. */
async function renderMs(url, path, i) {
  await report(url, i, i % 2 === 0 ? 'syncing' : 'failed');
  const started = process.hrtime.bigint();
  const res = await fetch(`${url}${path}`);
  const bytes = (await res.arrayBuffer()).byteLength;
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, bytes };
}

async function main() {
  const { values } = parseArgs({
    options: {
      statuses: { type: 'string', default: '100000' },
      seconds: { type: 'string', default: '5' },
    },
  });
  const statuses = Number(values.statuses);
  const seconds = Number(values.seconds);
  const { startManagerProcess } = require('@tunasync/test-utils');

  const dir = await mkdtemp(join(tmpdir(), 'manager-scale-bench-'));
  const stops = [];
  try {
    const dbDir = join(dir, 'db');
    await seed(dbDir, statuses);
    const spawned = Date.now();
    const manager = await startManagerProcess({ dbDir, timeoutMs: 60_000 });
    const startupMs = Date.now() - spawned;
    stops.push(() => manager.stop());
    const pid = manager.child.pid;

    const body = Buffer.from(await (await fetch(`${manager.url}/jobs`)).arrayBuffer());
    const bodyFile = join(dir, 'jobs.json');
    await writeFile(bodyFile, body);
    const baseline = await startStaticServer(bodyFile);
    stops.push(() => baseline.stop());
    const rounds = { manager: [], baseline: [] };
    for (let round = 0; round < 2; round += 1) {
      rounds.baseline.push(await load(baseline.url, '/', 8, seconds, body.length));
      rounds.manager.push(await load(manager.url, '/jobs', 8, seconds, body.length));
    }
    const renders = { metrics: [], page: [] };
    for (let i = 0; i < 3; i += 1) {
      renders.metrics.push(await renderMs(manager.url, '/metrics', 2 * i));
      renders.page.push(await renderMs(manager.url, '/', 2 * i + 1));
    }
    const rss = rssMb(pid);

    const ratio = Math.max(...rounds.manager) / Math.max(...rounds.baseline);
    const worst = (xs) => Math.max(...xs.map((r) => r.ms));
    const mib = (n) => (n / 1024 / 1024).toFixed(1);
    const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
    const checks = [
      [
        `start-up to /ping: ${startupMs} ms (goal ≤ ${GOALS.startupMs} ms)`,
        startupMs <= GOALS.startupMs,
      ],
      [
        `GET /jobs (${mib(body.length)} MiB): ${rounds.manager.map((x) => x.toFixed(1)).join(', ')} req/s; static body ${rounds.baseline.map((x) => x.toFixed(1)).join(', ')} req/s: ${ratio.toFixed(2)}× (goal ≥ ${GOALS.jobsRatio}×)`,
        ratio >= GOALS.jobsRatio,
      ],
      [
        `GET /metrics after a change (${mib(renders.metrics[0].bytes)} MiB): ${renders.metrics.map((r) => r.ms.toFixed(0)).join(', ')} ms (goal ≤ ${GOALS.renderMs} ms)`,
        worst(renders.metrics) <= GOALS.renderMs,
      ],
      [
        `GET / after a change (${mib(renders.page[0].bytes)} MiB): ${renders.page.map((r) => r.ms.toFixed(0)).join(', ')} ms (goal ≤ ${GOALS.renderMs} ms)`,
        worst(renders.page) <= GOALS.renderMs,
      ],
      [`manager RSS: ${rss.toFixed(0)} MB (goal ≤ ${GOALS.rssMb} MB)`, rss <= GOALS.rssMb],
    ];
    console.log(`${statuses} statuses over 10 workers`);
    for (const [line, ok] of checks) console.log(`${line}: ${verdict(ok)}`);
    process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/manager-scale: ${err.stack ?? err}`);
  process.exitCode = 1;
});
