import { connect } from 'node:net';
import { Agent, request } from 'undici';
import { silentLogger } from '@tunasync/api-types';
import { TempDirs, makeTlsCertificate } from '@tunasync/test-utils';
import { bearerMatches, CONTROL_ANSWERS, ControlServer } from '../../src/control/control-server';
import type {
  JobCommandVerb,
  QueuedCommand,
  WorkerCommands,
} from '../../src/control/worker-commands';
import { WorkerHaltedError } from '../../src/errors';

/** A WorkerCommands that records what it is asked (the runtime is tested on its own). */
class RecordingCommands implements WorkerCommands {
  readonly calls: string[] = [];
  /** Thrown when a command is queued: the worker refuses it. */
  failWith: Error | undefined;
  /** What every accepted command's `applied` is (default: applied at once). */
  applied: () => Promise<void> = () => Promise.resolve();
  constructor(private readonly mirrors: string[]) {}
  hasMirror(name: string) {
    return this.mirrors.includes(name);
  }
  private record(call: string): QueuedCommand {
    if (this.failWith) throw this.failWith;
    this.calls.push(call);
    return { applied: this.applied() };
  }
  queueJobCommand(name: string, verb: JobCommandVerb, options: { force: boolean }) {
    return this.record(`${verb} ${name}${options.force ? ' force' : ''}`);
  }
  async queueReload() {
    return this.record('reload');
  }
}

const dirs = new TempDirs();
let server: ControlServer;
let commands: RecordingCommands;

afterEach(async () => {
  await server?.close();
  await dirs.cleanup();
});

async function startServer(extra: { token?: string } = {}) {
  commands = new RecordingCommands(['debian', 'ubuntu']);
  server = new ControlServer({
    commands,
    logger: silentLogger,
    host: '127.0.0.1',
    port: 0,
    ...extra,
  });
  await server.start();
  return `http://127.0.0.1:${server.port}/`;
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  dispatcher?: Agent,
) {
  const res = await request(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    ...(dispatcher ? { dispatcher } : {}),
  });
  return { status: res.statusCode, body: (await res.body.json()) as unknown };
}

const cmd = (c: object) => JSON.stringify({ args: [], options: {}, ...c });

test('every job-level verb is passed on and answered {"msg":"OK"}', async () => {
  const url = await startServer();
  for (const verb of ['start', 'stop', 'disable', 'restart', 'ping']) {
    expect(await post(url, cmd({ cmd: verb, mirror_id: 'debian' }))).toEqual({
      status: 200,
      body: { msg: 'OK' },
    });
  }
  expect(
    await post(url, cmd({ cmd: 'start', mirror_id: 'ubuntu', options: { force: true } })),
  ).toEqual({
    status: 200,
    body: { msg: 'OK' },
  });
  // Go sends null for empty args/options
  expect(
    await post(
      url,
      JSON.stringify({ cmd: 'stop', mirror_id: 'ubuntu', args: null, options: null }),
    ),
  ).toEqual({
    status: 200,
    body: { msg: 'OK' },
  });
  expect(commands.calls).toEqual([
    'start debian',
    'stop debian',
    'disable debian',
    'restart debian',
    'ping debian',
    'start ubuntu force',
    'stop ubuntu',
  ]);
});

test('the exact answers of SPEC §4.1 for what is wrong', async () => {
  const url = await startServer();
  expect(await post(url, cmd({ cmd: 'start', mirror_id: 'nope' }))).toEqual({
    status: 404,
    body: { msg: "Mirror ``nope'' not found" },
  });
  expect(await post(url, cmd({ cmd: 'explode', mirror_id: 'debian' }))).toEqual({
    status: 406,
    body: { msg: 'Invalid Command' },
  });
  // worker-level: only reload
  expect(await post(url, cmd({ cmd: 'start', mirror_id: '' }))).toEqual({
    status: 406,
    body: { msg: 'Invalid Command' },
  });
  expect(await post(url, cmd({ cmd: 'start' }))).toEqual({
    status: 406,
    body: { msg: 'Invalid Command' },
  });
  expect(await post(url, cmd({ cmd: 'reload', mirror_id: 'debian' }))).toEqual({
    status: 406,
    body: { msg: 'Invalid Command' },
  });
  for (const bad of [
    '{not json',
    '[]',
    '"start"',
    cmd({ mirror_id: 'debian' }),
    cmd({ cmd: 'start', mirror_id: 7 }),
    cmd({ cmd: 'start', mirror_id: 'debian', args: 'x' }),
    cmd({ cmd: 'nope', mirror_id: 7 }),
  ]) {
    expect(await post(url, bad)).toEqual({ status: 400, body: { msg: 'Invalid request' } });
  }
  expect(commands.calls).toEqual([]);
  expect(await post(url, cmd({ cmd: 'reload', mirror_id: '' }))).toEqual({
    status: 200,
    body: { msg: 'OK' },
  });
  expect(await post(url, cmd({ cmd: 'reload' }), { 'content-type': 'text/plain' })).toEqual({
    status: 200,
    body: { msg: 'OK' },
  });
  expect(commands.calls).toEqual(['reload', 'reload']);
  const other = await request(`${url}status`);
  expect(other.statusCode).toBe(404);
  await other.body.dump();
});

