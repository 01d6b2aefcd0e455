#!/usr/bin/env node
// Benchmark (not a test): the worker adds under 5 % wall time over the bare rsync it runs
// (SPEC §8). Build first: `npm run build`, then
// `node bench/worker-overhead.js [--files N] [--kib N] [--rounds N]`. Needs rsync.
//
// A real rsync daemon on 127.0.0.1 serves a generated tree (N files of about K KiB in 100
// directories). Each round, alternating:
// - bare: `rsync` with the exact argv the rsync provider builds, into an empty directory,
//   timed from spawn to exit;
// - worker: the built `tunasync-worker` (with the real manager) syncs the same tree into its
//   emptied mirror directory after a `start` command; the time is the manager's
//   `last_ended − last_started` of that run, i.e. from the worker's `pre-syncing` report to
//   its `success` report: hooks, log rotation, the rsync, size extraction and reporting.
// The figure is the ratio of the medians.
'use strict';

const { spawn } = require('node:child_process');
const { mkdir, mkdtemp, rm, writeFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { sendCommand, startWorker, workerStatuses } = require('./worker-process');

const GOAL = 1.05;
const WORKER = 'bench-worker';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function run(program, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${program} exited with ${code}: ${stderr}`));
    });
  });
}

async function generateTree(root, files, kib) {
  for (let d = 0; d < 100; d += 1) await mkdir(join(root, `d${d}`), { recursive: true });
  for (let i = 0; i < files; i += 1) {
    const size = Math.max(1, Math.round(kib * 1024 * (0.5 + ((i * 7919) % 100) / 100)));
    await writeFile(join(root, `d${i % 100}`, `f${i}.bin`), Buffer.alloc(size, i % 251));
  }
}

async function waitForRun(manager, after, worker) {
  for (;;) {
    if (worker.child.exitCode !== null) {
      throw new Error(`tunasync-worker exited with ${worker.child.exitCode}:\n${worker.log()}`);
    }
    const status = (await workerStatuses(manager.url, WORKER)).find((s) => s.name === 'bench');
    if (status && status.status === 'failed' && status.last_ended !== after) {
      throw new Error(`the worker's sync failed: ${status.error_msg}`);
    }
    if (status && status.status === 'success' && status.last_ended !== after) return status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '4000' },
      kib: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '5' },
    },
  });
  const { requireTool, startManagerProcess, startRsyncDaemon } = require('@tunasync/test-utils');
  const { RsyncProvider } = require('@tunasync/providers');
  requireTool('rsync', 'apt-get install -y rsync');

  const dir = await mkdtemp(join(tmpdir(), 'worker-overhead-'));
  let daemon;
  let manager;
  let worker;
  try {
    const upstreamDir = join(dir, 'upstream');
    await generateTree(upstreamDir, Number(values.files), Number(values.kib));
    daemon = await startRsyncDaemon({ modules: [{ name: 'bench', path: upstreamDir }] });
    manager = await startManagerProcess();
    const mirrorDir = join(dir, 'mirrors');
    worker = await startWorker({
      dir,
      name: WORKER,
      managerUrl: manager.url,
      concurrent: 1,
      mirrors: `[[mirrors]]
name = "bench"
provider = "rsync"
upstream = "${daemon.url('bench')}"
`,
    });
    let last = await waitForRun(manager, undefined, worker); // the first sync, at start-up

    const bareDest = join(dir, 'bare');
    const argv = new RsyncProvider({
      name: 'bench',
      upstream: daemon.url('bench'),
      workingDir: bareDest,
      logDir: join(dir, 'bare-log'),
      interval: 1440,
      retry: 1,
      timeout: 0,
    }).argv();

    const bare = [];
    const viaWorker = [];
    for (let round = 0; round < Number(values.rounds); round += 1) {
      await rm(bareDest, { recursive: true, force: true });
      bare.push(await run(argv[0], argv.slice(1)));

      await rm(join(mirrorDir, 'bench'), { recursive: true, force: true });
      await sendCommand(manager.url, 'start', 'bench', WORKER);
      last = await waitForRun(manager, last.last_ended, worker);
      viaWorker.push(Date.parse(last.last_ended) - Date.parse(last.last_started));
    }

    const b = median(bare);
    const w = median(viaWorker);
    const ratio = w / b;
    const fmt = (xs) => xs.map((x) => `${x.toFixed(0)}`).join(', ');
    console.log(
      `${values.files} files of about ${values.kib} KiB, full sync each round (${last.size})`,
    );
    console.log(`bare rsync (ms)              ${fmt(bare)}  median ${b.toFixed(0)}`);
    console.log(`through tunasync-worker (ms) ${fmt(viaWorker)}  median ${w.toFixed(0)}`);
    console.log(`ratio: ${ratio.toFixed(3)}× (goal < ${GOAL}×): ${ratio < GOAL ? 'PASS' : 'FAIL'}`);
    process.exitCode = ratio < GOAL ? 0 : 1;
  } finally {
    await worker?.stop();
    await manager?.stop();
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/worker-overhead: ${err.stack ?? err}`);
  process.exitCode = 1;
});
