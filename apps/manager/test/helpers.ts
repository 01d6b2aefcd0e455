import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Agent, request } from 'undici';
import type { Logger, WorkerCmd } from '@tunasync/api-types';
import { LevelStore } from '@tunasync/store';
import { TempDirs, recordingLogger } from '@tunasync/test-utils';
import { createManagerApp } from '../src/app';
import type { ManagerApp, ManagerAppConfig } from '../src/app';
import { ManagerServer } from '../src/manager-server';
import type { WorkerClient } from '../src/worker-client';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public now = new Date('2026-01-02T03:04:05.000Z')) {}
  read = (): Date => new Date(this.now.getTime());
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** One real HTTP request with undici (HTTPS trusting `ca` when given). */
export async function call(
  url: string,
  method: string,
  body?: unknown,
  options: { headers?: Record<string, string>; raw?: string | Buffer; ca?: string } = {},
): Promise<Reply> {
  const dispatcher = options.ca ? new Agent({ connect: { ca: options.ca } }) : undefined;
  try {
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await request(url, {
      method: method as 'GET',
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        ...options.headers,
      },
      ...(payload === undefined ? {} : { body: payload }),
      ...(dispatcher ? { dispatcher } : {}),
    });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  } finally {
    await dispatcher?.close();
  }
}

export interface TestManager {
  url: string;
  store: LevelStore;
  app: ManagerApp;
  clock: TestClock;
  logger: Logger & { lines: string[] };
  dbDir: string;
  close(): Promise<void>;
  get(path: string): Promise<Reply>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  del(path: string, headers?: Record<string, string>): Promise<Reply>;
}

export interface StartOptions {
  config?: ManagerAppConfig;
  dirs: TempDirs;
  dbDir?: string;
  clock?: TestClock;
  tls?: { cert: string; key: string };
  ca?: string;
  workerClient?: WorkerClient;
}

/** The real app on a real LevelDB in a temp dir, served on 127.0.0.1 port 0. */
export async function startTestManager(options: StartOptions): Promise<TestManager> {
  const dbDir = options.dbDir ?? join(await options.dirs.make('tunasync-manager-'), 'db');
  const clock = options.clock ?? new TestClock();
  const logger = recordingLogger();
  const store = await LevelStore.open({ location: dbDir });
  const app = await createManagerApp({
    config: options.config ?? {},
    store,
    logger,
    clock: clock.read,
    ...(options.workerClient ? { workerClient: options.workerClient } : {}),
  });
  const server = new ManagerServer({
    handler: app.handler,
    addr: '127.0.0.1',
    port: 0,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const { url } = await server.start();
  const ca = options.ca;
  return {
    url,
    store,
    app,
    clock,
    logger,
    dbDir,
    async close() {
      await server.close();
      await app.close();
      await store.close();
    },
    get: (path) => call(url + path, 'GET', undefined, ca ? { ca } : {}),
    post: (path, body, headers) =>
      call(url + path, 'POST', body, { ...(headers ? { headers } : {}), ...(ca ? { ca } : {}) }),
    del: (path, headers) =>
      call(url + path, 'DELETE', undefined, {
        ...(headers ? { headers } : {}),
        ...(ca ? { ca } : {}),
      }),
  };
}

/**
 * For a test file whose tests each start their own managers: `start(config)` (or
 * `start({ dbDir })` to restart on the same data) starts one; after each test every manager
 * started is closed and the temp dirs are removed.
 */
export function useTestManagers(): {
  dirs: TempDirs;
  start(
    config?: ManagerAppConfig,
    options?: Omit<StartOptions, 'dirs' | 'config'>,
  ): Promise<TestManager>;
} {
  const dirs = new TempDirs();
  const started: TestManager[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.close()));
    await dirs.cleanup();
  });
  return {
    dirs,
    async start(config = {}, options = {}) {
      const t = await startTestManager({ ...options, config, dirs });
      started.push(t);
      return t;
    },
  };
}

/** Registers a worker whose control URL nobody listens on (tests that send no command). */
export async function registerWorker(t: TestManager, id: string): Promise<void> {
  const r = await t.post('/workers', { id, url: 'http://127.0.0.1:9/' });
  if (r.status !== 200) throw new Error(`registering ${id}: ${r.status} ${r.text}`);
}

/** A real tiny control server standing in for a worker: records commands, answers as told. */
export interface FakeWorker {
  url: string;
  commands: Array<{ cmd: WorkerCmd; authorization: string | undefined }>;
  reply: { status: number; body: string };
  /** When set, the next requests are held until it resolves. */
  hold?: Promise<void>;
  close(): Promise<void>;
}

export async function startFakeWorker(tls?: { cert: string; key: string }): Promise<FakeWorker> {
  const fake: FakeWorker = {
    url: '',
    commands: [],
    reply: { status: 200, body: '{"msg":"OK"}' },
    close: async () => undefined,
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (fake.hold) await fake.hold;
        fake.commands.push({
          cmd: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WorkerCmd,
          authorization: req.headers.authorization,
        });
        res.writeHead(fake.reply.status, { 'content-type': 'application/json' });
        res.end(fake.reply.body);
      })();
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  fake.url = `${tls ? 'https' : 'http'}://${tls ? 'localhost' : '127.0.0.1'}:${port}/`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** A status report as a worker sends it (times in the body are to be ignored). */
export { statusReport as report } from '@tunasync/test-utils';

/** Standard output and error for a CLI run in-process, read back as text. */
export function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}
