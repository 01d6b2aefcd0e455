#!/usr/bin/env node
// Benchmark (not a test): the worker adds under 5 % wall time over the bare rsync it runs
// (SPEC §8). Build first: `npm run build`, then
// `node bench/worker-overhead.js [--files N] [--kib N] [--rounds N] [--dir DIR]`. Needs rsync.
//
// A real rsync daemon on 127.0.0.1 serves a generated tree (N files of about K KiB in 100
// directories). Each round, alternating:
// - bare: `rsync` with the exact argv the rsync provider builds, into an empty directory,
//   its output into a log file as a cron job's would be (the worker keeps rsync's log too),
//   timed from spawn to exit;
// - worker: the built `tunasync-worker` (with the real manager) syncs the same tree into its
//   emptied mirror directory after a `start` command; the time is the manager's
//   `last_ended − last_started` of that run, i.e. from the worker's `pre-syncing` report to
//   its `success` report: hooks, log rotation, the rsync, size extraction and reporting.
// The figure is the ratio of the medians. Everything (upstream, mirror, logs, the worker's
// state) lives in --dir, by default the tmpfs /dev/shm: on a disk, the writeback of the 65 MB
// each run writes makes single runs vary by 4× and drowns what is measured here.
'use strict';

const { spawn } = require('node:child_process');
const { closeSync, existsSync, openSync } = require('node:fs');
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

/** Runs `argv` with stdout and stderr into `logFile` (as from cron: `>log 2>&1`); ms taken. */
function run(argv, logFile) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const fd = openSync(logFile, 'w');
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${argv[0]} exited with ${code}: see ${logFile}`));
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
      files: { type: 'string', default: '20000' },
      kib: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '7' },
      dir: { type: 'string', default: existsSync('/dev/shm') ? '/dev/shm' : tmpdir() },
    },
  });
  const { requireTool, startManagerProcess, startRsyncDaemon } = require('@tunasync/test-utils');
  const { RsyncProvider } = require('@tunasync/providers');
  requireTool('rsync', 'apt-get install -y rsync');

  const dir = await mkdtemp(join(values.dir, 'worker-overhead-'));
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
    const bareRun = async () => {
      await rm(bareDest, { recursive: true, force: true });
      bare.push(await run(argv, join(dir, 'bare.log')));
    };
    const workerRun = async () => {
      await rm(join(mirrorDir, 'bench'), { recursive: true, force: true });
      await sendCommand(manager.url, 'start', 'bench', WORKER);
      last = await waitForRun(manager, last.last_ended, worker);
      viaWorker.push(Date.parse(last.last_ended) - Date.parse(last.last_started));
    };
    for (let round = 0; round < Number(values.rounds); round += 1) {
      // Alternate which goes first, so that neither always follows the other's writes.
      if (round % 2 === 0) {
        await bareRun();
        await workerRun();
      } else {
        await workerRun();
        await bareRun();
      }
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
