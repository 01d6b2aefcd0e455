import { createHash } from 'node:crypto';
import { Script, createContext, runInContext } from 'node:vm';
import { formatRfc3339, formatWebTime } from '@tunasync/api-types';
import type { SyncStatus } from '@tunasync/api-types';
import { JobsSnapshot } from '../src/jobs-snapshot';
import type { WebMirrorStatusWithWorker } from '../src/jobs-snapshot';
import { escapeHtml, progressText, renderStatusRows, StatusPage } from '../src/status-page';
import { call, registerWorker, report, TestClock, useTestManagers } from './helpers';
import type { TestManager } from './helpers';

const { start } = useTestManagers();

async function page(t: TestManager): Promise<string> {
  const r = await t.get('/');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  return r.text;
}

/** The `<tr>…</tr>` of the table body whose first cell is `name`. */
function rowOf(html: string, name: string): string {
  const rows = html.match(/<tr>.*?<\/tr>/g) ?? [];
  const row = rows.find((r) => r.startsWith(`<tr><td data-v="${escapeHtml(name)}">`));
  if (row === undefined) throw new Error(`no row for ${name} in:\n${rows.join('\n')}`);
  return row;
}

function cellsOf(row: string): string[] {
  return [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1] ?? '');
}

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('GET /', () => {
  test('lists every mirror with its status class, times, size, upstream and worker', async () => {
    const t = await start({ workerOfflineAfter: 600 });
    await registerWorker(t, 'w1');
    await registerWorker(t, 'w2');
    const succeeded = new Date(t.clock.now.getTime());
    await t.post('/workers/w1/jobs/debian', report('w1', 'debian', 'success'));
    await t.post('/workers/w1/jobs/debian/size', { name: 'debian', size: '1.5G' });
    const next = new Date(succeeded.getTime() + 3_600_000);
    await t.post('/workers/w1/schedules', {
      schedules: [{ name: 'debian', next_schedule: formatRfc3339(next) }],
    });
    await t.post('/workers/w1/jobs/ubuntu', report('w1', 'ubuntu', 'failed'));
    await t.post('/workers/w2/jobs/arch', report('w2', 'arch', 'syncing'));
    await t.post('/workers/w2/jobs/alpine', report('w2', 'alpine', 'pre-syncing'));
    await t.post('/workers/w2/jobs/fedora', report('w2', 'fedora', 'paused'));
    await t.post('/workers/w2/jobs/gentoo', report('w2', 'gentoo', 'disabled'));
    await t.post('/workers/w2/jobs/void', report('w2', 'void', 'none'));

    const html = await page(t);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`Updated at ${formatWebTime(t.clock.now)}`);
    expect(cellsOf(rowOf(html, 'debian'))).toEqual([
      'debian',
      '<span class="badge st-success">success</span>',
      formatWebTime(succeeded),
      formatWebTime(next),
      '1.5G',
      'rsync://example.org/x/',
      'w1 (online)',
    ]);
    expect(rowOf(html, 'debian')).toContain(`<td data-v="${1.5e9}">1.5G</td>`);
    expect(rowOf(html, 'debian')).toContain(`<td data-v="${Math.floor(next.getTime() / 1000)}">`);
    const ubuntu = cellsOf(rowOf(html, 'ubuntu'));
    expect(ubuntu[1]).toBe('<span class="badge st-failed">failed</span>');
    expect(ubuntu[2]).toBe('never');
    expect(ubuntu[3]).toBe('\u2014');
    expect(ubuntu[4]).toBe('unknown');
    for (const [name, cls] of [
      ['arch', 'st-syncing'],
      ['alpine', 'st-pre-syncing'],
      ['fedora', 'st-paused'],
      ['gentoo', 'st-disabled'],
      ['void', 'st-none'],
    ] as const) {
      expect(rowOf(html, name)).toContain(`<span class="badge ${cls}">`);
      expect(rowOf(html, name)).toContain('w2 (online)');
    }
    // Server-side order is /jobs's: by name.
    const names = (html.match(/<tr><td data-v="[^"]*">([^<]*)</g) ?? []).map((r) =>
      r.replace(/.*>/, '').replace('<', ''),
    );
    expect(names).toEqual(['alpine', 'arch', 'debian', 'fedora', 'gentoo', 'ubuntu', 'void']);
    // Every column header is sortable, numeric ones say so.
    expect(html).toContain('<th scope="col" data-type="num">Last success</th>');
    expect(html).toContain('<th scope="col">Name</th>');
  });

  test('a syncing mirror with live progress shows it after its status; the others do not', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await t.post('/workers/w1/jobs/debian', report('w1', 'debian', 'syncing'));
    await t.post('/workers/w1/jobs/arch', report('w1', 'arch', 'syncing'));
    const progress = { name: 'debian', files: 1234, bytes: 6_012_954_214 };
    expect((await t.post('/workers/w1/jobs/debian/progress', progress)).status).toBe(200);
    const html = await page(t);
    expect(cellsOf(rowOf(html, 'debian'))[1]).toBe(
      '<span class="badge st-syncing">syncing</span><span class="prog"> \u00b7 1,234 files, 6.0G</span>',
    );
    expect(cellsOf(rowOf(html, 'arch'))[1]).toBe('<span class="badge st-syncing">syncing</span>');
    // The next status drops it, and the cached rows are rendered again.
    await t.post('/workers/w1/jobs/debian', report('w1', 'debian', 'success'));
    expect(rowOf(await page(t), 'debian')).not.toContain('class="prog"');
  });

  test('shows a worker offline once it has not been heard from in time', async () => {
    const t = await start({ workerOfflineAfter: 60 });
    await registerWorker(t, 'w1');
    await t.post('/workers/w1/jobs/debian', report('w1', 'debian', 'success'));
    expect(rowOf(await page(t), 'debian')).toContain('<td data-v="w1" class="on">w1 (online)</td>');
    t.clock.advance(61_000);
    expect(rowOf(await page(t), 'debian')).toContain(
      '<td data-v="w1" class="off">w1 (offline)</td>',
    );
  });

  test('escapes hostile names, upstreams, sizes and worker ids', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    const hostile = `<script>alert("x")</script>&'"`;
    await t.post(
      '/workers/w1/jobs/debian',
      report('w1', 'debian', 'success', { upstream: `rsync://a/"><img src=x onerror=alert(1)>&b` }),
    );
    await t.post('/workers/w1/jobs/debian/size', {
      name: 'debian',
      size: `<b>1G</b>&"'`,
    });
    // Names are checked at the API; a store from elsewhere may still hold anything.
    await t.store.updateMirrorStatus('w1', hostile, () => ({
      ...report('w1', hostile, 'failed'),
      worker: 'w1',
    }));

    const html = await page(t);
    const debian = rowOf(html, 'debian');
    expect(debian).toContain(
      '<td data-v="rsync://a/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;b" class="up">' +
        'rsync://a/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;b</td>',
    );
    expect(debian).toContain('<td data-v="-1">&lt;b&gt;1G&lt;/b&gt;&amp;&quot;&#39;</td>');
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&quot;';
    expect(cellsOf(rowOf(html, hostile))[0]).toBe(escaped);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html.match(/<script>/g)).toHaveLength(1);

    const [job] = (await t.get('/jobs?with_worker=1')).json as WebMirrorStatusWithWorker[];
    if (job === undefined) throw new Error('no job');
    const odd = renderStatusRows([
      { ...job, status: '<x>' as SyncStatus, worker: '"><i>', worker_online: false },
    ]);
    expect(odd).toContain('<span class="badge st-none">&lt;x&gt;</span>');
    expect(odd).toContain(
      '<td data-v="&quot;&gt;&lt;i&gt;" class="off">&quot;&gt;&lt;i&gt; (offline)</td>',
    );
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  test('is public with a token; other methods still need it; unknown routes stay JSON', async () => {
    const t = await start({ token: 'sekrit' });
    await page(t);
    const head = await call(`${t.url}/`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');

    const post = await t.post('/', {});
    expect(post.status).toBe(401);
    expect(post.json).toEqual({ error: expect.any(String) as string });
    const allowed = await t.post('/', {}, { authorization: 'Bearer sekrit' });
    expect(allowed.status).toBe(405);
    expect(allowed.headers.allow).toBe('GET');
    expect(allowed.headers['content-type']).toBe('application/json; charset=utf-8');

    const unknown = await t.get('/index.html');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(unknown.json).toEqual({ error: expect.any(String) as string });
  });

  test('a strict CSP that allows exactly the inline style and script by hash', async () => {
    const t = await start();
    const r = await t.get('/');
    const csp = String(r.headers['content-security-policy']);
    const script = /<script>([\s\S]*?)<\/script>/.exec(r.text)?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(r.text)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${hash(script ?? '')};`);
    expect(csp).toContain(`style-src ${hash(style ?? '')};`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    // No external asset, no inline handler or style attribute the CSP would block.
    expect(r.text).not.toMatch(/\b(src|href)=/);
    expect(r.text).not.toMatch(/\s(on\w+|style)=/);
    // The script is valid JavaScript and refreshes from /jobs?with_worker=1 every 30 s.
    expect(() => new Script(script ?? '')).not.toThrow();
    expect(script).toContain("fetch('jobs?with_worker=1'");
    expect(script).toContain('setInterval(refresh, 30000)');
    expect(script).not.toContain('innerHTML');
  });

  test('re-renders after a new report, and only then', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await t.post('/workers/w1/jobs/debian', report('w1', 'debian', 'syncing'));
    const before = await page(t);
    expect(rowOf(before, 'debian')).toContain('st-syncing');
    const renders = t.app.statusPage.renders;
    await page(t);
    await t.post('/workers/w1/jobs/debian', report('w1', 'debian', 'syncing'));
    await page(t);
    expect(t.app.statusPage.renders).toBe(renders + 1); // the same report is still a write

    t.clock.advance(5_000);
    await t.post('/workers/w1/jobs/debian', report('w1', 'debian', 'success'));
    const after = await page(t);
    expect(rowOf(after, 'debian')).toContain('st-success');
    expect(cellsOf(rowOf(after, 'debian'))[2]).toBe(formatWebTime(t.clock.now));
    expect(after).toContain(`Updated at ${formatWebTime(t.clock.now)}`);
    expect(t.app.statusPage.renders).toBe(renders + 2);
  });

  test('an empty store renders an empty-state message', async () => {
    const t = await start();
    const html = await page(t);
    expect(html).toContain(
      '<tr class="empty"><td colspan="7">No mirror has reported yet.</td></tr>',
    );
    expect(html.match(/<tr><td/g)).toBeNull();
  });
});

/**
 * Just enough DOM for the page's script (no browser in the test environment): elements with
 * children, attributes, textContent and click listeners.
 */
class El {
  children: El[] = [];
  parent: El | undefined;
  attrs = new Map<string, string>();
  className = '';
  colSpan = 1;
  type = '';
  private text = '';
  private readonly listeners = new Map<string, () => void>();
  constructor(readonly tag: string) {}
  get textContent(): string {
    return this.text + this.children.map((c) => c.textContent).join('');
  }
  set textContent(value: string) {
    this.text = value;
    this.children = [];
  }
  appendChild(child: El): El {
    if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
    child.parent = this;
    this.children.push(child);
    return child;
  }
  replaceChild(fresh: El, old: El): void {
    fresh.parent = this;
    this.children = this.children.map((c) => (c === old ? fresh : c));
  }
  setAttribute(name: string, value: string): void {
    this.attrs.set(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attrs.get(name) ?? null;
  }
  removeAttribute(name: string): void {
    this.attrs.delete(name);
  }
  addEventListener(type: string, listener: () => void): void {
    this.listeners.set(type, listener);
  }
  fire(type: string): void {
    this.listeners.get(type)?.();
  }
  get cells(): El[] {
    return this.children;
  }
  get rows(): El[] {
    return this.children;
  }
  get tBodies(): El[] {
    return this.children.filter((c) => c.tag === 'tbody');
  }
  get tHead(): El | undefined {
    return this.children.find((c) => c.tag === 'thead');
  }
}

describe('the inline script', () => {
  test('refreshes the rows from /jobs?with_worker=1 as text, and sorts by a clicked column', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await t.post('/workers/w1/jobs/b', report('w1', 'b', 'failed'));
    await t.post('/workers/w1/jobs/a', report('w1', 'a', 'success', { upstream: '<i>x</i>' }));
    await t.post('/workers/w1/jobs/a/size', { name: 'a', size: '2G' });
    await t.post('/workers/w1/jobs/c', report('w1', 'c', 'syncing'));
    await t.post('/workers/w1/jobs/c/size', { name: 'c', size: '900M' });
    await t.post('/workers/w1/jobs/c/progress', { name: 'c', files: 1234, bytes: 6_012_954_214 });
    const html = await page(t);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';

    const table = new El('table');
    const head = table.appendChild(new El('thead')).appendChild(new El('tr'));
    for (const [, numeric, label] of html.matchAll(
      /<th scope="col"( data-type="num")?>([^<]*)</g,
    )) {
      const th = head.appendChild(new El('th'));
      th.textContent = label ?? '';
      if (numeric !== undefined) th.setAttribute('data-type', 'num');
    }
    expect(head.cells).toHaveLength(7);
    table.appendChild(new El('tbody'));
    const updated = new El('p');
    const timers: Array<() => void> = [];
    const fetched: string[] = [];
    const document = {
      hidden: false,
      getElementById: (id: string) =>
        id === 'mirrors' ? table : id === 'updated' ? updated : null,
      createElement: (tag: string) => new El(tag),
      addEventListener: () => undefined,
    };
    const context = createContext({
      document,
      fetch: (path: string, init: RequestInit) => {
        fetched.push(path);
        return fetch(new URL(path, `${t.url}/`), init);
      },
      setInterval: (fn: () => void, ms: number) => {
        expect(ms).toBe(30_000);
        timers.push(fn);
      },
    });
    runInContext(script, context);
    expect(timers).toHaveLength(1);

    const rows = () => table.tBodies[0]?.rows.map((r) => r.cells.map((c) => c.textContent)) ?? [];
    timers[0]?.();
    const deadline = Date.now() + 5_000;
    while (rows().length < 3 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(fetched).toEqual(['jobs?with_worker=1']);
    expect(rows().map((r) => r[0])).toEqual(['a', 'b', 'c']);
    expect(rows()[0]).toEqual([
      'a',
      'success',
      formatWebTime(t.clock.now),
      '\u2014',
      '2G',
      '<i>x</i>',
      'w1 (online)',
    ]);
    expect(table.tBodies[0]?.rows[1]?.cells[1]?.children[0]?.className).toBe('badge st-failed');
    // Live progress: the same text as the server renders, as text.
    expect(rows()[2]?.[1]).toBe(`syncing${progressText(1234, 6_012_954_214)}`);
    expect(table.tBodies[0]?.rows[2]?.cells[1]?.children[1]?.className).toBe('prog');
    expect(cellsOf(rowOf(html, 'c'))[1]).toContain(
      `<span class="prog">${progressText(1234, 6_012_954_214)}</span>`,
    );
    expect(rows()[1]?.[1]).toBe('failed');
    expect(rows()[1]?.[2]).toBe('never');
    expect(updated.textContent).toMatch(/^Updated at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const sizeButton = head.cells[4]?.children[0];
    expect(sizeButton?.textContent).toBe('Size');
    sizeButton?.fire('click');
    expect(rows().map((r) => r[0])).toEqual(['b', 'c', 'a']);
    expect(head.cells[4]?.getAttribute('aria-sort')).toBe('ascending');
    sizeButton?.fire('click');
    expect(rows().map((r) => r[0])).toEqual(['a', 'c', 'b']);
    head.cells[1]?.children[0]?.fire('click');
    expect(rows().map((r) => r[1])).toEqual([
      'failed',
      `syncing${progressText(1234, 6_012_954_214)}`,
      'success',
    ]);
    expect(head.cells[4]?.getAttribute('aria-sort')).toBeNull();
  });
});

describe('StatusPage', () => {
  test('caches the rows until a status changes or a worker goes on- or offline', () => {
    const clock = new TestClock();
    const now = formatRfc3339(clock.now);
    const snapshot = new JobsSnapshot(
      [{ workerId: 'w1', mirror: 'm', status: report('w1', 'm', 'success') }],
      [{ id: 'w1', url: 'http://h/', token: '', last_online: now, last_register: now }],
    );
    const statusPage = new StatusPage({ snapshot, clock: clock.read, offlineAfterMs: 10_000 });
    const first = statusPage.html();
    expect(statusPage.html()).toBe(first);
    expect(statusPage.renders).toBe(1);
    clock.advance(10_001);
    expect(statusPage.html()).toContain('w1 (offline)');
    expect(statusPage.renders).toBe(2);
    snapshot.apply({
      kind: 'status-put',
      workerId: 'w1',
      mirror: 'm',
      status: report('w1', 'm', 'failed'),
    });
    expect(statusPage.html()).toContain('st-failed');
    expect(statusPage.renders).toBe(3);
  });

  test('progressText: grouped file count and a human size in powers of 1000, as rsync -h', () => {
    expect(progressText(0, 0)).toBe(' \u00b7 0 files, 0B');
    expect(progressText(1, 999)).toBe(' \u00b7 1 file, 999B');
    expect(progressText(999, 1000)).toBe(' \u00b7 999 files, 1.0K');
    expect(progressText(1000, 10_000)).toBe(' \u00b7 1,000 files, 10K');
    expect(progressText(1_234_567, 300.4e6)).toBe(' \u00b7 1,234,567 files, 300M');
    expect(progressText(12, 2.25e12)).toBe(' \u00b7 12 files, 2.3T');
  });
});
