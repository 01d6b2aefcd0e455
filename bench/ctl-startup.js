#!/usr/bin/env node
// Benchmark (not a test): `tunasynctl list --all` should answer in about the time Node itself
// takes to start (SPEC §8; goal: at most 2× `node -e 0`).
// Build first: `npx nx run-many -t build -p @tunasync/ctl @tunasync/manager @tunasync/test-utils`,
// then `node bench/ctl-startup.js [--runs N] [--jobs N] [--url http://HOST:PORT]`.
// Without --url it starts a real manager (test-utils `startManagerProcess`) on a free loopback
// port and seeds it over HTTP with one worker and --jobs statuses; with --url it only reads
// from that manager. Prints the median and best wall times of both and their ratio, for two
// set-ups: no ctl.conf at all (manager given by flags), and the usual admin set-up where
// ~/.config/tunasync/ctl.conf names the manager (which makes tunasynctl parse and validate it).
'use strict';

const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const CTL = process.env.CTL_BIN || join(__dirname, '..', 'apps', 'ctl', 'bin', 'tunasynctl.js');

function wallMs(args, home = '/nonexistent') {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return { ms, stdout: result.stdout };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], best: sorted[0] };
}

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
}

async function startSeededManager(jobs) {
  let startManagerProcess;
  try {
    ({ startManagerProcess } = require('@tunasync/test-utils'));
  } catch (err) {
    throw new Error(`cannot load @tunasync/test-utils (build it first): ${err.message}`);
  }
  if (typeof startManagerProcess !== 'function') {
    throw new Error(
      '@tunasync/test-utils has no startManagerProcess yet: pass --url of a running manager',
    );
  }
  const manager = await startManagerProcess();
  const worker = 'bench-worker';
  await post(`${manager.url}/workers`, { id: worker, url: 'http://127.0.0.1:1/' });
  for (let i = 0; i < jobs; i += 1) {
    const name = `mirror-${String(i).padStart(4, '0')}`;
    await post(`${manager.url}/workers/${worker}/jobs/${name}`, {
      name,
      worker,
      is_master: true,
      status: 'success',
      upstream: `rsync://upstream.example/${name}/`,
      size: '1.2G',
    });
  }
  return manager;
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '30' },
      jobs: { type: 'string', default: '100' },
      url: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const manager = values.url ? undefined : await startSeededManager(Number(values.jobs));
  const url = new URL(values.url ?? manager.url);
  const home = mkdtempSync(join(tmpdir(), 'ctl-bench-home-'));
  try {
    mkdirSync(join(home, '.config', 'tunasync'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'tunasync', 'ctl.conf'),
      `manager_addr = "${url.hostname}"\nmanager_port = ${url.port}\n`,
    );
    const setups = [
      [
        'no ctl.conf, -m/-p flags',
        [CTL, 'list', '--all', '-m', url.hostname, '-p', url.port],
        '/nonexistent',
      ],
      ['~/.config/tunasync/ctl.conf', [CTL, 'list', '--all'], home],
    ];
    const samples = setups.map(() => []);
    const node = [];
    let listed = 0;
    for (const [, args, h] of setups) listed = JSON.parse(wallMs(args, h).stdout).length; // warm-up
    for (let i = 0; i < runs; i += 1) {
      // Interleaved, so all see the same machine load.
      node.push(wallMs(['-e', '0']).ms);
      setups.forEach(([, args, h], k) => samples[k].push(wallMs(args, h).ms));
    }
    const n = stats(node);
    console.log(`runs: ${runs}, jobs listed: ${listed}, manager: ${url.origin}`);
    console.log(
      `${'node -e 0'.padEnd(48)} median ${n.median.toFixed(1)} ms, best ${n.best.toFixed(1)} ms`,
    );
    let over = false;
    setups.forEach(([label], k) => {
      const c = stats(samples[k]);
      const ratio = c.median / n.median;
      over ||= ratio > 2;
      console.log(
        `${`tunasynctl list --all (${label})`.padEnd(48)} median ${c.median.toFixed(1)} ms, best ${c.best.toFixed(1)} ms, ${ratio.toFixed(2)}× ${ratio <= 2 ? 'OK' : 'OVER'} (goal ≤ 2×)`,
      );
    });
    process.exitCode = over ? 1 : 0;
  } finally {
    rmSync(home, { recursive: true, force: true });
    if (manager) await manager.stop();
  }
}

main().catch((err) => {
  console.error(`bench/ctl-startup: ${err.message}`);
  process.exitCode = 1;
});
