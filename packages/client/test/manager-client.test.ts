import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { startManagerProcess } from '@tunasync/test-utils';
import type { ManagerProcess } from '@tunasync/test-utils';
import {
  CLIENT_ERROR_CODES,
  ManagerBadAnswerError,
  ManagerClient,
  ManagerHttpError,
  ManagerUnreachableError,
  createNodeHttpTransport,
  createUndiciTransport,
} from '../src';
import type { Transport } from '../src';

/*
 * The client against the real manager (the built `tunasync-manager` as a child process on a
 * free loopback port), once per transport: both must behave the same.
 */

const TOKEN = 'client-test-token';
let manager: ManagerProcess;
const servers: Array<Server | NetServer> = [];
const sockets = new Set<Socket>();
const clients: ManagerClient[] = [];

beforeAll(async () => {
  manager = await startManagerProcess({ config: `[server]\ntoken = "${TOKEN}"` });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

afterAll(async () => {
  await manager?.stop();
});

const TRANSPORTS: Array<[string, (timeoutMs: number) => Transport]> = [
  ['undici', (timeoutMs) => createUndiciTransport({ timeoutMs })],
  ['node:http', (timeoutMs) => createNodeHttpTransport({ timeoutMs })],
];

async function listen<T extends Server | NetServer>(server: T): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe.each(TRANSPORTS)('ManagerClient on %s', (_name, makeTransport) => {
  const client = (baseUrl: string, options: { token?: string; timeoutMs?: number } = {}) => {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const made = new ManagerClient({
      baseUrl,
      timeoutMs,
      transport: makeTransport(timeoutMs),
      ...(options.token === undefined ? {} : { token: options.token }),
    });
    clients.push(made);
    return made;
  };

  it("calls the worker's and the admin's routes of the table", async () => {
    const api = client(`${manager.url}/`, { token: TOKEN });
    const worker = `w-${_name.replace(/\W/g, '')}`;
    const id = { id: worker };
    const job = { id: worker, job: 'debian' };
    expect(await api.call('ping')).toEqual({ message: 'pong' });
    const registered = await api.call('registerWorker', {
      body: { id: worker, url: 'http://127.0.0.1:1/' },
    });
    expect(registered).toMatchObject({ id: worker, token: 'REDACTED' });
    const reported = await api.call('reportStatus', {
      params: job,
      body: {
        name: 'debian',
        worker,
        is_master: true,
        status: 'success',
        upstream: 'rsync://upstream.example/debian/',
        size: '1G',
        last_update: '2026-01-02T03:04:05Z',
        last_started: '2026-01-02T03:00:00Z',
        last_ended: '2026-01-02T03:04:05Z',
        next_schedule: '2026-01-02T04:00:00Z',
        error_msg: '',
      },
    });
    expect(reported).toMatchObject({ name: 'debian', worker, status: 'success' });
    expect(
      await api.call('setSize', { params: job, body: { name: 'debian', size: '2G' } }),
    ).toMatchObject({
      size: '2G',
    });
    expect(await api.call('heartbeat', { params: id, body: {} })).toEqual({ message: 'alive' });
    expect(
      await api.call('reportSchedules', {
        params: id,
        body: { schedules: [{ name: 'debian', next_schedule: '2030-01-01T00:00:00Z' }] },
      }),
    ).toEqual({});
    const jobs = await api.call('listWorkerJobs', { params: id });
    expect(jobs.map((j) => [j.name, j.size])).toEqual([['debian', '2G']]);
    const all = await api.call('listJobs');
    expect(all.map((j) => j.name)).toContain('debian');
    const history = await api.call('history', { params: job, query: { limit: '1' } });
    expect(history.map((run) => run.result)).toEqual(['success']);
    expect((await api.call('listWorkers')).map((w) => w.id)).toContain(worker);
    expect(await api.call('metrics')).toContain(`worker="${worker}"`);
    expect(await api.call('statusPage')).toContain('<html');
    expect(await api.call('deleteWorker', { params: id, query: { purge: '1' } })).toEqual({
      message: 'deleted',
    });
    expect(await api.call('flushDisabled')).toEqual({ message: 'flushed' });
  });

  it("rejects a non-2xx answer with the manager's error text", async () => {
    const api = client(manager.url, { token: TOKEN });
    const err = await api.call('listWorkerJobs', { params: { id: 'nobody' } }).catch((e) => e);
    expect(err).toBeInstanceOf(ManagerHttpError);
    expect(err).toMatchObject({ code: CLIENT_ERROR_CODES.http, status: 400 });
    expect((err as ManagerHttpError).reason).toMatch(/^invalid workerID nobody/);
    expect((err as ManagerHttpError).isUnknownWorker).toBe(true);

    const anonymous = client(manager.url);
    const refused = await anonymous.call('flushDisabled').catch((e) => e);
    expect(refused).toMatchObject({ status: 401, reason: 'missing or invalid bearer token' });
  });

  it('rejects a 2xx that is not JSON with a ManagerBadAnswerError', async () => {
    const port = await listen(createServer((_req, res) => res.end('pong')));
    const err = await client(`http://127.0.0.1:${port}`)
      .call('ping')
      .catch((e) => e);
    expect(err).toBeInstanceOf(ManagerBadAnswerError);
    expect(err).toBeInstanceOf(ManagerHttpError);
    expect(err).toMatchObject({ code: CLIENT_ERROR_CODES.badAnswer, status: 200, text: 'pong' });
  });

  it('rejects with ManagerUnreachableError when nothing listens, and when no answer comes', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    servers.splice(servers.indexOf(closed), 1);
    const refused = await client(`http://127.0.0.1:${port}`)
      .call('ping')
      .catch((e) => e);
    expect(refused).toBeInstanceOf(ManagerUnreachableError);
    expect(refused).toMatchObject({ code: CLIENT_ERROR_CODES.unreachable, timedOut: false });
    expect((refused as Error).message).toContain(`http://127.0.0.1:${port}/ping: `);

    const silent = await listen(createNetServer(() => undefined));
    const api = client(`http://127.0.0.1:${silent}`, { timeoutMs: 200 });
    const timedOut = await api.call('ping').catch((e) => e);
    expect(timedOut).toBeInstanceOf(ManagerUnreachableError);
    expect(timedOut).toMatchObject({ code: CLIENT_ERROR_CODES.unreachable, timedOut: true });
  });
});

it('rejects with ManagerUnreachableError for a base URL that cannot be called', async () => {
  const api = new ManagerClient({
    baseUrl: 'http//no-scheme',
    transport: createNodeHttpTransport({ timeoutMs: 1000 }),
  });
  clients.push(api);
  const err = await api.call('ping').catch((e) => e);
  expect(err).toBeInstanceOf(ManagerUnreachableError);
  expect(err).toMatchObject({ url: 'http//no-scheme/ping', timedOut: false });
});
