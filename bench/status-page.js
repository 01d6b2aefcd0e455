#!/usr/bin/env node
// Benchmark (not a test): the status page (`GET /`) at 10,000 mirrors against the same page
// at 100 mirrors, in one run (issue #15). Build first (`npx nx run-many -t build -p
// @tunasync/manager @tunasync/store @tunasync/test-utils`), then `node bench/status-page.js
// [--statuses N] [--rounds R]`. Needs Debian's chromium (apt-get install chromium).
//
// Two built managers (test-utils `startManagerProcess`) on LevelDBs seeded with N and 100
// statuses (bench/jobs-throughput.js's `seedStore`: 10 workers, 1 in 17 failed). In a
// headless chromium (playwright-core, a fresh profile), R rounds each, alternating:
// - load: from `goto` to the table's first page rendered (`#count` says "N mirrors");
// - search: typing a mirror's name into the search box until the table shows it;
// - sort: a click on the Size header until the next frame after it sorted and rendered.
// Printed: the page's HTML bytes, the data's bytes (`/jobs?with_worker=1`), rows in the DOM,
// and the best round of each. Goal: at N mirrors the load takes at most 4× the time at 100
// (the table is paginated, 100 rows a page, so only fetching and parsing the data grows).
'use strict';

const { parseArgs } = require('node:util');
const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { seed } = require('./jobs-throughput');

const GOAL_RATIO = 4;

async function measure(context, url, statuses) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  await page.setViewportSize({ width: 1280, height: 900 });
  const t0 = performance.now();
  await page.goto(`${url}/`);
  await page.waitForFunction(
    (n) => document.getElementById('count')?.textContent === `${n} mirrors`,
    statuses,
    { timeout: 60_000, polling: 'raf' },
  );
  const load = performance.now() - t0;
  const rows = await page.$$eval('#mirrors > tbody > tr', (els) => els.length);
  const wanted = `mirror-${String(statuses - 1).padStart(5, '0')}`;
  const t1 = performance.now();
  await page.fill('#q', wanted);
  await page.waitForFunction(
    (name) => {
      const names = [...document.querySelectorAll('#mirrors .name')].map((e) => e.textContent);
      return names.length === 1 && names[0] === name;
    },
    wanted,
    { polling: 'raf' },
  );
  const search = performance.now() - t1;
  await page.fill('#q', '');
  await page.waitForFunction(
    (n) => document.getElementById('count')?.textContent === `${n} mirrors`,
    statuses,
    {
      polling: 'raf',
    },
  );
  const t2 = performance.now();
  // The click's handler sorts and renders synchronously: the next frame shows the result.
  await page.click('#mirrors thead th:nth-child(6) button');
  await page.waitForFunction(
    () =>
      document.querySelector('#mirrors thead th:nth-child(6)')?.getAttribute('aria-sort') ===
      'ascending',
    undefined,
    { polling: 'raf' },
  );
  const sort = performance.now() - t2;
  await page.close();
  if (errors.length > 0) throw new Error(`console errors: ${errors.join('; ')}`);
  return { load, search, sort, rows };
}

async function sizes(url) {
  const html = Buffer.byteLength(await (await fetch(`${url}/`)).text());
  const data = (await (await fetch(`${url}/jobs?with_worker=1`)).arrayBuffer()).byteLength;
  return { html, data };
}

const ms = (x) => `${x.toFixed(0)} ms`;
const kib = (x) => `${(x / 1024).toFixed(1)} KiB`;

async function main() {
  const { values } = parseArgs({
    options: {
      statuses: { type: 'string', default: '10000' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const statuses = Number(values.statuses);
  const rounds = Number(values.rounds);
  const {
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    startManagerProcess,
    requireTool,
  } = require('@tunasync/test-utils');
  const { chromium } = require('playwright-core');
  requireTool(CHROMIUM_PATH, 'apt-get install chromium');
  const dir = await mkdtemp(join(tmpdir(), 'bench-status-page-'));
  const managers = [];
  let context;
  try {
    const sides = [];
    for (const n of [statuses, 100]) {
      const dbDir = join(dir, `db-${n}`);
      await seed(dbDir, n);
      const manager = await startManagerProcess({ dbDir, timeoutMs: 60_000 });
      managers.push(manager);
      sides.push({ n, url: manager.url, runs: [], ...(await sizes(manager.url)) });
    }
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    for (let r = 0; r < rounds; r++) {
      for (const side of sides) side.runs.push(await measure(context, side.url, side.n));
    }
    const best = (side, key) => Math.min(...side.runs.map((run) => run[key]));
    for (const side of sides) {
      console.log(
        `${side.n} mirrors: page ${kib(side.html)} + data ${kib(side.data)}, ${side.runs[0].rows} rows in the DOM; ` +
          `load ${ms(best(side, 'load'))}, search ${ms(best(side, 'search'))}, sort ${ms(best(side, 'sort'))}`,
      );
    }
    const ratio = best(sides[0], 'load') / best(sides[1], 'load');
    const ok = ratio <= GOAL_RATIO;
    console.log(
      `load at ${statuses} / at 100 mirrors: ${ratio.toFixed(2)}× (goal ≤ ${GOAL_RATIO}×) ${ok ? 'ok' : 'MISSED'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await context?.close();
    await Promise.all(managers.map((m) => m.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/status-page: ${err.stack ?? err}`);
  process.exitCode = 1;
});
