/// <reference lib="dom" />
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { SyncStatus } from '@tunasync/api-types';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  commandWorkerConf,
  requireTool,
  startWorkerProcess,
  TempDirs,
  writeGrowingLogScript,
} from '@tunasync/test-utils';
import type { GrowingLog, WorkerProcess } from '@tunasync/test-utils';
import { report, startTestManager, TestClock } from './helpers';
import type { TestManager } from './helpers';

/*
 * The status page in a real browser (Debian's chromium, driven by playwright-core), on a
 * real manager seeded with ~40 mirrors of every status and a real worker process whose
 * command mirror writes a growing log. Screenshots go to apps/manager/test-artifacts/.
 */

jest.setTimeout(120_000);

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const dirs = new TempDirs();
let manager: TestManager;
let worker: WorkerProcess;
let context: BrowserContext;
let grow: GrowingLog | undefined;
/** What the seeding made, to compare the page with. */
const seeded = { failed: [] as string[], stale: [] as string[], offline: [] as string[] };

const STATUSES: SyncStatus[] = [
  'success',
  'failed',
  'syncing',
  'pre-syncing',
  'paused',
  'disabled',
  'none',
];

async function post(path: string, body: unknown): Promise<void> {
  const r = await manager.post(path, body);
  if (r.status !== 200) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
}

async function seed(): Promise<void> {
  const m = manager;
  // A worker that will be offline: registered, then not heard from for 11 minutes.
  await post('/workers', { id: 'gone', url: 'http://127.0.0.1:9/' });
  await post('/workers/gone/jobs/orphan', report('gone', 'orphan', 'success'));
  seeded.offline.push('orphan');
  m.clock.advance(11 * 60_000);
  await post('/workers', { id: 'seed', url: 'http://127.0.0.1:9/' });
  await post('/workers', { id: 'seed2', url: 'http://127.0.0.1:9/' });
  // A mirror with a run history: five runs of growing length and size, one failed.
  for (let i = 1; i <= 5; i++) {
    await post('/workers/seed/jobs/history-demo', report('seed', 'history-demo', 'pre-syncing'));
    await post('/workers/seed/jobs/history-demo', report('seed', 'history-demo', 'syncing'));
    m.clock.advance(i * 60_000);
    const failed = i === 3;
    await post(
      '/workers/seed/jobs/history-demo',
      report('seed', 'history-demo', failed ? 'failed' : 'success', {
        size: `${i}.5G`,
        error_msg: failed ? 'rsync error: timeout in data send/receive (code 30)' : '',
      }),
    );
  }
  // Six mirrors of every status on two workers, with upstreams long enough to wrap.
  for (const status of STATUSES) {
    for (let i = 0; i < 6; i++) {
      const name = `${status}-mirror-${i}`;
      const id = i % 2 === 0 ? 'seed' : 'seed2';
      const error =
        status === 'failed'
          ? `rsync: [Receiver] failed to connect to rsync.example-upstream-${i}.org (203.0.113.${i}): Connection timed out (110)\nrsync error: error in socket IO (code 10) at clientserver.c(139)`
          : '';
      await post(
        `/workers/${id}/jobs/${name}`,
        report(id, name, status, {
          upstream: `rsync://rsync.a-rather-long-upstream-host-name-${i}.example.org/pub/${name}/`,
          error_msg: error,
          is_master: i !== 1,
          // Two successes of each kind are 2 days old: stale (stale_after = 1 day).
          ...(i >= 3 && status !== 'disabled' ? { observed_ago_ms: 2 * 86400_000 } : {}),
        }),
      );
      if (status === 'failed') seeded.failed.push(name);
    }
  }
  // A size and live progress on a syncing mirror.
  await post('/workers/seed/jobs/syncing-mirror-0/size', { name: 'syncing-mirror-0', size: '10G' });
  await post('/workers/seed/jobs/syncing-mirror-0/progress', {
    name: 'syncing-mirror-0',
    files: 1234,
    bytes: 4_000_000_000,
  });
}

beforeAll(async () => {
  const executablePath = requireTool(CHROMIUM_PATH, 'apt-get install chromium');
  await mkdir(ARTIFACTS, { recursive: true });
  const dir = await dirs.make('status-page-browser-');
  manager = await startTestManager({
    dirs,
    // The seeding advances the clock by 26 minutes: end near the browser's time.
    clock: new TestClock(new Date(Date.now() - 26 * 60_000)),
    config: { publicLogs: true, staleAfter: 86400, workerOfflineAfter: 600 },
  });
  await seed();
  for (const j of (await manager.get('/jobs?with_worker=1')).json as Array<{
    name: string;
    stale: boolean;
  }>) {
    if (j.stale) seeded.stale.push(j.name);
  }
  // A real worker with a real run writing a growing log.
  const growing = await writeGrowingLogScript(dir, 100);
  grow = growing;
  const conf = join(dir, 'worker.conf');
  await writeFile(
    conf,
    commandWorkerConf({
      name: 'real',
      dir,
      managers: [manager.url],
      mirrors: [{ name: 'live-log', command: growing.command }],
    }),
  );
  worker = await startWorkerProcess({ configFile: conf, stateDir: join(dir, 'state') });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const jobs = (await manager.get('/workers/real/jobs')).json as Array<{ status: string }>;
    if (Array.isArray(jobs) && jobs[0]?.status === 'syncing') break;
    if (Date.now() > deadline) throw new Error('the real worker did not start syncing');
    await new Promise((r) => setTimeout(r, 50));
  }
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
});

