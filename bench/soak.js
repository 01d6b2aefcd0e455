#!/usr/bin/env node
// Soak run (not a test): long runs do not grow memory, file descriptors or processes
// (SPEC §8). Build first: `npm run build`, then `node bench/soak.js [--rounds N]`. Needs rsync.
//
// The built manager and worker (real processes, real LevelDB, a real rsync daemon on
// 127.0.0.1). Each round, through the manager's /cmd as tunasynctl sends it: a `command`
// mirror runs to success, an `rsync` mirror runs to success, and a slow `command` mirror is
// started and then stopped in the middle of its run (the kill path), then started again and
// stopped. After every round, once the worker is idle, the bench samples both daemons:
// resident memory (VmRSS), open file descriptors (/proc/PID/fd) and the worker's descendant
// processes. After a warm-up of a third of the rounds, it compares the two halves of the rest.
// Goals: no descendant process left between rounds, the same number of file descriptors at
// the end as after the warm-up, and resident memory grown by less than 10 %.
'use strict';

const { readFileSync, readdirSync } = require('node:fs');
const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { sendCommand, startWorker, workerStatuses } = require('./worker-process');

const WORKER = 'soak-worker';

function rssKiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line[1]);
}

function fdCount(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Pids of every descendant of `pid` (from /proc/*\/stat parent links). */
function descendants(pid) {
  const parent = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [];
    for (const [child, ppid] of parent) if (frontier.includes(ppid)) next.push(child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '600' } } });
  const rounds = Number(values.rounds);
  const {
    requireTool,
    startManagerProcess,
    startRsyncDaemon,
    writeTree,
  } = require('@tunasync/test-utils');
  requireTool('rsync', 'apt-get install -y rsync');

  const dir = await mkdtemp(join(tmpdir(), 'soak-'));
  let daemon;
  let manager;
  let worker;
  try {
    await writeTree(join(dir, 'upstream'), {
      README: 'soak\n',
      'pool/a.deb': 'a'.repeat(40_000),
      'dists/stable/Release': 'Suite: stable\n',
    });
    daemon = await startRsyncDaemon({ modules: [{ name: 'pub', path: join(dir, 'upstream') }] });
    manager = await startManagerProcess();
    worker = await startWorker({
      dir,
      name: WORKER,
      managerUrl: manager.url,
      concurrent: 4,
      mirrors: `[[mirrors]]
name = "cmd"
provider = "command"
upstream = "https://example.org/cmd/"
command = "sh -c 'echo Total size: 1.5M; ls > /dev/null'"
size_pattern = "Total size: ([0-9.]+[KMGT]?)"

[[mirrors]]
name = "sync"
provider = "rsync"
upstream = "${daemon.url('pub')}"

[[mirrors]]
name = "slow"
provider = "command"
upstream = "https://example.org/slow/"
command = "sh -c 'sleep 30 & sleep 30'"
`,
    });
    const statuses = () => workerStatuses(manager.url, WORKER);
    const waitFor = async (name, check, what) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.log()}`);
        const s = (await statuses()).find((x) => x.name === name);
        if (s && check(s)) return s;
        if (Date.now() > deadline)
          throw new Error(`${name}: ${what} not reached:\n${worker.log()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const cmd = (verb, mirror) => sendCommand(manager.url, verb, mirror, WORKER);
    const runToSuccess = async (name) => {
      const before = (await statuses()).find((x) => x.name === name)?.last_ended;
      await cmd('start', name);
      await waitFor(name, (s) => s.status === 'success' && s.last_ended !== before, 'success');
    };
    const startThenStop = async () => {
      await cmd('start', 'slow');
      await waitFor('slow', (s) => s.status === 'syncing', 'syncing');
      await cmd('stop', 'slow');
      await waitFor('slow', (s) => s.status === 'paused', 'paused');
    };

    // Start-up: the first runs of every mirror, then stop the slow one.
    await waitFor('cmd', (s) => s.status === 'success', 'first success');
    await waitFor('sync', (s) => s.status === 'success', 'first success');
    await waitFor('slow', (s) => s.status === 'syncing', 'first run');
    await cmd('stop', 'slow');
    await waitFor('slow', (s) => s.status === 'paused', 'paused');

    const samples = [];
    const started = Date.now();
    for (let round = 1; round <= rounds; round += 1) {
      await runToSuccess('cmd');
      await runToSuccess('sync');
      await startThenStop();
      await startThenStop();
      // Let the reports and schedules drain, then sample.
      await new Promise((r) => setTimeout(r, 100));
      samples.push({
        worker: {
          rss: rssKiB(worker.child.pid),
          fds: fdCount(worker.child.pid),
          procs: descendants(worker.child.pid).length,
        },
        manager: { rss: rssKiB(manager.child.pid), fds: fdCount(manager.child.pid) },
      });
      if (round % Math.max(1, Math.floor(rounds / 10)) === 0) {
        const s = samples[samples.length - 1];
        console.log(
          `round ${round}: worker rss ${(s.worker.rss / 1024).toFixed(1)} MiB, ${s.worker.fds} fds, ${s.worker.procs} descendants; manager rss ${(s.manager.rss / 1024).toFixed(1)} MiB, ${s.manager.fds} fds`,
        );
      }
    }

    // The first third warms up (V8 grows its heaps to their working size); the rest is split
    // in two halves that are compared.
    const settled = samples.slice(Math.floor(rounds / 3));
    const warm = settled.slice(0, Math.floor(settled.length / 2));
    const end = settled.slice(Math.floor(settled.length / 2));
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    let ok = true;
    const check = (label, pass, text) => {
      ok &&= pass;
      console.log(`${label.padEnd(30)} ${text}: ${pass ? 'PASS' : 'FAIL'}`);
    };
    console.log(
      `${rounds} rounds (${rounds * 2} syncs to success, ${rounds * 2} stopped runs) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    for (const who of ['worker', 'manager']) {
      const a = med(warm.map((s) => s[who].rss));
      const b = med(end.map((s) => s[who].rss));
      check(
        `${who} resident memory`,
        b < a * 1.1,
        `${(a / 1024).toFixed(1)} → ${(b / 1024).toFixed(1)} MiB (goal < +10 %)`,
      );
      // Keep-alive sockets come and go: compare the highest counts of both windows.
      const fa = Math.max(...warm.map((s) => s[who].fds));
      const fb = Math.max(...end.map((s) => s[who].fds));
      check(`${who} file descriptors`, fb <= fa, `${fa} → at most ${fb} (goal: no growth)`);
    }
    const leftover = Math.max(...samples.map((s) => s.worker.procs));
    check(
      'worker descendant processes',
      leftover === 0,
      `at most ${leftover} between rounds (goal 0)`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await worker?.stop();
    await manager?.stop();
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/soak: ${err.stack ?? err}`);
  process.exitCode = 1;
});