test('a command the worker refuses is a 500 naming why; a halting worker is a 503', async () => {
  const url = await startServer();
  commands.failWith = new Error('job debian is gone');
  expect(await post(url, cmd({ cmd: 'stop', mirror_id: 'debian' }))).toEqual({
    status: 500,
    body: { msg: 'job debian is gone' },
  });
  commands.failWith = new WorkerHaltedError('stop debian');
  expect(await post(url, cmd({ cmd: 'stop', mirror_id: 'debian' }))).toEqual({
    status: 503,
    body: { msg: commands.failWith.message },
  });
});

test('the answer comes once the command is accepted, not once it is applied', async () => {
  const url = await startServer();
  let apply: () => void = () => undefined;
  const pending = new Promise<void>((resolve) => (apply = resolve));
  commands.applied = () => pending;
  expect(await post(url, cmd({ cmd: 'stop', mirror_id: 'debian' }))).toEqual({
    status: 200,
    body: { msg: 'OK' },
  });
  expect(await post(url, cmd({ cmd: 'reload' }))).toEqual({ status: 200, body: { msg: 'OK' } });
  // A command that fails later was still accepted: its failure is the worker's to log.
  commands.applied = () => Promise.reject(new Error('killed meanwhile'));
  expect(await post(url, cmd({ cmd: 'disable', mirror_id: 'ubuntu' }))).toEqual({
    status: 200,
    body: { msg: 'OK' },
  });
  expect(commands.calls).toEqual(['stop debian', 'reload', 'disable ubuntu']);
  apply();
});

test('with a token every command needs the right bearer token', async () => {
  const url = await startServer({ token: 'tok3n' });
  const body = cmd({ cmd: 'ping', mirror_id: 'debian' });
  const refused = { status: 401, body: { msg: CONTROL_ANSWERS.unauthorized } };
  expect(await post(url, body)).toEqual(refused);
  expect(await post(url, body, { authorization: 'Bearer wrong' })).toEqual(refused);
  expect(await post(url, body, { authorization: 'Basic tok3n' })).toEqual(refused);
  expect(await post(url, body, { authorization: 'Bearer tok3n' })).toEqual({
    status: 200,
    body: { msg: 'OK' },
  });
  expect(commands.calls).toEqual(['ping debian']);
  expect(bearerMatches('bearer tok3n', 'tok3n')).toBe(true);
  expect(bearerMatches(undefined, 'tok3n')).toBe(false);
  // The manager's parser (parseBearerToken): any case, blanks around, whole tokens only.
  expect(bearerMatches('BEARER \t tok3n  ', 'tok3n')).toBe(true);
  expect(bearerMatches('Bearer tok3', 'tok3n')).toBe(false);
  expect(bearerMatches('Bearer tok3nn', 'tok3n')).toBe(false);
  expect(bearerMatches('Bearer ', '')).toBe(false);
});

test('HTTPS when a certificate and key are configured', async () => {
  const tls = await makeTlsCertificate(await dirs.make('worker-tls-'));
  commands = new RecordingCommands(['debian']);
  server = new ControlServer({
    commands,
    logger: silentLogger,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: tls.cert, key: tls.key },
  });
  await server.start();
  expect(server.protocol).toBe('https');
  const agent = new Agent({ connect: { ca: tls.caCert } });
  try {
    expect(
      await post(
        `https://127.0.0.1:${server.port}/`,
        cmd({ cmd: 'ping', mirror_id: 'debian' }),
        {},
        agent,
      ),
    ).toEqual({
      status: 200,
      body: { msg: 'OK' },
    });
  } finally {
    await agent.close();
  }
  await server.close();
  await server.close();
});

test('a port in use is an error from start()', async () => {
  await startServer();
  const second = new ControlServer({
    commands,
    logger: silentLogger,
    host: '127.0.0.1',
    port: server.port,
  });
  await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
});

describe('hostile bodies', () => {
  test('JSON nested 10,000 deep is an Invalid request, not a crash', async () => {
    const url = await startServer();
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const verb of ['ping', 'explode']) {
      expect(await post(url, `{"cmd":"${verb}","mirror_id":"debian","x":${deep}}`)).toEqual({
        status: 400,
        body: { msg: 'Invalid request' },
      });
    }
    expect(commands.calls).toEqual([]);
  });

  test.each(['gzip', 'deflate', 'br'])(
    'a body that is not valid %s data is an Invalid request',
    async (encoding) => {
      const url = await startServer();
      const body = cmd({ cmd: 'ping', mirror_id: 'debian' });
      expect(await post(url, body, { 'content-encoding': encoding })).toEqual({
        status: 400,
        body: { msg: 'Invalid request' },
      });
      expect(commands.calls).toEqual([]);
    },
  );

  test('a declared Content-Length over 64 KiB is a 413 at once, and the connection closes', async () => {
    await startServer();
    // Headers only: the body never comes, so an answer proves it was not waited for.
    const text = await exchangeUntilClosed(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n{"cmd":',
    );
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(text).toContain(JSON.stringify({ msg: CONTROL_ANSWERS.tooLarge }));
    expect(commands.calls).toEqual([]);
  });

  test('a request the HTTP parser refuses is an Invalid request in JSON, and the connection closes', async () => {
    await startServer();
    const text = await exchangeUntilClosed(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    );
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toMatch(/\r\n\r\n\{"msg":"Invalid request"\}$/);
    expect(commands.calls).toEqual([]);
  });
});

/** Writes raw bytes to the control server; resolves with all it answered once it closes. */
function exchangeUntilClosed(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(request);
  });
}
