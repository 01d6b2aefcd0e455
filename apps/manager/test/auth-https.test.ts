import { makeTlsCertificate, TempDirs } from '@tunasync/test-utils';
import type { TlsCertificate } from '@tunasync/test-utils';
import { parseBearerToken } from '@tunasync/api-types';
import { Credentials } from '../src/credentials';
import { report, startFakeWorker, startTestManager } from './helpers';
import type { TestManager } from './helpers';

const dirs = new TempDirs();
const TOKEN = 's3cret-token';
const auth = { authorization: `Bearer ${TOKEN}` };

afterEach(() => dirs.cleanup());

describe('bearer token (SPEC §7.1)', () => {
  let m: TestManager;
  beforeEach(async () => {
    m = await startTestManager({ dirs, config: { token: TOKEN } });
  });
  afterEach(() => m.close());

  test('mutating routes need the token; read routes stay public', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/workers', { id: 'w1', url: 'http://h/' }],
      ['DELETE', '/workers/w1', undefined],
      ['POST', '/workers/w1/jobs/m1', report('w1', 'm1', 'success')],
      ['POST', '/workers/w1/jobs/m1/size', { name: 'm1', size: '1G' }],
      ['POST', '/workers/w1/schedules', { schedules: [] }],
      ['DELETE', '/jobs/disabled', undefined],
      ['POST', '/cmd', { cmd: 'ping', worker_id: 'w1', mirror_id: 'm1' }],
    ];
    for (const [method, path, body] of cases) {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong' },
        { authorization: TOKEN },
      ] as Array<Record<string, string>>) {
        const r = await fetch(m.url + path, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toBe('Bearer');
        expect(await r.json()).toEqual({ error: 'missing or invalid bearer token' });
      }
    }
    expect(await m.store.listWorkers()).toEqual([]);
    expect((await m.get('/ping')).status).toBe(200);
    expect((await m.get('/jobs')).status).toBe(200);
    expect((await m.get('/workers')).status).toBe(200);
    expect(m.logger.lines.join('\n')).not.toContain(TOKEN);
  });

  test('with the token everything works, and the token is forwarded to the worker', async () => {
    const worker = await startFakeWorker();
    try {
      const reg = await m.post('/workers', { id: 'w1', url: worker.url, token: TOKEN }, auth);
      expect(reg.status).toBe(200);
      expect((reg.json as { token: string }).token).toBe('REDACTED');
      expect(
        (await m.post('/workers/w1/jobs/m1', report('w1', 'm1', 'success'), auth)).status,
      ).toBe(200);
      const c = await m.post('/cmd', { cmd: 'ping', worker_id: 'w1', mirror_id: 'm1' }, auth);
      expect(c.status).toBe(200);
      expect(worker.commands[0]?.authorization).toBe(`Bearer ${TOKEN}`);
      expect((await m.get('/workers')).text).not.toContain(TOKEN);
      expect(m.logger.lines.join('\n')).not.toContain(TOKEN);
    } finally {
      await worker.close();
    }
  });

  test('the check compares whole tokens', () => {
    const credentials = new Credentials({ shared: 'abc' });
    const check = (header: string | undefined) =>
      credentials.authenticate(parseBearerToken(header)) !== undefined;
    expect(check('Bearer abc')).toBe(true);
    expect(check('bearer  abc ')).toBe(true);
    expect(check('Bearer ab')).toBe(false);
    expect(check('Bearer abcd')).toBe(false);
    expect(check('abc')).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(check('Basic abc')).toBe(false);
  });
});

describe('HTTPS', () => {
  let tls: TlsCertificate;
  beforeAll(async () => {
    tls = await makeTlsCertificate(await dirs.make('tunasync-tls-'));
  });

  test('the manager serves HTTPS and calls an HTTPS worker trusting files.ca_cert', async () => {
    const keyPair = { cert: tls.cert, key: tls.key };
    const m = await startTestManager({
      dirs,
      config: { caCert: tls.caCert },
      tls: keyPair,
      ca: tls.caCert,
    });
    const worker = await startFakeWorker(keyPair);
    try {
      expect(m.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await m.get('/ping')).json).toEqual({ message: 'pong' });
      await m.post('/workers', { id: 'w1', url: worker.url });
      const r = await m.post('/cmd', { cmd: 'start', worker_id: 'w1', mirror_id: 'm1' });
      expect(r.status).toBe(200);
      expect(worker.commands).toHaveLength(1);
    } finally {
      await worker.close();
      await m.close();
    }
  });

  test('without the CA the worker certificate is not trusted', async () => {
    const m = await startTestManager({ dirs });
    const worker = await startFakeWorker({ cert: tls.cert, key: tls.key });
    try {
      await m.post('/workers', { id: 'w1', url: worker.url });
      const r = await m.post('/cmd', { cmd: 'start', worker_id: 'w1', mirror_id: 'm1' });
      expect(r.status).toBe(500);
      expect((r.json as { error: string }).error).toMatch(/^post command to worker w1\(https:/);
      expect(worker.commands).toEqual([]);
    } finally {
      await worker.close();
      await m.close();
    }
  });
});
