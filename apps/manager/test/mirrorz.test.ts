import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  MIRRORZ_AUX_STATUSES,
  MIRRORZ_MAIN_STATUSES,
  MIRRORZ_SITE_TEXT_KEYS,
  formatRfc3339,
} from '@tunasync/api-types';
import type { MirrorStatus, MirrorzDocument, MirrorzMirror, SyncStatus } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { runCli } from '../src/cli';
import { loadManagerConfig } from '../src/manager-config';
import type { MirrorzSettings } from '../src/mirrorz-config';
import { mirrorzStatus, representativeStatus } from '../src/mirrorz-document';
import { call, registerWorker, report, startTestManager } from './helpers';
import type { TestManager } from './helpers';

const dirs = new TempDirs();
let m: TestManager | undefined;

afterEach(async () => {
  await m?.close();
  m = undefined;
  await dirs.cleanup();
});

const SETTINGS: MirrorzSettings = {
  site: { url: 'https://mirrors.example.org', abbr: 'EXAMPLE' },
  mirrorUrlPrefix: '',
  mirrors: {},
};

async function start(config = {}): Promise<TestManager> {
  m = await startTestManager({ dirs, config });
  return m;
}

async function send(
  t: TestManager,
  worker: string,
  name: string,
  status: SyncStatus,
  extra: Partial<MirrorStatus> = {},
): Promise<void> {
  const r = await t.post(`/workers/${worker}/jobs/${name}`, report(worker, name, status, extra));
  expect(r.status).toBe(200);
}

async function schedule(t: TestManager, worker: string, name: string, unix: number) {
  const next = formatRfc3339(new Date(unix * 1000));
  const r = await t.post(`/workers/${worker}/schedules`, {
    schedules: [{ name, next_schedule: next }],
  });
  expect(r.status).toBe(200);
}

/** The manager's clock in Unix seconds. */
const now = (t: TestManager) => Math.floor(t.clock.now.getTime() / 1000);

const SITE_KEYS = new Set<string>([...MIRRORZ_SITE_TEXT_KEYS, 'disable']);
const MIRROR_KEYS = new Set([
  'cname',
  'desc',
  'url',
  'status',
  'help',
  'upstream',
  'size',
  'disable',
]);
const MAIN = new Set<string>(MIRRORZ_MAIN_STATUSES);
const AUX = new Set<string>(MIRRORZ_AUX_STATUSES);

/**
 * Every rule of the mirrorz data format v1.7 (the README of mirrorz-org/mirrorz; the project
 * publishes no JSON Schema) that a document can break, as one line per problem.
 */
function formatProblems(doc: unknown): string[] {
  const out: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const text = (v: unknown) => typeof v === 'string';
  const link = (v: unknown) => typeof v === 'string' && /^(\/|https?:\/\/)/.test(v);
  if (!isObject(doc)) return ['document: not an object'];
  if (doc.version !== undefined && typeof doc.version !== 'number')
    out.push('version: not a number');
  const site = doc.site;
  if (!isObject(site)) out.push('site: not an object');
  else {
    for (const key of Object.keys(site)) if (!SITE_KEYS.has(key)) out.push(`site.${key}: unknown`);
    if (typeof site.url !== 'string' || !/^https?:\/\/[^/]/.test(site.url)) out.push('site.url');
    if (typeof site.url === 'string' && site.url.endsWith('/')) out.push('site.url: trailing /');
    if (typeof site.abbr !== 'string' || site.abbr === '') out.push('site.abbr');
    for (const key of MIRRORZ_SITE_TEXT_KEYS) {
      if (site[key] !== undefined && !text(site[key])) out.push(`site.${key}: not text`);
    }
    if (site.disable !== undefined && typeof site.disable !== 'boolean') out.push('site.disable');
    if (site.logo_darkmode !== undefined && site.logo === undefined) out.push('site.logo_darkmode');
  }
  if (!Array.isArray(doc.info)) out.push('info: not an array');
  else {
    doc.info.forEach((info: unknown, i) => {
      if (
        !isObject(info) ||
        !text(info.distro) ||
        !text(info.category) ||
        !Array.isArray(info.urls)
      )
        out.push(`info[${i}]`);
    });
  }
  if (!Array.isArray(doc.mirrors)) return [...out, 'mirrors: not an array'];
  doc.mirrors.forEach((mirror: unknown, i) => {
    const at = `mirrors[${i}]`;
    if (!isObject(mirror)) return out.push(`${at}: not an object`);
    for (const key of Object.keys(mirror)) if (!MIRROR_KEYS.has(key)) out.push(`${at}.${key}`);
    if (typeof mirror.cname !== 'string' || mirror.cname === '') out.push(`${at}.cname`);
    if (!link(mirror.url) || String(mirror.url).endsWith('/')) out.push(`${at}.url`);
    for (const key of ['desc', 'help', 'upstream', 'size']) {
      if (mirror[key] !== undefined && !text(mirror[key])) out.push(`${at}.${key}: not text`);
    }
    if (mirror.help !== undefined && mirror.help !== '' && !link(mirror.help))
      out.push(`${at}.help`);
    if (mirror.disable !== undefined && typeof mirror.disable !== 'boolean')
      out.push(`${at}.disable`);
    const status = typeof mirror.status === 'string' ? mirror.status : '';
    const parts = status.match(/[A-Z]\d*/g) ?? [];
    if (status === '' || parts.join('') !== status) return out.push(`${at}.status: ${status}`);
    const letters = parts.map((p) => p[0] as string);
    if (letters.filter((l) => MAIN.has(l)).length !== 1) out.push(`${at}.status: one main`);
    if (letters.some((l) => !MAIN.has(l) && !AUX.has(l))) out.push(`${at}.status: letter`);
    if (new Set(letters).size !== letters.length) out.push(`${at}.status: repeated`);
    return undefined;
  });
  return out;
}

