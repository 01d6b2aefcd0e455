#!/usr/bin/env node
// Benchmark (not a test): the built worker with 1,000 command mirrors (issue #16, point 4).
// Build first (`npx nx run-many -t build`), then `node bench/worker-scale.js [--mirrors N]`.
//
// One built manager (test-utils `startManagerProcess`) and one built worker
// (worker-process.js, `concurrent = 20`, `interval` a day) with N command mirrors, all due at
// once at start. Each run appends `+` to a shared file when it starts and `-` when it ends
// (`O_APPEND`), so the file tells how many ran at once. Measured:
// - start-up: from the spawn to the worker's `worker started with N mirror(s)` line
//   (registered with the manager, every mirror scheduled); goal ≤ 3 s;
// - every mirror at `success`, never more than 20 runs at once;
// - idle, 10 s after the last run: RSS (goal ≤ 100 MB) and CPU (goal ≤ 1 % of a core, from
//   /proc), against a bare `node -e` process idling the same 10 s (Node's own figures);
// - a reload (SIGHUP) after one mirror's command changed: from the signal to the worker's
//   `reloaded … 1 changed` line; goal ≤ 1 s.
'use strict';

const { spawn } = require('node:child_process');
const { mkdtemp, readFile, rm, writeFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { cpuSeconds, rssMb } = require('./proc-stats');
const { startWorker, workerStatuses } = require('./worker-process');

const GOALS = { startupMs: 3000, rssMb: 100, cpuPercent: 1, reloadMs: 1000, concurrent: 20 };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS and CPU % of `pid` over `ms` of idling. */
async function idle(pid, ms) {
  const before = cpuSeconds(pid);
  await sleep(ms);
  return { rss: rssMb(pid), cpu: ((cpuSeconds(pid) - before) / (ms / 1000)) * 100 };
}

async function waitFor(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** The most runs at once that the `+`/`-` file shows. */
function mostAtOnce(text) {
  let running = 0;
  let most = 0;
  for (const ch of text) {
    if (ch === '+') running += 1;
    else if (ch === '-') running -= 1;
    most = Math.max(most, running);
  }
  return most;
}

async function main() {
  const { values } = parseArgs({ options: { mirrors: { type: 'string', default: '1000' } } });
  const count = Number(values.mirrors);
  const { startManagerProcess } = require('@tunasync/test-utils');
  const dir = await mkdtemp(join(tmpdir(), 'worker-scale-bench-'));
  const stops = [];
  try {
    const manager = await startManagerProcess({});
    stops.push(() => manager.stop());
    const runs = join(dir, 'runs');
    await writeFile(runs, '');
    const command = (tag) =>
      `sh -c 'echo -n + >> ${runs}; sleep 0.05; echo -n - >> ${runs}; echo ${tag}'`;
    const mirrors = Array.from(
      { length: count },
      (_, i) => `[[mirrors]]
name = "m${i}"
provider = "command"
upstream = "https://example.org/m${i}/"
command = "${command('a')}"
`,
    ).join('\n');
    const spawned = Date.now();
    const worker = await startWorker({
      dir,
      name: 'scale',
      managerUrl: manager.url,
      concurrent: GOALS.concurrent,
      mirrors,
    });
    stops.push(() => worker.stop());
    const pid = worker.child.pid;
    // Registered, the start-up plan applied and every mirror scheduled: the worker says so.
    let startupMs;
    let tail = ''; // the newest 4 KiB of the worker's log, and what was said since `said = ''`
    let said = '';
    worker.child.stderr.on('data', (d) => {
      tail = (tail + d).slice(-4096);
      said = (said + d).slice(-65536);
      if (startupMs === undefined && tail.includes(`worker started with ${count} mirror(s)`)) {
        startupMs = Date.now() - spawned;
      }
    });
    await waitFor('the worker started', 60_000, () => startupMs !== undefined);
    await waitFor('every mirror at success', 600_000, async () => {
      const statuses = await workerStatuses(manager.url, 'scale');
      return statuses.length >= count && statuses.every((s) => s.status === 'success');
    });
    const allDoneMs = Date.now() - spawned;
    const atOnce = mostAtOnce(await readFile(runs, 'utf8'));
    const started = (await readFile(runs, 'utf8')).split('+').length - 1;

    await sleep(10_000);
    const settled = await idle(pid, 10_000);
    const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)']);
    await sleep(1000);
    const node = await idle(bare.pid, 10_000);
    bare.kill();

    // A reload that changes one mirror.
    const conf = join(dir, 'worker.conf');
    const text = await readFile(conf, 'utf8');
    const changed = text.replace('https://example.org/m0/', 'https://example.org/m0-moved/');
    await writeFile(conf, changed);
    said = '';
    const signalled = process.hrtime.bigint();
    worker.child.kill('SIGHUP');
    const line = await waitFor('the reload line', 30_000, () => {
      const m = /reloaded [^\n]*: \d+ added, \d+ changed[^\n]*/.exec(said);
      return m ? m[0] : undefined;
    });
    const reloadMs = Number(process.hrtime.bigint() - signalled) / 1e6;

    const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
    const checks = [
      [
        `start-up to all ${count} registered and scheduled: ${startupMs} ms (goal ≤ ${GOALS.startupMs} ms)`,
        startupMs <= GOALS.startupMs,
      ],
      [
        `all ${count} at success after ${(allDoneMs / 1000).toFixed(1)} s; ${started} runs, at most ${atOnce} at once (concurrent = ${GOALS.concurrent})`,
        atOnce <= GOALS.concurrent && started >= count,
      ],
      [
        `idle RSS ${settled.rss.toFixed(0)} MB (bare node ${node.rss.toFixed(0)} MB; goal ≤ ${GOALS.rssMb} MB)`,
        settled.rss <= GOALS.rssMb,
      ],
      [
        `idle CPU ${settled.cpu.toFixed(2)} % (bare node ${node.cpu.toFixed(2)} %; goal ≤ ${GOALS.cpuPercent} %)`,
        settled.cpu <= GOALS.cpuPercent,
      ],
      [
        `reload of one mirror: ${reloadMs.toFixed(0)} ms to "${line}" (goal ≤ ${GOALS.reloadMs} ms)`,
        reloadMs <= GOALS.reloadMs && / 0 added, 1 changed/.test(line),
      ],
    ];
    for (const [label, ok] of checks) console.log(`${label}: ${verdict(ok)}`);
    process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/worker-scale: ${err.stack ?? err}`);
  process.exitCode = 1;
});
