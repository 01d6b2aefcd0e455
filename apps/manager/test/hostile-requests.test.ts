import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { MAX_NESTING_DEPTH } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { call, report, startTestManager } from './helpers';
import type { TestManager } from './helpers';

const dirs = new TempDirs();
let m: TestManager;

beforeEach(async () => {
  m = await startTestManager({ dirs, config: { token: 't0ken' } });
  const auth = { authorization: 'Bearer t0ken' };
  await m.post('/workers', { id: 'w1', url: 'http://127.0.0.1:9/' }, auth);
  await m.post('/workers/w1/jobs/m1', report('w1', 'm1', 'success', { size: '1G' }), auth);
  // Any write the next request makes stamps a new last_online.
  m.clock.advance(60_000);
});

afterEach(async () => {
  await m.close();
  await dirs.cleanup();
});

const AUTH = { authorization: 'Bearer t0ken' };

/** Everything a request could have written. */
async function state(): Promise<unknown> {
  return { workers: await m.store.listWorkers(), statuses: await m.store.listAllMirrorStatuses() };
}

const POST_ROUTES = [
  '/workers',
  '/workers/w1/jobs/m1',
  '/workers/w1/jobs/m1/size',
  '/workers/w1/jobs/m1/progress',
  '/workers/w1/schedules',
  '/cmd',
];

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('hostile bodies', () => {
  test.each(POST_ROUTES)(
    'JSON nested 10,000 deep to %s is a 400 and writes nothing',
    async (path) => {
      const before = await state();
      const r = await call(m.url + path, 'POST', undefined, {
        raw: `{"name":"m1","x":${deep(10_000)}}`,
        headers: AUTH,
      });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        error: `invalid request body: x[0]: nests deeper than ${MAX_NESTING_DEPTH} levels of arrays and objects`,
      });
      expect(await state()).toEqual(before);
    },
  );

  test.each([
    ['gzip', Buffer.from('{"id":"w2","url":"http://127.0.0.1:9/"}')],
    ['deflate', Buffer.from('{"id":"w2","url":"http://127.0.0.1:9/"}')],
    ['br', Buffer.from('not brotli')],
    ['gzip', gzipSync('{"id":"w2","url":"http://127.0.0.1:9/"}').subarray(0, 20)],
  ])('a body that is not valid %s data is a 400 naming the encoding', async (encoding, raw) => {
    const before = await state();
    const r = await call(`${m.url}/workers`, 'POST', undefined, {
      raw,
      headers: { ...AUTH, 'content-encoding': encoding },
    });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      error: `body is not valid ${encoding} data (Content-Encoding: ${encoding})`,
    });
    expect(await state()).toEqual(before);
  });

  test('a real gzip body is still taken', async () => {
    const r = await call(`${m.url}/workers`, 'POST', undefined, {
      raw: gzipSync('{"id":"w2","url":"http://127.0.0.1:9/"}'),
      headers: { ...AUTH, 'content-encoding': 'gzip' },
    });
    expect(r.status).toBe(200);
  });

  test('a path with broken percent-encoding is a 400, not a 500', async () => {
    const r = await call(`${m.url}/workers/%E0%A4%A/jobs`, 'GET');
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toMatch(/^bad request: Failed to decode param/);
  });
});

describe('credentials in worker URLs', () => {
  test.each(['http://user:pw@127.0.0.1:6000/', 'https://pw@127.0.0.1:6000/', 'http://:pw@h/'])(
    'registering %s is a 400 that does not echo the password',
    async (url) => {
      const before = await state();
      const r = await m.post('/workers', { id: 'w2', url }, AUTH);
      expect(r.status).toBe(400);
      expect((r.json as { error: string }).error).toMatch(
        /^worker url must not contain a user name or password \("https?:\/\/REDACTED@/,
      );
      expect(r.text).not.toContain('pw');
      expect(m.logger.lines.join('\n')).not.toContain('pw@');
      expect(await state()).toEqual(before);
    },
  );
});

describe('names and bodies are checked before any write', () => {
  test.each([
    ['a bad mirror name', '/workers/w1/jobs/..%2Fetc/size', { size: '5G' }, 400],
    ['a bad mirror name with NUL', '/workers/w1/jobs/a%00b/size', { size: '5G' }, 400],
    ['an unknown mirror', '/workers/w1/jobs/nope/size', { size: '5G' }, 404],
    ['a mismatched name', '/workers/w1/jobs/m1/size', { name: 'm2', size: '5G' }, 400],
    ['a bad size body', '/workers/w1/jobs/m1/size', { size: 5 }, 400],
    ['a bad report', '/workers/w1/jobs/m1', { name: 'm1', status: 'exploded' }, 400],
    ['an empty report name', '/workers/w1/jobs/m1', { name: '' }, 400],
    ['a report for another mirror', '/workers/w1/jobs/m1', { name: 'm2' }, 400],
    ['a bad schedule name', '/workers/w1/schedules', { schedules: [{ name: 'a/b' }] }, 400],
    ['a bad schedules body', '/workers/w1/schedules', { schedules: 'x' }, 400],
    ['progress of a bad name', '/workers/w1/jobs/m1/progress', { name: '../x' }, 400],
    ['a bad cmd', '/cmd', { cmd: 'stop', worker_id: 'w1', mirror_id: 'a b' }, 400],
  ])('%s is refused and last_online is not touched', async (_what, path, body, status) => {
    const before = await state();
    const r = await m.post(path, body, AUTH);
    expect(r.status).toBe(status);
    expect(typeof (r.json as { error?: unknown }).error).toBe('string');
    expect(await state()).toEqual(before);
  });
});

/** Sends raw bytes on a fresh socket; resolves with what came back and whether it closed. */
function rawExchange(
  port: number,
  bytes: string,
): Promise<{ text: string; closed: boolean; socket: ReturnType<typeof connect> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closed: true, socket }));
    socket.write(bytes);
  });
}

describe('a declared Content-Length over the limit', () => {
  test('is a 413 at once from the headers, with Connection: close, and the socket closes', async () => {
    const port = Number(new URL(m.url).port);
    // Headers only: the 2 MiB body never comes, so an answer proves it was not waited for.
    const { text, closed } = await rawExchange(
      port,
      'POST /workers/w1/jobs/m1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\n' +
        `Content-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{"name":`,
    );
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(text).toContain('{"error":"request body is larger than 1 MiB"}');
  });

  test('without a valid token it is a 401 first', async () => {
    const port = Number(new URL(m.url).port);
    const { text } = await rawExchange(
      port,
      `POST /workers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`,
    );
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
  });
});

describe('requests Node itself refuses', () => {
  test('are answered in the API shape and the connection is closed', async () => {
    const port = Number(new URL(m.url).port);
    const { text, closed } = await rawExchange(
      port,
      'POST /workers HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toMatch(/\r\n\r\n\{"error":"malformed HTTP request \(HPE_[A-Z_]+\)"\}$/);
  });
});