async function fetchDocument(t: TestManager): Promise<MirrorzDocument> {
  const r = await t.get('/mirrorz.json');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(r.headers['access-control-allow-origin']).toBe('*');
  expect(formatProblems(r.json)).toEqual([]);
  return r.json as MirrorzDocument;
}

function entry(doc: MirrorzDocument, cname: string): MirrorzMirror {
  const found = doc.mirrors.filter((x) => x.cname === cname);
  expect(found).toHaveLength(1);
  return found[0] as MirrorzMirror;
}

describe('the format check of these tests', () => {
  test('finds what breaks the mirrorz format (so a passing document means something)', () => {
    expect(
      formatProblems({
        version: '1.7',
        site: { url: 'https://x.org/', colour: 'red', logo_darkmode: '/d.svg' },
        info: [{ distro: 'Debian' }],
        mirrors: [
          { cname: '', url: 'debian/', status: 'S1F2', extra: 1 },
          { cname: 'a', url: '/a', status: 'SX1X2' },
          { cname: 'b', url: '/b', status: 'Z' },
          { cname: 'c', url: '/c', status: 's1', help: 'help/c' },
        ],
      }),
    ).toEqual([
      'version: not a number',
      'site.colour: unknown',
      'site.url: trailing /',
      'site.abbr',
      'site.logo_darkmode',
      'info[0]',
      'mirrors[0].extra',
      'mirrors[0].cname',
      'mirrors[0].url',
      'mirrors[0].status: one main',
      'mirrors[1].status: repeated',
      'mirrors[2].status: one main',
      'mirrors[2].status: letter',
      'mirrors[3].help',
      'mirrors[3].status: s1',
    ]);
  });
});

