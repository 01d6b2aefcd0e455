import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TempDirs } from '@tunasync/test-utils';
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
    '%s sets the stored status to %s before forwarding, even if the worker fails',
    async (verb, status) => {
      worker.reply = { status: 500, body: '{"msg":"boom"}' };
      let seen: string | undefined;
      let release: () => void = () => undefined;
      worker.hold = new Promise<void>((resolve) => (release = resolve));
      const pending = m.post('/cmd', cmd(verb));
      while (seen !== status) {
        seen = (await m.store.getMirrorStatus('w1', 'debian'))?.status;
        await new Promise((resolve) => setImmediate(resolve));
      }
      release();
      const r = await pending;
      expect(r.status).toBe(502);
      expect(r.json).toEqual({
        error: `worker w1(${worker.url}) refused the command: HTTP 500: boom`,
      });
      expect((await m.store.getMirrorStatus('w1', 'debian'))?.status).toBe(status);
    },
  );

  test.each(['stop', 'disable'])(
    '%s refused by the worker (4xx: it has no such mirror any more) leaves the stored status as it was',
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
      error: `worker w1(${worker.url}) refused the command: HTTP 404: Mirror \`\`nope'' not found`,
    });
  });

  test('a redirect is not followed: it is an error', async () => {
    const target = await startFakeWorker();
    worker.reply = { status: 302, body: '' };
    try {
      const r = await m.post('/cmd', cmd('start'));
      expect(r.status).toBe(502);
      expect((r.json as { error: string }).error).toMatch(/refused the command: HTTP 302$/);
      expect(target.commands).toEqual([]);
    } finally {
      await target.close();
    }
  });

  test('an unreachable worker is a 500 naming the worker and its URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await m.post('/workers', { id: 'w2', url: `http://127.0.0.1:${port}/` });
    const r = await m.post('/cmd', cmd('start', { worker_id: 'w2' }));
    expect(r.status).toBe(500);
    expect((r.json as { error: string }).error).toMatch(
      new RegExp(`^post command to worker w2\\(http://127.0.0.1:${port}/\\) fail: .*ECONNREFUSED`),
    );
    expect(m.logger.lines.some((l) => l.startsWith('error: in request POST /cmd'))).toBe(true);
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
