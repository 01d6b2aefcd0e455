import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { formatRfc3339 } from '@tunasync/api-types';
import { escapeHtml, FAVICON_SVG } from '../src/status-page';
import { call, registerWorker, report, useTestManagers } from './helpers';
import type { TestManager } from './helpers';

/*
 * The status page's HTTP side: one self-contained page whose style and script are the files
 * of apps/manager/page, inlined and allowed by hash. What the page shows is tested in a real
 * browser (status-page.browser.test.ts).
 */

const { start } = useTestManagers();
const PAGE_DIR = join(__dirname, '..', 'page');

async function page(t: TestManager): Promise<string> {
  const r = await t.get('/');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  return r.text;
}

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('GET /', () => {
  test('inlines the page files as they are, allowed by a strict CSP by hash', async () => {
    const t = await start();
    const r = await t.get('/');
    const script = /<script>([\s\S]*?)<\/script>/.exec(r.text)?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(r.text)?.[1];
    expect(script).toBe(readFileSync(join(PAGE_DIR, 'status-page.js'), 'utf8'));
    expect(style).toBe(readFileSync(join(PAGE_DIR, 'status-page.css'), 'utf8'));
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${hash(script ?? '')};`);
    expect(csp).toContain(`style-src ${hash(style ?? '')};`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("img-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-cache');
    // Self-contained: one inline script and style, no external asset, no inline handler.
    expect(r.text.match(/<script/g)).toHaveLength(1);
    expect(r.text).not.toMatch(/\bsrc=/);
    expect([...r.text.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'favicon.svg',
      'jobs?with_worker=1',
    ]);
    expect(r.text).not.toMatch(/\s(on\w+|style)=/);
    expect(() => new Script(script ?? '')).not.toThrow();
    expect(script).not.toContain('innerHTML');
  });

  test('says whether log tails and the history are shown; carries the first rows as text', async () => {
    const quiet = await start({ historySize: 0 });
    expect(await page(quiet)).toContain('data-public-logs="0" data-history="0"');
    const few = await start({ historySize: 7 });
    expect(await page(few)).toContain('data-history="7"');
    const open = await start({ publicLogs: true });
    const html = await page(open);
    expect(html).toContain('data-refresh="30" data-public-logs="1" data-history="50"');
    expect(html).toContain('<tbody>\n\n</tbody>');
    await registerWorker(open, 'w1');
    await open.post('/workers/w1/jobs/debian', report('w1', 'debian', 'success'));
    await open.post('/workers/w1/jobs/arch', report('w1', 'arch', 'failed'));
    const hostile = `<script>alert("x")</script>`;
    await open.store.updateMirrorStatus('w1', hostile, () => ({
      ...report('w1', hostile, 'none', { upstream: '"><img src=x>' }),
      worker: 'w1',
    }));
    const filled = await page(open);
    // Failing first, then by name; every value escaped; rendered once per change.
    const rows = [...filled.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)</g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(rows).toEqual([
      ['arch', 'failed'],
      ['&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;', 'none'],
      ['debian', 'success'],
    ]);
    expect(filled).not.toContain('<img');
    expect(filled.match(/<script>/g)).toHaveLength(1);
    const renders = open.app.statusPage.renders;
    await page(open);
    expect(open.app.statusPage.renders).toBe(renders);
  });

  test('serves a favicon, also at /favicon.ico (asked for by browsers)', async () => {
    const t = await start();
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      const r = await t.get(path);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(r.text).toBe(FAVICON_SVG);
    }
    expect(FAVICON_SVG).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  test('is public with a token; other methods still need it; unknown routes stay JSON', async () => {
    const t = await start({ token: 'sekrit' });
    await page(t);
    const head = await call(`${t.url}/`, 'HEAD');
    expect(head.status).toBe(200);
    const post = await t.post('/', {});
    expect(post.status).toBe(401);
    const allowed = await t.post('/', {}, { authorization: 'Bearer sekrit' });
    expect(allowed.status).toBe(405);
    expect(allowed.headers.allow).toBe('GET');
    const unknown = await t.get('/index.html');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  test('/jobs?with_worker=1 carries what the page shows: stale and the last error', async () => {
    const t = await start({ staleAfter: 3600 });
    await registerWorker(t, 'w1');
    await t.post(
      '/workers/w1/jobs/old',
      report('w1', 'old', 'success', { observed_ago_ms: 7_200_000 }),
    );
    await t.post(
      '/workers/w1/jobs/bad',
      report('w1', 'bad', 'failed', { error_msg: 'rsync exited with 23' }),
    );
    const jobs = (await t.get('/jobs?with_worker=1')).json as Array<Record<string, unknown>>;
    expect(jobs.map((j) => [j.name, j.stale, j.error_msg])).toEqual([
      ['bad', false, 'rsync exited with 23'],
      ['old', true, ''],
    ]);
    // /workers/:id/jobs: `stale: true` on the stale one only; plain /jobs unchanged.
    const own = (await t.get('/workers/w1/jobs')).json as Array<Record<string, unknown>>;
    expect(own.map((j) => [j.name, j.stale])).toEqual([
      ['bad', undefined],
      ['old', true],
    ]);
    const plain = (await t.get('/jobs')).json as Array<Record<string, unknown>>;
    expect(plain.every((j) => !('stale' in j) && !('error_msg' in j))).toBe(true);

    // The body is kept between changes, and a mirror turning stale with time is one.
    const stale = async () =>
      ((await t.get('/jobs?with_worker=1')).json as Array<Record<string, unknown>>)
        .filter((j) => j.stale === true)
        .map((j) => j.name);
    await t.post('/workers/w1/jobs/fresh', report('w1', 'fresh', 'success'));
    expect(await stale()).toEqual(['old']);
    t.clock.advance(3_600_000);
    expect(await stale()).toEqual(['old']);
    t.clock.advance(1_000);
    expect(await stale()).toEqual(['fresh', 'old']);
    expect((await t.get('/metrics')).text).toContain(
      'tunasync_mirror_stale{worker="w1",mirror="fresh"} 1',
    );
  });
});

test("stale_after = 'auto': 3 × the interval plus the timeout the worker's schedule gives", async () => {
  const t = await start({ staleAfter: 'auto' });
  await registerWorker(t, 'w1');
  await t.post('/workers/w1/jobs/ts', report('w1', 'ts', 'success'));
  await t.post('/workers/w1/jobs/go', report('w1', 'go', 'success'));
  const inAnHour = formatRfc3339(new Date(t.clock.now.getTime() + 3_600_000));
  const r = await t.post('/workers/w1/schedules', {
    schedules: [
      // A tunasync-ts worker says its interval and the longest a run may take.
      { name: 'ts', next_schedule: inAnHour, interval_seconds: 3600, timeout_seconds: 600 },
      // A Go worker does not: the interval is the schedule's distance from the last end.
      { name: 'go', next_schedule: inAnHour },
    ],
  });
  expect(r.status).toBe(200);
  const stale = async () =>
    ((await t.get('/jobs?with_worker=1')).json as Array<Record<string, unknown>>)
      .filter((j) => j.stale === true)
      .map((j) => j.name);
  t.clock.advance(3 * 3_600_000);
  expect(await stale()).toEqual([]);
  t.clock.advance(1_000);
  expect(await stale()).toEqual(['go']);
  t.clock.advance(599_000); // 3 h 10 min: the limit itself
  expect(await stale()).toEqual(['go']);
  t.clock.advance(1_000);
  expect(await stale()).toEqual(['go', 'ts']);
  const bad = await t.post('/workers/w1/schedules', {
    schedules: [{ name: 'ts', next_schedule: inAnHour, interval_seconds: -1 }],
  });
  expect(bad.status).toBe(400);
});

test('escapeHtml escapes the five HTML specials', () => {
  expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
});