describe('GET /mirrorz.json', () => {
  test('every tunasync status maps to its mirrorz status, with its times', async () => {
    const t = await start({ mirrorz: SETTINGS });
    await registerWorker(t, 'w1');

    // success: ran for a minute, next run planned an hour later.
    await send(t, 'w1', 'ok', 'pre-syncing');
    await send(t, 'w1', 'ok', 'syncing');
    t.clock.advance(60_000);
    await send(t, 'w1', 'ok', 'success', { size: '1.5G' });
    const okDone = now(t);
    await schedule(t, 'w1', 'ok', okDone + 3600);
    // flaky and running succeed now; held succeeds and is then paused.
    for (const name of ['flaky', 'running', 'held']) await send(t, 'w1', name, 'success');
    await schedule(t, 'w1', 'held', okDone + 3600);
    await send(t, 'w1', 'held', 'paused');
    await schedule(t, 'w1', 'running', okDone + 600);

    t.clock.advance(600_000);
    const later = now(t);
    // running: started again when its schedule came (the schedule is used up).
    await send(t, 'w1', 'running', 'pre-syncing');
    await send(t, 'w1', 'running', 'syncing');
    // starting: its first run is in its pre-job hooks.
    await send(t, 'w1', 'starting', 'pre-syncing');
    // broken: never succeeded; flaky: succeeded before. Both retry in two hours.
    await send(t, 'w1', 'broken', 'pre-syncing');
    t.clock.advance(10_000);
    await send(t, 'w1', 'broken', 'failed', { error_msg: 'rsync exited with 23' });
    await send(t, 'w1', 'flaky', 'failed');
    const failedAt = now(t);
    await schedule(t, 'w1', 'broken', failedAt + 7200);
    await schedule(t, 'w1', 'flaky', failedAt + 7200);
    // off: disabled before it ever ran; fresh: known, waiting for its first run.
    await send(t, 'w1', 'off', 'disabled');
    await send(t, 'w1', 'fresh', 'none');
    await schedule(t, 'w1', 'fresh', failedAt + 60);

    const doc = await fetchDocument(t);
    const statuses = Object.fromEntries(doc.mirrors.map((x) => [x.cname, x.status]));
    // As mirrorz-parser's tunasync converter writes them (the manager's README has the table):
    // no `O` for a mirror that never succeeded, `U` for the statuses it has no letter for,
    // `X` whenever a next run is known.
    expect(statuses).toEqual({
      ok: `S${okDone}X${okDone + 3600}`,
      running: `Y${later}O${okDone}X${okDone + 600}`,
      starting: 'U',
      broken: `F${failedAt}X${failedAt + 7200}`,
      flaky: `F${failedAt}O${okDone}X${failedAt + 7200}`,
      held: `P${okDone}X${okDone + 3600}`,
      off: 'U',
      fresh: `UX${failedAt + 60}`,
    });
    // A disabled mirror is out of service, as the format marks it; the others say nothing.
    expect(entry(doc, 'off').disable).toBe(true);
    expect(doc.mirrors.filter((x) => x.disable !== undefined).map((x) => x.cname)).toEqual(['off']);
    // One entry per mirror, by name; the defaults of an entry without overrides.
    expect(doc.mirrors.map((x) => x.cname)).toEqual([
      'broken',
      'flaky',
      'fresh',
      'held',
      'off',
      'ok',
      'running',
      'starting',
    ]);
    expect(entry(doc, 'ok')).toEqual({
      cname: 'ok',
      desc: '',
      url: '/ok',
      status: `S${okDone}X${okDone + 3600}`,
      help: '',
      upstream: 'rsync://example.org/x/',
      size: '1.5G',
    });
    expect(entry(doc, 'broken').size).toBe(''); // "unknown" is no size
    expect(doc).toMatchObject({ version: 1.7, site: SETTINGS.site, info: [] });
  });

  test('a status the format has no letter for is U (unknown)', () => {
    const odd = { ...report('w1', 'x', 'success'), status: 'archived' as SyncStatus };
    const unplanned = { next_schedule: '0001-01-01T00:00:00Z' };
    expect(mirrorzStatus({ ...odd, ...unplanned })).toBe('U');
    expect(mirrorzStatus({ ...report('w1', 'x', 'none'), ...unplanned }, true)).toBe('UN');
  });

  test('several workers serving one mirror make one entry: the freshest copy speaks', async () => {
    const t = await start({ mirrorz: SETTINGS });
    await registerWorker(t, 'w1');
    await registerWorker(t, 'w2');
    const a = { upstream: 'rsync://a.example.org/debian/', size: '100G' };
    const b = { upstream: 'rsync://b.example.org/debian/', size: '101G' };

    await send(t, 'w1', 'debian', 'success', a);
    const t1 = now(t);
    t.clock.advance(60_000);
    await send(t, 'w2', 'debian', 'success', b);
    const t2 = now(t);
    let d = entry(await fetchDocument(t), 'debian');
    expect(d).toMatchObject({ status: `S${t2}`, upstream: b.upstream, size: '101G' });

    // w2 fails afterwards: its copy (of t2) is still the freshest, and says it failed.
    t.clock.advance(60_000);
    await send(t, 'w2', 'debian', 'failed', b);
    const t3 = now(t);
    d = entry(await fetchDocument(t), 'debian');
    expect(d).toMatchObject({ status: `F${t3}O${t2}`, upstream: b.upstream });

    // w1 succeeds again: now it holds the freshest copy.
    t.clock.advance(60_000);
    await send(t, 'w1', 'debian', 'success', a);
    const t4 = now(t);
    d = entry(await fetchDocument(t), 'debian');
    expect(d).toMatchObject({ status: `S${t4}`, upstream: a.upstream, size: '100G' });
    expect(t1).toBeLessThan(t4);

    // Neither ever succeeded: the more useful status (syncing over failed) speaks; on the
    // same status, the lowest worker id.
    await send(t, 'w1', 'arch', 'failed', a);
    await send(t, 'w2', 'arch', 'pre-syncing', b);
    await send(t, 'w2', 'arch', 'syncing', b);
    await send(t, 'w2', 'alpine', 'none', b);
    await send(t, 'w1', 'alpine', 'none', a);
    const doc = await fetchDocument(t);
    expect(entry(doc, 'arch').upstream).toBe(b.upstream);
    expect(entry(doc, 'arch').status).toBe(`Y${now(t)}`);
    expect(entry(doc, 'alpine').upstream).toBe(a.upstream);
    expect(doc.mirrors).toHaveLength(3);
  });

  test('the representative rule on its own: last success, then status, then worker', () => {
    const at = (iso: string) => formatRfc3339(new Date(iso));
    const w1 = report('w1', 'm', 'failed', { last_update: at('2026-01-02T00:00:00Z') });
    const w2 = report('w2', 'm', 'success', { last_update: at('2026-01-01T00:00:00Z') });
    const w3 = report('w3', 'm', 'disabled', { last_update: at('2026-01-02T00:00:00Z') });
    expect(representativeStatus([w2, w3, w1]).worker).toBe('w1');
    expect(representativeStatus([w3, w2]).worker).toBe('w3');
    const never = (worker: string, status: SyncStatus) =>
      report(worker, 'm', status, { last_update: '0001-01-01T00:00:00Z' });
    expect(representativeStatus([never('w2', 'paused'), never('w1', 'paused')]).worker).toBe('w1');
    expect(representativeStatus([never('w1', 'none'), never('w2', 'pre-syncing')]).worker).toBe(
      'w2',
    );
    expect(() => representativeStatus([])).toThrow(RangeError);
  });

  test('manager.conf: site fields, URL prefix, per-mirror overrides and hidden mirrors', async () => {
    const file = join(await dirs.make('tunasync-mirrorz-conf-'), 'manager.conf');
    await writeFile(
      file,
      [
        '[mirrorz]',
        'enable = true',
        'mirror_url_prefix = "/mirrors"',
        '[mirrorz.site]',
        'url = "https://mirrors.example.org"',
        'abbr = "EXAMPLE"',
        'name = "Example mirrors"',
        'logo = "/static/logo.svg"',
        'big = "/speedtest/1000mb.bin"',
        'email = ""',
        'disable = false',
        '[mirrorz.mirrors.debian]',
        'cname = "Debian"',
        'desc = "The universal operating system"',
        'help = "/help/debian/"',
        'new = true',
        '[mirrorz.mirrors.ubuntu]',
        'url = "https://ubuntu.example.org"',
        'upstream = "rsync://archive.ubuntu.com/ubuntu/"',
        'disable = true',
        '[mirrorz.mirrors.internal]',
        'hidden = true',
        '[mirrorz.mirrors.not-reported]',
        'desc = "an override of a mirror no worker has reported"',
        '',
      ].join('\n'),
    );
    const loaded = await loadManagerConfig({ config: file, strict: true });
    expect(loaded.problems).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    const t = await start(loaded.settings);
    await registerWorker(t, 'w1');
    for (const name of ['debian', 'ubuntu', 'internal', 'arch']) {
      await send(t, 'w1', name, 'success', { upstream: `rsync://up.example.org/${name}/` });
    }
    const s = now(t);
    expect(await fetchDocument(t)).toEqual({
      version: 1.7,
      site: {
        url: 'https://mirrors.example.org',
        logo: '/static/logo.svg',
        abbr: 'EXAMPLE',
        name: 'Example mirrors',
        big: '/speedtest/1000mb.bin',
        disable: false,
      },
      info: [],
      mirrors: [
        {
          cname: 'arch',
          desc: '',
          url: '/mirrors/arch',
          status: `S${s}`,
          help: '',
          upstream: 'rsync://up.example.org/arch/',
          size: '',
        },
        {
          cname: 'Debian',
          desc: 'The universal operating system',
          url: '/mirrors/debian',
          status: `S${s}N`,
          help: '/help/debian/',
          upstream: 'rsync://up.example.org/debian/',
          size: '',
        },
        {
          cname: 'ubuntu',
          desc: '',
          url: 'https://ubuntu.example.org',
          status: `S${s}`,
          help: '',
          upstream: 'rsync://archive.ubuntu.com/ubuntu/',
          size: '',
          disable: true,
        },
      ],
    });
  });

  test('not enabled (the default): 404 JSON saying how to enable it', async () => {
    const t = await start();
    expect(t.app.mirrorz).toBeUndefined();
    const r = await t.get('/mirrorz.json');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.json).toEqual({
      error:
        'the mirrorz document is not enabled on this manager: set enable = true in [mirrorz] of manager.conf, with abbr and url in [mirrorz.site]',
    });
    expect((await call(`${t.url}/mirrorz.json`, 'HEAD')).status).toBe(404);
  });

  test('public with a token; HEAD works; other methods are 405 JSON (401 first without the token)', async () => {
    const t = await start({ token: 's3cret', mirrorz: SETTINGS });
    await registerWorker(t, 'w1').catch(() => undefined); // refused without the token
    expect((await t.get('/jobs')).json).toEqual([]);
    const doc = await fetchDocument(t);
    expect(doc.mirrors).toEqual([]);

    const head = await call(`${t.url}/mirrorz.json`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');

    const anonymous = await t.post('/mirrorz.json', {});
    expect(anonymous.status).toBe(401);
    const post = await t.post('/mirrorz.json', {}, { authorization: 'Bearer s3cret' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
    expect(post.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(post.json).toEqual({ error: expect.stringContaining('POST') });
  });

  test('rendered once per change of the statuses, not per request; ETag answers 304', async () => {
    const t = await start({ mirrorz: SETTINGS });
    const endpoint = t.app.mirrorz!;
    await registerWorker(t, 'w1');
    await send(t, 'w1', 'debian', 'success');
    await fetchDocument(t);
    const renders = endpoint.renders;
    const first = await t.get('/mirrorz.json');
    await call(`${t.url}/mirrorz.json`, 'HEAD');
    expect(endpoint.renders).toBe(renders);

    const etag = String(first.headers.etag);
    const unchanged = await call(`${t.url}/mirrorz.json`, 'GET', undefined, {
      headers: { 'if-none-match': etag },
    });
    expect(unchanged.status).toBe(304);

    // A worker registering changes no status: nothing to render again.
    await registerWorker(t, 'w2');
    await fetchDocument(t);
    expect(endpoint.renders).toBe(renders);

    t.clock.advance(60_000);
    await send(t, 'w1', 'debian', 'pre-syncing');
    const changed = await fetchDocument(t);
    expect(endpoint.renders).toBe(renders + 1);
    expect(entry(changed, 'debian').status).toBe('U'); // pre-syncing: mirrorz-parser has no letter
    const fresh = await call(`${t.url}/mirrorz.json`, 'GET', undefined, {
      headers: { 'if-none-match': etag },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).not.toBe(etag);

    // Live progress (§7.9) changes /jobs, not the document: same ETag, no render.
    await send(t, 'w1', 'debian', 'syncing');
    const syncing = await t.get('/mirrorz.json');
    const rendered = endpoint.renders;
    const posted = await t.post('/workers/w1/jobs/debian/progress', {
      name: 'debian',
      files: 1,
      bytes: 2,
    });
    expect(posted.status).toBe(200);
    const afterProgress = await t.get('/mirrorz.json');
    expect(afterProgress.headers.etag).toBe(syncing.headers.etag);
    expect(endpoint.renders).toBe(rendered);
  });
});

describe('[mirrorz] in manager.conf', () => {
  function capture() {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    return { io: { stdout, stderr }, err: () => err };
  }

  async function check(text: string, ...flags: string[]): Promise<[number, string, string]> {
    const file = join(await dirs.make('tunasync-mirrorz-conf-'), 'manager.conf');
    await writeFile(file, text);
    const c = capture();
    const code = await runCli(['--check-config', file, ...flags], c.io);
    return [code, c.err(), file];
  }

  test('--check-config names file, key and reason of every mistake', async () => {
    const [code, err, file] = await check(
      [
        '[mirrorz]',
        'enable = true',
        'mirror_url_prefix = "mirrors/"',
        '[mirrorz.site]',
        'url = "https://mirrors.example.org/"',
        'logo_darkmode = "https://mirrors.example.org/favicon.ico"',
        'big = "speedtest.bin"',
        '[mirrorz.mirrors."bad name"]',
        'desc = "x"',
        '[mirrorz.mirrors.debian]',
        'cname = " "',
        'url = "/debian/"',
        'help = "help/debian"',
        '',
      ].join('\n'),
    );
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toEqual([
      `error: ${file}:4:mirrorz.site.abbr: is required when mirrorz is enabled`,
      `error: ${file}:5:mirrorz.site.url: must not end with "/" (mirrorz format), got "https://mirrors.example.org/"`,
      `error: ${file}:7:mirrorz.site.big: must be a path starting with "/" (joined to site.url) or an http(s) URL, got "speedtest.bin"`,
      `error: ${file}:6:mirrorz.site.logo_darkmode: mirrorz does not take an .ico logo: use SVG or PNG of at least 64x64`,
      `error: ${file}:6:mirrorz.site.logo_darkmode: set logo too: mirrorz uses logo_darkmode only besides logo`,
      `error: ${file}:3:mirrorz.mirror_url_prefix: must be a path starting with "/" (joined to site.url) or an http(s) URL, got "mirrors/"`,
      `error: ${file}:8:mirrorz.mirrors.bad name: mirror name must start with a letter or digit and contain only letters, digits, ".", "_", "+" and "-"`,
      `error: ${file}:11:mirrorz.mirrors.debian.cname: must not be empty (leave it out to use the mirror name)`,
      `error: ${file}:12:mirrorz.mirrors.debian.url: must not end with "/" (mirrorz format), got "/debian/"`,
      `error: ${file}:13:mirrorz.mirrors.debian.help: must be a path starting with "/" (joined to site.url) or an http(s) URL, got "help/debian"`,
      `${file}: 10 error(s), 0 warning(s)`,
    ]);
  });

  test('enabled without a site: abbr and url are required', async () => {
    const [code, err, file] = await check('[mirrorz]\nenable = true\n');
    expect(code).toBe(2);
    expect(err).toBe(
      `error: ${file}:1:mirrorz.site.abbr: is required when mirrorz is enabled\n` +
        `error: ${file}:1:mirrorz.site.url: is required when mirrorz is enabled\n` +
        `${file}: 2 error(s), 0 warning(s)\n`,
    );
    const [, relative] = await check('[mirrorz]\n[mirrorz.site]\nurl = "mirrors.example.org"\n');
    expect(relative).toContain(
      'mirrorz.site.url: must be an absolute http(s) URL, got "mirrors.example.org"',
    );
  });

  test('not enabled: still checked, and nothing is served', async () => {
    const [code, err] = await check('[mirrorz]\n[mirrorz.mirrors.debian]\nurl = "debian"\n');
    expect(code).toBe(2);
    expect(err).toContain('mirrorz.mirrors.debian.url: must be a path starting with "/"');
    const [ok] = await check('[mirrorz]\nenable = false\n[mirrorz.site]\nabbr = "X"\n');
    expect(ok).toBe(0);
    const file = join(await dirs.make('tunasync-mirrorz-conf-'), 'manager.conf');
    await writeFile(file, '[mirrorz]\n[mirrorz.site]\nabbr = "X"\nurl = "https://x.org"\n');
    expect((await loadManagerConfig({ config: file })).settings?.mirrorz).toBeUndefined();
  });

  test('wrong types are errors, unknown keys warnings (errors with --strict)', async () => {
    const [code, err, file] = await check(
      '[mirrorz]\nenable = "yes"\n[mirrorz.mirrors.debian]\nhidden = 1\n',
    );
    expect(code).toBe(2);
    expect(err).toBe(
      `error: ${file}:2:mirrorz.enable: must be a boolean\n` +
        `error: ${file}:4:mirrorz.mirrors.debian.hidden: must be a boolean\n` +
        `${file}: 2 error(s), 0 warning(s)\n`,
    );
    const text =
      '[mirrorz]\n[mirrorz.site]\ncolour = "red"\n[mirrorz.mirrors.debian]\nlogo = "x"\n';
    const [warned, warnings, warnedFile] = await check(text);
    expect(warned).toBe(0);
    expect(warnings).toBe(
      `warning: ${warnedFile}:3:mirrorz.site.colour: unknown key\n` +
        `warning: ${warnedFile}:5:mirrorz.mirrors.debian.logo: unknown key\n`,
    );
    const [strict, errors] = await check(text, '--strict');
    expect(strict).toBe(2);
    expect(errors).toContain('mirrorz.site.colour: unknown key');
  });
});