afterAll(async () => {
  await context?.close();
  await grow?.stop();
  await worker?.stop();
  await manager?.close();
  await dirs.cleanup();
});

/** A page at `width`, failing the test on any console error or uncaught exception. */
async function open(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`${manager.url}/`);
  await page.waitForSelector('#count:has-text("mirrors")');
  return { page, errors };
}

async function names(page: Page): Promise<string[]> {
  return page.$$eval('#mirrors > tbody > tr:not(.detail) .name', (els) =>
    els.map((e) => e.textContent ?? ''),
  );
}

async function summary(page: Page): Promise<Record<string, number>> {
  return page.$$eval('#summary button', (els) =>
    Object.fromEntries(
      els.map((e) => [
        e.getAttribute('data-filter') ?? '',
        Number(e.querySelector('.n')?.textContent ?? NaN),
      ]),
    ),
  );
}

describe.each([1280, 390])('the status page at %i px', (width) => {
  test('summary, filters, search, errors, detail with history and chart, sticky header', async () => {
    const { page, errors } = await open(width);
    const jobs = (await manager.get('/jobs?with_worker=1')).json as Array<{
      name: string;
      status: string;
    }>;
    const total = jobs.length;
    expect(total).toBeGreaterThanOrEqual(40);

    // The summary counts what the API says, failing and stale first.
    const counts = await summary(page);
    const by = (s: string) => jobs.filter((j) => j.status === s).length;
    expect(counts).toMatchObject({
      all: total,
      failed: by('failed'),
      stale: seeded.stale.length,
      offline: seeded.offline.length,
      syncing: by('syncing'),
      success: by('success'),
      none: by('none'),
    });
    const order = await page.$$eval('#summary button', (els) =>
      els.map((e) => e.getAttribute('data-filter')),
    );
    expect(order.slice(0, 4)).toEqual(['all', 'failed', 'stale', 'offline']);
    expect(await names(page)).toHaveLength(total);

    // A failed mirror's error is on its row; the full text on demand.
    const failedRow = page.locator('#mirrors > tbody > tr', { hasText: 'failed-mirror-2' });
    await expect(failedRow.locator('.err summary').textContent()).resolves.toContain(
      'failed to connect to rsync.example-upstream-2.org',
    );
    await failedRow.locator('.err summary').click();
    await expect(failedRow.locator('.err pre').textContent()).resolves.toContain(
      'rsync error: error in socket IO (code 10)',
    );
    expect(await failedRow.locator('.tag.slave').count()).toBe(0);
    const slaveRow = page.locator('#mirrors > tbody > tr', { hasText: 'success-mirror-1' });
    expect(await slaveRow.locator('.tag.slave').count()).toBe(1);
    const offlineRow = page.locator('#mirrors > tbody > tr', { hasText: 'orphan' });
    expect(await offlineRow.locator('.tag.offline').count()).toBe(1);
    const staleRow = page.locator('#mirrors > tbody > tr', { hasText: 'success-mirror-4' });
    expect(await staleRow.locator('.tag.stale').count()).toBe(1);
    expect(await page.locator('progress').count()).toBe(1);

    // Filter by status, then back to all.
    await page.click('#summary button[data-filter="failed"]');
    expect((await names(page)).sort()).toEqual([...seeded.failed].sort());
    await expect(page.textContent('#count')).resolves.toBe(
      `${seeded.failed.length} of ${total} mirrors`,
    );
    await page.click('#summary button[data-filter="stale"]');
    expect((await names(page)).sort()).toEqual([...seeded.stale].sort());
    await page.click('#summary button[data-filter="stale"]');
    expect(await names(page)).toHaveLength(total);

    // Search: by name, by upstream host, by worker.
    await page.fill('#q', 'paused-mirror');
    expect((await names(page)).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `paused-mirror-${i}`));
    await page.fill('#q', 'upstream-host-name-3');
    expect(await names(page)).toHaveLength(STATUSES.length);
    await page.fill('#q', 'example-upstream-4');
    expect(await names(page)).toEqual(['failed-mirror-4']);
    await page.fill('#q', '');

    // Sorting is announced.
    const nameHead = page.locator('#mirrors thead th', { hasText: 'Name' });
    await nameHead.locator('button').click();
    await expect(nameHead.getAttribute('aria-sort')).resolves.toBe('ascending');
    await expect(page.textContent('#sorted')).resolves.toBe('Sorted by Name, ascending');
    expect((await names(page))[0]).toBe('disabled-mirror-0');

    // The detail view: the run history and its chart.
    await page.click('.name:text-is("history-demo")');
    const detail = page.locator('tr.detail');
    await detail.locator('table.hist tbody tr').first().waitFor();
    expect(await detail.locator('table.hist tbody tr').count()).toBe(5);
    expect(await detail.locator('svg.chart rect').count()).toBe(5);
    expect(await detail.locator('svg.chart rect.bar-failed').count()).toBe(1);
    expect(await detail.locator('svg.chart polyline.size').count()).toBe(1);
    await expect(detail.textContent()).resolves.toContain('rsync error: timeout');
    await page.screenshot({ path: join(ARTIFACTS, `status-page-${width}-detail.png`) });
    await page.click('.name:text-is("history-demo")');
    expect(await page.locator('tr.detail').count()).toBe(0);

    // Phones: no sideways scroll.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, `status-page-${width}.png`), fullPage: true });

    // The header stays visible after scrolling down.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(200);
    const top = await page.evaluate(
      () => document.querySelector('header.top')?.getBoundingClientRect().top,
    );
    expect(top).toBe(0);
    expect(await page.isVisible('#summary')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, `status-page-${width}-scrolled.png`) });
    // Dark mode: the browser's preference.
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(dark).toBe('rgb(13, 17, 23)');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, `status-page-${width}-dark.png`) });

    expect(errors).toEqual([]);
    await page.close();
  });
});

