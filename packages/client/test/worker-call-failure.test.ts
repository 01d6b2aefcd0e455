import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkerCmd } from '@tunasync/api-types';
import { TempDirs, makeTlsCertificate } from '@tunasync/test-utils';
import type { TlsCertificate } from '@tunasync/test-utils';
import { WorkerCallError } from '../src/errors';
import { describeWorkerCallFailure } from '../src/worker-call-failure';
import { createWorkerClient } from '../src/worker-client';
import type { WorkerClient } from '../src/worker-client';

const dirs = new TempDirs();
const servers: Array<Server | NetServer> = [];
const sockets = new Set<Socket>();
const clients: WorkerClient[] = [];
let tls: TlsCertificate;
let selfSigned: { cert: string; key: string };

beforeAll(async () => {
  const dir = await dirs.make('tunasync-call-failure-');
  tls = await makeTlsCertificate(dir);
  // The test CA's own certificate is self-signed and names no host.
  selfSigned = { cert: tls.caCert, key: await readFile(join(dir, 'ca.key'), 'utf8') };
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

afterAll(() => dirs.cleanup());

async function listen(server: Server | NetServer): Promise<number> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

function client(options: { ca?: string; timeoutMs?: number } = {}): WorkerClient {
  const c = createWorkerClient({ timeoutMs: 1000, ...options });
  clients.push(c);
  return c;
}

const ping: WorkerCmd = { cmd: 'ping', mirror_id: 'debian', args: [], options: {} };

async function failure(c: WorkerClient, url: string): Promise<WorkerCallError> {
  const err = await c.postCommand(url, ping).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof WorkerCallError))
    throw new Error(`expected a WorkerCallError, got ${String(err)}`);
  return err;
}

describe('calling a worker that does not answer properly', () => {
  test('an https URL to a plain HTTP server: wrong version, no OpenSSL text', async () => {
    const port = await listen(createServer((_req, res) => res.end('{}')));
    const err = await failure(client(), `https://127.0.0.1:${port}/`);
    expect(err.message).toBe(
      'TLS handshake failed: wrong version (is the worker speaking plain HTTP?)',
    );
    expect(err.timedOut).toBe(false);
    // The raw detail is kept as the cause, for the debug log.
    expect(String((err.cause as Error).message)).toMatch(/wrong version number/);
  });

  test('a closed port: connection refused', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await failure(client(), `http://127.0.0.1:${port}/`);
    expect(err.message).toBe(`connection refused by 127.0.0.1:${port}`);
  });

  test('a server that resets the connection', async () => {
    const port = await listen(createNetServer((socket) => socket.resetAndDestroy()));
    const err = await failure(client(), `http://127.0.0.1:${port}/`);
    expect(err.message).toBe(`connection reset by 127.0.0.1:${port}`);
  });

  test('a server that reads the request and hangs up', async () => {
    const port = await listen(createNetServer((socket) => socket.once('data', () => socket.end())));
    const err = await failure(client(), `http://127.0.0.1:${port}/`);
    expect(err.message).toBe(`127.0.0.1:${port} closed the connection without answering`);
  });

  test('a server that never answers: no answer in N s, a timeout', async () => {
    const port = await listen(createNetServer(() => undefined));
    const err = await failure(client({ timeoutMs: 300 }), `http://127.0.0.1:${port}/`);
    expect(err.message).toBe('no answer in 0.3 s');
    expect(err.timedOut).toBe(true);
    const tlsErr = await failure(client({ timeoutMs: 300 }), `https://127.0.0.1:${port}/`);
    expect(tlsErr.message).toBe('no answer in 0.3 s');
  });

  test('a self-signed certificate: not trusted for the host', async () => {
    const port = await listen(createHttpsServer(selfSigned, (_req, res) => res.end('{}')));
    const err = await failure(client(), `https://127.0.0.1:${port}/`);
    expect(err.message).toBe(
      'TLS handshake failed: certificate not trusted for 127.0.0.1 (set [files] ca_cert to the CA that signed it)',
    );
  });

  test('a certificate of a CA the manager was not given: not trusted', async () => {
    const server = createHttpsServer({ cert: tls.cert, key: tls.key }, (_req, res) =>
      res.end('{}'),
    );
    const port = await listen(server);
    const err = await failure(client(), `https://localhost:${port}/`);
    expect(err.message).toMatch(/^TLS handshake failed: certificate not trusted for localhost /);
    // With the CA it works.
    await expect(
      client({ ca: tls.caCert }).postCommand(`https://localhost:${port}/`, ping),
    ).resolves.toEqual({
      status: 200,
      said: '{}',
    });
  });

  test('a trusted certificate for another name: name mismatch', async () => {
    const port = await listen(createHttpsServer(selfSigned, (_req, res) => res.end('{}')));
    const err = await failure(client({ ca: selfSigned.cert }), `https://127.0.0.1:${port}/`);
    expect(err.message).toBe(
      'TLS handshake failed: certificate name mismatch (the certificate is not for 127.0.0.1)',
    );
  });
});

describe('describeWorkerCallFailure', () => {
  const url = 'https://mirror.example:6000/';
  const coded = (code: string, message = 'raw library text') =>
    Object.assign(new Error(message), { code });

  test.each([
    ['ENOTFOUND', 'host not found: mirror.example'],
    ['EAI_AGAIN', 'host name lookup of mirror.example failed for now (DNS)'],
    ['EHOSTUNREACH', 'host mirror.example is unreachable'],
    ['ENETUNREACH', 'no route to the network of mirror.example'],
    ['EPIPE', 'connection reset by mirror.example:6000'],
    ['CERT_HAS_EXPIRED', 'TLS handshake failed: certificate of mirror.example has expired'],
    ['CERT_NOT_YET_VALID', 'TLS handshake failed: certificate of mirror.example is not valid yet'],
    [
      'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
      'TLS handshake failed (ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE)',
    ],
    ['UND_ERR_HEADERS_TIMEOUT', 'no answer in 5 s'],
    ['ERR_INVALID_URL', 'the registered URL cannot be called'],
    ['EWHATEVER', 'the call failed (EWHATEVER; details in the debug log)'],
  ])('%s: %s', (code, reason) => {
    const described = describeWorkerCallFailure(coded(code), url, 5000);
    expect(described.reason).toBe(reason);
    expect(described.reason).not.toContain('raw library text');
  });

  test('looks through the cause chain', () => {
    const wrapped = new TypeError('fetch failed', { cause: coded('ECONNREFUSED') });
    expect(describeWorkerCallFailure(wrapped, url, 5000).reason).toBe(
      'connection refused by mirror.example:6000',
    );
  });

  test('an error with no code says where the detail is', () => {
    expect(describeWorkerCallFailure(new Error('x'), 'not a url', 5000)).toEqual({
      reason: 'the call failed (details in the debug log)',
      timedOut: false,
    });
  });
});
