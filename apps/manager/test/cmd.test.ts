import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TempDirs } from '@tunasync/test-utils';
import { createWorkerClient } from '@tunasync/client';
import { report, startFakeWorker, startTestManager } from './helpers';
import type { FakeWorker, TestManager } from './helpers';

const dirs = new TempDirs();
let m: TestManager;
let worker: FakeWorker;

beforeEach(async () => {
  m = await startTestManager({ dirs });
  worker = await startFakeWorker();
  await m.post('/workers', { id: 'w1', url: worker.url });
  await m.post('/workers/w1/jobs/debian', report('w1', 'debian', 'success'));
});

afterEach(async () => {
  await m.close();
  await worker.close();
  await dirs.cleanup();
});

const cmd = (verb: string, extra: Record<string, unknown> = {}) => ({
  cmd: verb,
  mirror_id: 'debian',
  worker_id: 'w1',
  args: [],
  options: {},
  ...extra,
});

describe('POST /cmd', () => {
  test('forwards the WorkerCmd to the worker and answers with the Go text', async () => {
    const r = await m.post('/cmd', cmd('start', { options: { force: true }, args: ['x'] }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ message: 'successfully send command to worker w1' });
    expect(worker.commands).toEqual([
      {
        cmd: { cmd: 'start', mirror_id: 'debian', args: ['x'], options: { force: true } },
        authorization: undefined,
      },
    ]);
    expect(m.logger.lines).toContain(
      `info: Posting command 'start debian' to <w1> {"worker":"w1","mirror":"debian"}`,
    );
    expect((await m.store.getMirrorStatus('w1', 'debian'))?.status).toBe('success');
  });

  test('Go clients that send null args and options are accepted', async () => {
    const r = await m.post('/cmd', cmd('ping', { args: null, options: null }));
    expect(r.status).toBe(200);
    expect(worker.commands[0]?.cmd).toEqual({
      cmd: 'ping',
      mirror_id: 'debian',
      args: [],
      options: {},
    });
  });

  test('a worker-level reload has an empty mirror_id', async () => {
    const r = await m.post('/cmd', cmd('reload', { mirror_id: '' }));
    expect(r.status).toBe(200);
    expect(worker.commands[0]?.cmd.mirror_id).toBe('');
  });

  test.each([
    ['stop', 'paused'],
    ['disable', 'disabled'],
  ])(
    '%s sets the stored status to %s once the worker answered, even if it failed to act',
    async (verb, status) => {
      worker.reply = { status: 500, body: '{"msg":"boom"}' };
      let release: () => void = () => undefined;
      worker.hold = new Promise<void>((resolve) => (release = resolve));
      const pending = m.post('/cmd', cmd(verb));
      const posting = `Posting command '${verb} debian'`;
      while (!m.logger.lines.some((l) => l.includes(posting))) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      // The manager is waiting for the worker's answer: nothing is written yet.
      expect((await m.store.getMirrorStatus('w1', 'debian'))?.status).toBe('success');
      release();
      const r = await pending;
      expect(r.status).toBe(502);
      expect(r.json).toEqual({
        error: `worker w1 refused "${verb} debian": HTTP 500: boom`,
      });
      expect((await m.store.getMirrorStatus('w1', 'debian'))?.status).toBe(status);
    },
  );

  test.each(['stop', 'disable'])(
    '%s that the worker refuses with a 4xx leaves the stored status as it was',
    async (verb) => {
      worker.reply = { status: 404, body: `{"msg":"Mirror \`\`debian'' not found"}` };
      const r = await m.post('/cmd', cmd(verb));
      expect(r.status).toBe(404);
      expect((await m.store.getMirrorStatus('w1', 'debian'))?.status).toBe('success');
      // A mirror a reload removed was reported disabled: a later stop must not turn it paused.
      await m.post('/workers/w1/jobs/debian', report('w1', 'debian', 'disabled'));
      await m.post('/cmd', cmd('stop'));
      expect((await m.store.getMirrorStatus('w1', 'debian'))?.status).toBe('disabled');
    },
  );

  test('stop of a mirror the manager does not know creates no status', async () => {
    const r = await m.post('/cmd', cmd('stop', { mirror_id: 'ghost' }));
    expect(r.status).toBe(200);
    expect(await m.store.getMirrorStatus('w1', 'ghost')).toBeUndefined();
  });

  test("a worker's 4xx is passed on with its message", async () => {
    worker.reply = { status: 404, body: `{"msg":"Mirror \`\`nope'' not found"}` };
    const r = await m.post('/cmd', cmd('start', { mirror_id: 'nope' }));
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      error: 'worker w1 refused "start nope": no such mirror',
    });
  });

  test.each([
    [
      406,
      '{"msg":"Invalid Command"}',
      'reload',
      'worker w1 refused "reload": not a command it knows',
    ],
    [
      400,
      '{"msg":"Invalid request"}',
      'start',
      'worker w1 refused "start debian": not a valid command',
    ],
    [
      409,
      '{"msg":"mirror debian is busy"}',
      'start',
      'worker w1 refused "start debian": mirror debian is busy',
    ],
    [403, '', 'ping', 'worker w1 refused "ping debian": HTTP 403'],
  ])("a worker's %i is one line in its own words", async (status, body, verb, error) => {
    worker.reply = { status, body };
    const r = await m.post('/cmd', cmd(verb, verb === 'reload' ? { mirror_id: '' } : {}));
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ error });
  });

  test('a redirect is not followed: it is an error', async () => {
    const target = await startFakeWorker();
    worker.reply = { status: 302, body: '' };
    try {
      const r = await m.post('/cmd', cmd('start'));
      expect(r.status).toBe(502);
      expect((r.json as { error: string }).error).toBe(
        'worker w1 refused "start debian": HTTP 302',
      );
      expect(target.commands).toEqual([]);
    } finally {
      await target.close();
    }
  });

  test('an unreachable worker is a 502 saying so in words; stop still forces paused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await m.post('/workers', { id: 'w2', url: `http://127.0.0.1:${port}/` });
    await m.post('/workers/w2/jobs/debian', report('w2', 'debian', 'success'));
    const r = await m.post('/cmd', cmd('stop', { worker_id: 'w2' }));
    expect(r.status).toBe(502);
    expect(r.json).toEqual({
      error: `post command to worker w2(http://127.0.0.1:${port}/) fail: connection refused by 127.0.0.1:${port}`,
    });
    expect((await m.store.getMirrorStatus('w2', 'debian'))?.status).toBe('paused');
    expect(m.logger.lines.some((l) => l.startsWith('error: in request POST /cmd'))).toBe(true);
    // The library's own words go to the debug log only.
    expect(m.logger.lines).toContainEqual(
      expect.stringMatching(/^debug: calling worker <w2> at .*ECONNREFUSED/),
    );
  });

  test('a worker that does not answer in time is a 504; disable still forces disabled', async () => {
    const client = createWorkerClient({ timeoutMs: 200 });
    const slow = await startTestManager({ dirs, workerClient: client });
    try {
      worker.hold = new Promise<void>(() => undefined);
      await slow.post('/workers', { id: 'w1', url: worker.url });
      await slow.post('/workers/w1/jobs/debian', report('w1', 'debian', 'success'));
      const r = await slow.post('/cmd', cmd('disable'));
      expect(r.status).toBe(504);
      expect(r.json).toEqual({
        error: `post command to worker w1(${worker.url}) fail: no answer in 0.2 s`,
      });
      expect((await slow.store.getMirrorStatus('w1', 'debian'))?.status).toBe('disabled');
    } finally {
      await slow.close();
      await client.close();
    }
  });

  test('an https URL to a worker speaking plain HTTP: no OpenSSL text in the answer', async () => {
    const plain = new URL(worker.url);
    await m.post('/workers', { id: 'w3', url: `https://127.0.0.1:${plain.port}/` });
    const r = await m.post('/cmd', cmd('ping', { worker_id: 'w3' }));
    expect(r.status).toBe(502);
    expect(r.json).toEqual({
      error: `post command to worker w3(https://127.0.0.1:${plain.port}/) fail: TLS handshake failed: wrong version (is the worker speaking plain HTTP?)`,
    });
    expect(JSON.stringify(m.logger.lines.filter((l) => !l.startsWith('debug:')))).not.toMatch(
      /SSL routines|deps\/openssl/,
    );
  });

  test('a stored worker URL with a password (older database) is shown redacted', async () => {
    const now = '2026-01-02T03:04:05Z';
    const url = worker.url.replace('http://', 'http://user:s3cret@');
    await m.store.putWorker({ id: 'old', url, token: '', last_online: now, last_register: now });
    const list = await m.get('/workers');
    expect(list.text).not.toContain('s3cret');
    expect(list.json).toContainEqual(
      expect.objectContaining({
        id: 'old',
        url: worker.url.replace('http://', 'http://REDACTED@'),
      }),
    );
    worker.reply = { status: 500, body: '{}' };
    const r = await m.post('/cmd', cmd('ping', { worker_id: 'old' }));
    expect(r.status).toBe(502);
    expect(r.text).not.toContain('s3cret');
    expect(m.logger.lines.join('\n')).not.toContain('s3cret');
  });

  test.each([
    [
      cmd('start', { worker_id: '' }),
      400,
      'worker_id is empty: say which worker runs mirror debian',
    ],
    [
      cmd('reload', { worker_id: '', mirror_id: '' }),
      400,
      'worker_id is empty: say which worker should receive the command',
    ],
    [cmd('start', { worker_id: 'ghost' }), 400, 'worker ghost is not registered yet'],
    [cmd('explode'), 400, 'invalid request body: cmd: must be one of'],
    [{ mirror_id: 'debian', worker_id: 'w1' }, 400, 'invalid request body: cmd: is required'],
    [cmd('start', { options: { force: 'yes' } }), 400, 'options.force: must be a boolean'],
    [cmd('start', { mirror_id: '../etc' }), 400, 'invalid mirror_id "../etc"'],
  ])('%j is a %i', async (body, status, error) => {
    const r = await m.post('/cmd', body);
    expect(r.status).toBe(status);
    expect((r.json as { error: string }).error).toContain(error);
    expect(worker.commands).toEqual([]);
    expect((await m.store.getMirrorStatus('w1', 'debian'))?.status).toBe('success');
  });
});