test('many mirrors: 100 rows a page, Previous/Next, a filter starts again at page 1', async () => {
  const many = await startTestManager({ dirs, clock: new TestClock(new Date()) });
  try {
    const r = await many.post('/workers', { id: 'w', url: 'http://127.0.0.1:9/' });
    expect(r.status).toBe(200);
    for (let i = 0; i < 250; i++) {
      const name = `m-${String(i).padStart(3, '0')}`;
      await many.store.updateMirrorStatus('w', name, () => ({
        ...report('w', name, i % 50 === 0 ? 'failed' : 'success'),
        worker: 'w',
      }));
    }
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    await page.goto(`${many.url}/`);
    await page.waitForSelector('#count:has-text("250 mirrors")');
    const rows = () => page.$$eval('#mirrors .name', (els) => els.map((e) => e.textContent));
    expect(await rows()).toHaveLength(100);
    await expect(page.textContent('#page')).resolves.toBe('page 1 of 3');
    expect(await page.isDisabled('#prev')).toBe(true);
    const first = await rows();
    await page.click('#next');
    await page.click('#next');
    await expect(page.textContent('#page')).resolves.toBe('page 3 of 3');
    expect(await rows()).toHaveLength(50);
    expect((await rows()).some((n) => first.includes(n))).toBe(false);
    expect(await page.isDisabled('#next')).toBe(true);
    await page.click('#summary button[data-filter="failed"]');
    await expect(page.textContent('#page')).resolves.toBe('page 1 of 1');
    expect(await rows()).toEqual(['m-000', 'm-050', 'm-100', 'm-150', 'm-200']);
    expect(errors).toEqual([]);
    await page.close();
  } finally {
    await many.close();
  }
});

test('a missing chromium fails the suite, saying how to install it', () => {
  expect(() => requireTool('/nonexistent/chromium', 'apt-get install chromium')).toThrow(
    /not found on PATH; install it \(e\.g\. `apt-get install chromium`\)/,
  );
});

test('the log tail of a real run appears and follows the growing log', async () => {
  const { page, errors } = await open(1280);
  await page.click('.name:text-is("live-log")');
  await page.click('tr.detail button.show-log');
  const log = page.locator('tr.detail pre.log').last();
  await expect(log.textContent()).resolves.toBeDefined();
  // The tail (the last 200 lines): "first line" only while the run is young, so any line of
  // the script's counts; a slow machine reaches this test seconds after the run began.
  await page.waitForFunction(
    () =>
      /first line|tick \d+/.test(document.querySelector('tr.detail pre.log')?.textContent ?? ''),
    undefined,
    { timeout: 20_000 },
  );
  const ticks = async () =>
    Number(/tick (\d+)\n?$/.exec((await log.textContent())?.trimEnd() ?? '')?.[1] ?? Number.NaN);
  await page.waitForFunction(() =>
    /tick \d+/.test(document.querySelector('tr.detail pre.log')?.textContent ?? ''),
  );
  const before = await ticks();
  await page.waitForFunction(
    (n) => {
      const m = /tick (\d+)\s*$/.exec(
        document.querySelector('tr.detail pre.log')?.textContent ?? '',
      );
      return m !== null && Number(m[1]) >= n + 5;
    },
    before,
    { timeout: 20_000 },
  );
  expect(await ticks()).toBeGreaterThanOrEqual(before + 5);
  await page.screenshot({ path: join(ARTIFACTS, 'status-page-1280-log.png') });
  expect(errors).toEqual([]);
  await page.close();
});
