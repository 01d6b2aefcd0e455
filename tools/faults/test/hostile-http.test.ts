import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { OutgoingHttpHeaders } from 'node:http';
import { TempDirs, startManagerProcess, startWorkerProcess } from '@tunasync/test-utils';
import type { ManagerProcess, WorkerProcess } from '@tunasync/test-utils';
import {
  KeepAliveClient,
  RssSampler,
  anyJson,
  authorizationHeader,
  encodeBody,
  formatRss,
  headerChoice,
  hostileBodyText,
  hostileText,
  rawExchange,
  rssBoundBytes,
  runPool,
  segment,
} from '../src';
import type { HeaderChoice, HttpAnswer, HttpRequest, RssFigures } from '../src';

/*
 * Property-based fuzzing of every route of a real manager process (with a token) and of a
 * real worker's control server: bodies of random shapes and depths, wrong types, huge
 * strings, unicode and NUL in names and paths, broken percent-encoding, random methods, odd
 * and duplicate headers, lying Content-Encoding and Content-Length, truncated bodies.
 * Properties: no 5xx (but a 502/504 of /cmd when a worker cannot be reached), every answer
 * JSON `{error}` (worker: `{msg}`) or the route's own shape, a rejected request changes
 * nothing, the process never dies, RSS stays under 2 × start + 100 MB.
 */

const SEED = Number(process.env.FAULTS_SEED ?? 20261203);
const TOKEN = 'fuzz-t0ken';
const MANAGER_REQUESTS = 20_000;
/** Of those, the first ones are sent one at a time with a state check around each. */
const CHECKED_REQUESTS = 1_500;
const WORKER_REQUESTS = 3_000;
const CONCURRENCY = 8;

const dirs = new TempDirs();
let manager: ManagerProcess;
let worker: WorkerProcess;
let workerUrl: string;

beforeAll(async () => {
  console.log(`hostile-http: fast-check seed ${SEED} (set FAULTS_SEED to replay another)`);
  manager = await startManagerProcess({ config: `[server]\ntoken = "${TOKEN}"\n` });
  const dir = await dirs.make('tunasync-faults-hostile-');
  const conf = join(dir, 'worker.conf');
  const mirror = (name: string) =>
    `[[mirrors]]\nname = "${name}"\nprovider = "command"\nupstream = "https://example.org/${name}/"\ncommand = "true"\n`;
  await writeFile(
    conf,
    `[global]
name = "real"
log_dir = "${join(dir, 'log')}/{{.Name}}"
mirror_dir = "${join(dir, 'data')}"
concurrent = 4
interval = 600
retry = 1

[manager]
api_base_list = ["${manager.url}"]
token = "${TOKEN}"

[server]
hostname = "127.0.0.1"
listen_addr = "127.0.0.1"
listen_port = 0

${mirror('real-a')}
${mirror('real-b')}
`,
  );
  worker = await startWorkerProcess({ configFile: conf, stateDir: join(dir, 'state') });
  workerUrl = await worker.started();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await manager?.stop();
  await dirs.cleanup();
});

// ---------------------------------------------------------------------------------------
// What a case is, and how it becomes bytes on the wire.

type BodyChoice =
  { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string };

interface Case {
  method: string;
  path: string;
  body: BodyChoice;
  headers: HeaderChoice;
  /** Sent on a raw socket instead (`Connection: close`): bytes node:http will not send. */
  raw?: RawCase;
}

type RawCase =
  | { kind: 'declared-too-large' }
  | { kind: 'truncated' }
  | { kind: 'length-and-chunked' }
  | { kind: 'two-lengths' }
  | { kind: 'bad-request-line'; line: string }
  | { kind: 'raw-path'; path: string }
  | { kind: 'bad-chunk' };

function bodyText(body: BodyChoice): string | undefined {
  if (body.kind === 'none') return undefined;
  return body.kind === 'json' ? JSON.stringify(body.value) : body.text;
}

function toRequest(c: Case, token: string): HttpRequest {
  const headers: OutgoingHttpHeaders = { ...c.headers.extra };
  if (c.headers.contentType !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = c.headers.contentType;
  }
  const auth = authorizationHeader(c.headers.authorization, token);
  if (auth !== undefined) Object.assign(headers, { authorization: auth });
  const text = bodyText(c.body);
  let body: Buffer | undefined;
  if (text !== undefined) {
    body = encodeBody(text, c.headers.encoding, c.headers.honestEncoding);
    if (c.headers.encoding !== 'identity' && headers['content-encoding'] === undefined) {
      headers['content-encoding'] = c.headers.encoding;
    }
    if (headers['transfer-encoding'] === undefined) headers['content-length'] = body.length;
  }
  return { method: c.method, path: c.path, headers, body };
}

/** `postPath`: a route that reads its body (`/workers` of the manager, `/` of the worker). */
function rawBytes(
  raw: RawCase,
  token: string,
  postPath: string,
): { bytes: Buffer; waitMs: number } {
  const auth = `Authorization: Bearer ${token}\r\n`;
  const head = (line: string, more = '') =>
    `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${auth}${more}`;
  switch (raw.kind) {
    case 'declared-too-large':
      return {
        bytes: Buffer.from(
          head(`POST ${postPath} HTTP/1.1`, 'Content-Length: 5000000\r\n\r\n{"id":'),
        ),
        waitMs: 2000,
      };
    case 'truncated':
      // The rest of the body never comes: the client gives up (the manager must not mind).
      return {
        bytes: Buffer.from(
          head(`POST ${postPath} HTTP/1.1`, 'Content-Length: 400\r\n\r\n{"name":"m1",'),
        ),
        waitMs: 50,
      };
    case 'length-and-chunked':
      return {
        bytes: Buffer.from(
          head(
            `POST ${postPath} HTTP/1.1`,
            'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
          ),
        ),
        waitMs: 2000,
      };
    case 'two-lengths':
      return {
        bytes: Buffer.from(
          head(`POST ${postPath} HTTP/1.1`, 'Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}'),
        ),
        waitMs: 2000,
      };
    case 'bad-request-line':
      return { bytes: Buffer.from(head(raw.line, '\r\n')), waitMs: 2000 };
    case 'raw-path':
      return {
        bytes: Buffer.concat([
          Buffer.from('GET '),
          Buffer.from(raw.path, 'utf8'),
          Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
        ]),
        waitMs: 2000,
      };
    case 'bad-chunk':
      return {
        bytes: Buffer.from(
          head(
            `POST ${postPath} HTTP/1.1`,
            'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
          ),
        ),
        waitMs: 2000,
      };
  }
}

const rawCase: fc.Arbitrary<RawCase> = fc.oneof(
  fc.constant<RawCase>({ kind: 'declared-too-large' }),
  fc.constant<RawCase>({ kind: 'truncated' }),
  fc.constant<RawCase>({ kind: 'length-and-chunked' }),
  fc.constant<RawCase>({ kind: 'two-lengths' }),
  fc.constant<RawCase>({ kind: 'bad-chunk' }),
  fc
    .constantFrom(
      'GET',
      'G\u0000T /ping HTTP/1.1',
      'GET /ping HTTP/9.9',
      'GET /ping HTTP/1.1 and more',
      '\u00ff\u00fe',
    )
    .map<RawCase>((line) => ({ kind: 'bad-request-line', line })),
  hostileText.map<RawCase>((text) => ({ kind: 'raw-path', path: `/workers/${text}/jobs` })),
);

// ---------------------------------------------------------------------------------------
// The manager's routes, with bodies that are valid, nearly valid or anything at all.

const WORKER_IDS = ['w1', 'w2', 'w3'];
const MIRRORS = ['m1', 'm2', 'm3'];
const STATUSES = ['none', 'failed', 'success', 'syncing', 'pre-syncing', 'paused', 'disabled'];
const VERBS = ['start', 'stop', 'disable', 'restart', 'ping', 'reload'];

const pick = <T>(known: readonly T[], other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: other });
const workerId = pick(WORKER_IDS, hostileText);
const mirrorName = pick(MIRRORS, hostileText);
const time = fc.constantFrom('2026-01-02T03:04:05Z', '0001-01-01T00:00:00Z', 'yesterday', '');

function validBody(route: string, id: string, mirror: string): fc.Arbitrary<unknown> {
  switch (route) {
    case 'register':
      return fc.record({
        id: fc.constant(id),
        url: fc.constantFrom(
          workerUrl,
          'http://127.0.0.1:9/',
          'https://127.0.0.1:9/',
          `http://user:pw@127.0.0.1:9/`,
          'ftp://127.0.0.1/',
          'not a url',
        ),
      });
    case 'report':
      return fc.record({
        name: fc.oneof(
          { weight: 9, arbitrary: fc.constant(mirror) },
          { weight: 1, arbitrary: mirrorName },
        ),
        worker: fc.constant(id),
        is_master: fc.boolean(),
        status: pick(STATUSES, fc.string({ maxLength: 8 })),
        last_update: time,
        last_started: time,
        last_ended: time,
        next_schedule: time,
        upstream: fc.constantFrom('rsync://example.org/x/', ''),
        size: fc.constantFrom('1G', '5.5M', 'unknown', ''),
        error_msg: fc.oneof(fc.constant(''), hostileText),
        observed_ago_ms: fc.oneof(
          fc.nat(),
          fc.constant(-1),
          fc.constant(2 ** 60),
          fc.constant(0.5),
        ),
      });
    case 'size':
      return fc.record({
        name: fc.constantFrom(mirror, ''),
        size: fc.constantFrom('1G', '2T', 'unknown', ''),
      });
    case 'heartbeat':
      return fc.constantFrom({}, undefined, { id });
    case 'progress':
      return fc.record({
        name: fc.constant(mirror),
        files: fc.oneof(fc.nat(), fc.constant(-1), fc.constant(1.5)),
        bytes: fc.oneof(fc.nat(), fc.constant(2 ** 60)),
      });
    case 'schedules':
      return fc.record({
        schedules: fc.array(fc.record({ name: mirrorName, next_schedule: time }), { maxLength: 4 }),
      });
    case 'cmd':
      return fc.record({
        cmd: pick(VERBS, fc.string({ maxLength: 8 })),
        mirror_id: fc.oneof(mirrorName, fc.constantFrom('real-a', 'real-b', '')),
        worker_id: fc.constantFrom('w1', 'w2', 'real', 'real', 'ghost', ''),
        args: fc.constantFrom([], ['x'], null),
        options: fc.constantFrom({}, { force: true }, { force: 'yes' }, null),
      });
    default:
      return fc.constant(undefined);
  }
}

/** One field of a valid body replaced by anything. */
function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value !== 'object' || value === null) return anyJson;
  const keys = Object.keys(value);
  if (keys.length === 0) return anyJson;
  return fc
    .record({ key: fc.constantFrom(...keys), replacement: anyJson })
    .map(({ key, replacement }) => ({ ...(value as Record<string, unknown>), [key]: replacement }));
}

const ROUTES: Array<{ route: string; method: string; path: (id: string, m: string) => string }> = [
  { route: 'root', method: 'GET', path: () => '/' },
  { route: 'ping', method: 'GET', path: () => '/ping' },
  { route: 'metrics', method: 'GET', path: () => '/metrics' },
  { route: 'mirrorz', method: 'GET', path: () => '/mirrorz.json' },
  { route: 'jobs', method: 'GET', path: () => '/jobs?with_worker=1' },
  { route: 'flush', method: 'DELETE', path: () => '/jobs/disabled' },
  { route: 'workers', method: 'GET', path: () => '/workers' },
  { route: 'register', method: 'POST', path: () => '/workers' },
  { route: 'register', method: 'POST', path: () => '/workers' },
  { route: 'delete', method: 'DELETE', path: (id) => `/workers/${id}` },
  { route: 'workerJobs', method: 'GET', path: (id) => `/workers/${id}/jobs` },
  { route: 'report', method: 'POST', path: (id, m) => `/workers/${id}/jobs/${m}` },
  { route: 'report', method: 'POST', path: (id, m) => `/workers/${id}/jobs/${m}` },
  { route: 'size', method: 'POST', path: (id, m) => `/workers/${id}/jobs/${m}/size` },
  { route: 'history', method: 'GET', path: (id, m) => `/workers/${id}/jobs/${m}/history?limit=3` },
  { route: 'progress', method: 'POST', path: (id, m) => `/workers/${id}/jobs/${m}/progress` },
  { route: 'schedules', method: 'POST', path: (id) => `/workers/${id}/schedules` },
  { route: 'heartbeat', method: 'POST', path: (id) => `/workers/${id}/heartbeat` },
  { route: 'cmd', method: 'POST', path: () => '/cmd' },
  { route: 'cmd', method: 'POST', path: () => '/cmd' },
];

const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND'];

function managerCase(): fc.Arbitrary<Case> {
  return fc
    .record({
      route: fc.constantFrom(...ROUTES),
      id: workerId,
      mirror: mirrorName,
      keepPercent: fc.boolean(),
      oddMethod: fc.oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        fc.constantFrom(...METHODS),
      ),
      oddPath: fc.oneof(
        { weight: 19, arbitrary: fc.constant(undefined) },
        fc.array(hostileText, { minLength: 1, maxLength: 4 }),
      ),
      bodyMode: fc.constantFrom('valid', 'valid', 'valid', 'mutated', 'random', 'hostile', 'none'),
      headers: headerChoice,
      raw: fc.oneof({ weight: 99, arbitrary: fc.constant(undefined) }, rawCase),
    })
    .chain((r) => {
      const valid = validBody(r.route.route, r.id, r.mirror);
      const body: fc.Arbitrary<BodyChoice> =
        r.bodyMode === 'none' || r.route.method !== 'POST'
          ? fc.oneof(
              { weight: 9, arbitrary: fc.constant<BodyChoice>({ kind: 'none' }) },
              anyJson.map((value) => ({ kind: 'json' as const, value })),
            )
          : r.bodyMode === 'valid'
            ? valid.map((value) => ({ kind: 'json' as const, value }))
            : r.bodyMode === 'mutated'
              ? valid.chain(mutate).map((value) => ({ kind: 'json' as const, value }))
              : r.bodyMode === 'random'
                ? anyJson.map((value) => ({ kind: 'json' as const, value }))
                : fc
                    .oneof(
                      { weight: 3, arbitrary: hostileBodyText.filter((t) => t.length < 1_000_000) },
                      hostileBodyText,
                    )
                    .map((text) => ({ kind: 'text' as const, text }));
      const enc = (s: string) => segment(s, r.keepPercent);
      const path =
        r.oddPath !== undefined
          ? `/${r.oddPath.map(enc).join('/')}`
          : r.route.path(enc(r.id), enc(r.mirror));
      return body.map<Case>((b) => ({
        method: r.oddMethod ?? r.route.method,
        path,
        body: b,
        headers: r.headers,
        ...(r.raw === undefined ? {} : { raw: r.raw }),
      }));
    });
}

// ---------------------------------------------------------------------------------------
// Sending, and what every answer must look like.

interface Outcome {
  status: number;
  /** The answer's `msg` (worker) or `error` (manager), when it has one. */
  said?: string;
  problem?: string;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const hasText = (v: unknown, key: string) => isObject(v) && typeof v[key] === 'string';

/** The shape of each manager route's success answer (the worker's is `{msg}`). */
const SUCCESS_SHAPES: Array<[string, RegExp, (v: unknown) => boolean]> = [
  ['GET', /^\/ping$/, (v) => isObject(v) && v.message === 'pong'],
  [
    'GET',
    /^\/(jobs|workers)(\?|$)|^\/workers\/[^/]+\/jobs(\/[^/]+\/history)?(\?|$)/,
    Array.isArray,
  ],
  [
    'POST',
    /^\/workers$/,
    (v) =>
      hasText(v, 'id') &&
      isObject(v) &&
      v.token === 'REDACTED' &&
      !/\/\/[^/]*@/.test(String(v.url)),
  ],
  [
    'POST',
    /^\/workers\/[^/]+\/jobs\/[^/]+(\/size)?$/,
    (v) => hasText(v, 'name') && hasText(v, 'status'),
  ],
  ['POST', /^\/workers\/[^/]+\/jobs\/[^/]+\/progress$/, (v) => hasText(v, 'updated')],
  ['POST', /^\/workers\/[^/]+\/heartbeat$/, (v) => isObject(v) && v.message === 'alive'],
  ['POST', /^\/workers\/[^/]+\/schedules$/, (v) => isObject(v) && Object.keys(v).length === 0],
  ['POST', /^\/cmd$/, (v) => hasText(v, 'message')],
  ['DELETE', /^\//, (v) => hasText(v, 'message')],
];

function shapeProblem(
  c: Case,
  a: HttpAnswer,
  json: unknown,
  errorKey: 'error' | 'msg',
): string | undefined {
  if (errorKey === 'msg') return hasText(json, 'msg') ? undefined : `${a.status} without {"msg"}`;
  const shape = SUCCESS_SHAPES.find(([method, path]) => method === c.method && path.test(c.path));
  if (shape === undefined || shape[2](json)) return undefined;
  return `${a.status} not the shape of ${c.method} ${c.path}: ${a.body.toString('utf8').slice(0, 200)}`;
}

/** The answer's problem, if any; `errorKey` is `error` (manager) or `msg` (worker). */
function answerProblem(
  c: Case,
  a: HttpAnswer,
  errorKey: 'error' | 'msg',
  gatewayAllowed: boolean,
): string | undefined {
  if (a.status >= 500 && !(gatewayAllowed && (a.status === 502 || a.status === 504))) {
    return `${a.status} ${a.body.toString('utf8').slice(0, 300)}`;
  }
  if (c.method === 'HEAD' || a.status === 304) return undefined;
  const contentType = String(a.headers['content-type'] ?? '');
  const htmlOrText = c.path === '/' || c.path === '/metrics';
  if (a.status < 400 && htmlOrText) return undefined;
  if (!contentType.startsWith('application/json')) {
    return `${a.status} with Content-Type ${contentType || '(none)'}`;
  }
  const json = parseJson(a.body);
  if (json === undefined)
    return `${a.status} body is not JSON: ${a.body.toString('utf8').slice(0, 200)}`;
  if (a.status >= 400) {
    const e = (json as Record<string, unknown> | null)?.[errorKey];
    if (typeof e !== 'string' || e === '')
      return `${a.status} without {"${errorKey}": text}: ${a.body.toString('utf8').slice(0, 200)}`;
    if (/ at .*\.js:\d+|node:internal|SSL routines|deps\/openssl/.test(e))
      return `${a.status} leaks internals: ${e}`;
    return undefined;
  }
  return shapeProblem(c, a, json, errorKey);
}

/**
 * The answer each raw case must get before its wait is over: a declared length over the
 * limit is refused from the headers (413), what the HTTP parser refuses is a 400. A
 * truncated body gets none (the client gives up first); a raw path, any 4xx or 2xx.
 */
const RAW_EXPECTED: Partial<Record<RawCase['kind'], number>> = {
  'declared-too-large': 413,
  'length-and-chunked': 400,
  'two-lengths': 400,
  'bad-chunk': 400,
  'bad-request-line': 400,
};

function rawProblem(raw: RawCase, bytes: Buffer, errorKey: 'error' | 'msg'): Outcome {
  const text = bytes.toString('utf8');
  const status = text === '' ? 0 : Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? NaN);
  const expected = RAW_EXPECTED[raw.kind];
  if (expected !== undefined && status !== expected) {
    return {
      status,
      problem: `raw ${raw.kind}: expected ${expected}, got ${text.slice(0, 200) || 'no answer'}`,
    };
  }
  if (text === '') return { status };
  if (!(status >= 200 && status < 500))
    return { status, problem: `raw answer ${text.slice(0, 200)}` };
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  if (status >= 400) {
    const json = parseJson(Buffer.from(body));
    if (typeof (json as Record<string, unknown> | undefined)?.[errorKey] !== 'string') {
      return { status, problem: `raw ${status} without {"${errorKey}"}: ${text.slice(0, 300)}` };
    }
  }
  return { status };
}

/** The server a scenario fuzzes, and how its answers look. */
interface Target {
  client: KeepAliveClient;
  port: number;
  /** `error` (manager) or `msg` (worker). */
  errorKey: 'error' | 'msg';
  /** A route that reads its body, for the raw cases. */
  postPath: string;
  /** Whether a 502/504 is a right answer to this case (a worker not reached). */
  gateway(c: Case): boolean;
}

async function sendCase(target: Target, c: Case): Promise<Outcome> {
  const { client, port, errorKey } = target;
  if (c.raw !== undefined) {
    const { bytes, waitMs } = rawBytes(c.raw, TOKEN, target.postPath);
    return rawProblem(c.raw, await rawExchange(port, bytes, waitMs), errorKey);
  }
  const answer = await client.send(toRequest(c, TOKEN));
  const problem = answerProblem(c, answer, errorKey, target.gateway(c));
  const said = (parseJson(answer.body) as Record<string, unknown> | undefined)?.[errorKey];
  return {
    status: answer.status,
    ...(typeof said === 'string' ? { said } : {}),
    ...(problem === undefined ? {} : { problem }),
  };
}

/** `GET` as the fuzzer's own observer, on its own connection. */
async function getJson(client: KeepAliveClient, path: string): Promise<unknown> {
  const a = await client.send({ method: 'GET', path, headers: {} });
  if (a.status !== 200) throw new Error(`GET ${path}: ${a.status} ${a.body.toString('utf8')}`);
  return JSON.parse(a.body.toString('utf8')) as unknown;
}

/**
 * Everything the fuzzed workers' requests could change, as the API shows it: the workers,
 * `/jobs` and each worker's stored statuses. The real worker reports on its own meanwhile,
 * so its entries (id `real`, mirrors `real-*`) are left out.
 */
async function visibleState(client: KeepAliveClient): Promise<string> {
  const workers = ((await getJson(client, '/workers')) as Array<{ id: string }>).filter(
    (w) => w.id !== 'real',
  );
  const jobs = ((await getJson(client, '/jobs')) as Array<{ name: string }>).filter(
    (j) => !j.name.startsWith('real-'),
  );
  const perWorker: Record<string, unknown> = {};
  for (const w of workers) {
    perWorker[w.id] = (
      (await getJson(client, `/workers/${segment(w.id, false)}/jobs`)) as Array<{ name: string }>
    ).filter((j) => !j.name.startsWith('real-'));
  }
  return JSON.stringify({ workers, jobs, perWorker });
}

function describeCase(c: Case): string {
  const text = bodyText(c.body);
  return `${c.method} ${c.path} ${JSON.stringify({ ...c.headers, raw: c.raw })} body=${text === undefined ? '-' : text.slice(0, 200)}`;
}

const MB = 1024 * 1024;

function checkRss(what: string, f: RssFigures): void {
  console.log(
    `hostile-http: ${what} RSS ${formatRss(f)}; bound ${(rssBoundBytes(f.startBytes) / MB).toFixed(1)} MB`,
  );
  expect(f.peakBytes).toBeLessThan(rssBoundBytes(f.startBytes));
}

async function settledRss(sampler: RssSampler, alive: () => boolean): Promise<RssFigures> {
  // A short quiet time after the storm: "end" is what the process keeps, not its last burst.
  const until = Date.now() + 2000;
  while (Date.now() < until && alive()) await new Promise((r) => setTimeout(r, 100));
  return sampler.stop();
}

// ---------------------------------------------------------------------------------------

test(`the manager: ${MANAGER_REQUESTS} hostile requests, no 5xx, rejected ones change nothing, memory bounded`, async () => {
  const started = Date.now();
  const client = new KeepAliveClient(manager.port, CONCURRENCY);
  const observer = new KeepAliveClient(manager.port, 1);
  const sampler = new RssSampler(manager.child.pid ?? -1);
  const alive = () => manager.child.exitCode === null && manager.child.signalCode === null;
  const target: Target = {
    client,
    port: manager.port,
    errorKey: 'error',
    postPath: '/workers',
    gateway: (c) => c.method === 'POST' && c.path === '/cmd',
  };
  const statuses = new Map<number, number>();
  const problems: string[] = [];
  const count = (o: Outcome, c: Case) => {
    statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    if (o.problem !== undefined && problems.length < 20)
      problems.push(`${o.problem}\n    for ${describeCase(c)}`);
  };
  let rejectedChecked = 0;
  sampler.start();
  try {
    // 1. One at a time: every rejected request leaves the visible state as it was.
    await fc.assert(
      fc.asyncProperty(managerCase(), async (c) => {
        const before = await visibleState(observer);
        const outcome = await sendCase(target, c);
        count(outcome, c);
        expect(outcome.problem).toBeUndefined();
        const rejected = outcome.status >= 400 && outcome.status !== 502 && outcome.status !== 504;
        if (rejected || outcome.status === 0) {
          rejectedChecked += 1;
          expect(await visibleState(observer)).toBe(before);
        }
      }),
      { seed: SEED, numRuns: CHECKED_REQUESTS, endOnFailure: true },
    );
    expect(alive()).toBe(true);

    // 2. The rest as a storm over keep-alive connections, drawn in chunks (bodies of up to
    // 1.1 MB are never all in memory at once).
    let sent = CHECKED_REQUESTS;
    for (let chunk = 1; sent < MANAGER_REQUESTS; chunk++) {
      const n = Math.min(500, MANAGER_REQUESTS - sent);
      const cases = fc.sample(managerCase(), { seed: SEED + chunk, numRuns: n });
      await runPool(cases, CONCURRENCY, async (c) => {
        count(await sendCase(target, c), c);
      });
      sent += n;
      expect(alive()).toBe(true);
    }
  } finally {
    client.close();
  }
  const rss = await settledRss(sampler, alive);
  expect(alive()).toBe(true);
  expect(await getJson(observer, '/ping')).toEqual({ message: 'pong' });
  observer.close();

  console.log(
    `hostile-http: manager answered ${MANAGER_REQUESTS} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
      `${rejectedChecked} rejected ones checked for changes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
  );
  expect(problems).toEqual([]);
  checkRss('manager', rss);
  expect(manager.output()).not.toMatch(
    /RangeError|Maximum call stack|SSL routines|incorrect header check/,
  );
});

// ---------------------------------------------------------------------------------------
// The worker's control server: `POST /` with a WorkerCmd, behind the same token.

function workerCase(): fc.Arbitrary<Case> {
  const cmd = fc.record({
    cmd: pick(VERBS, fc.string({ maxLength: 8 })),
    mirror_id: fc.oneof(fc.constantFrom('real-a', 'real-b', ''), hostileText),
    args: fc.constantFrom([], ['x'], null),
    options: fc.constantFrom({}, { force: true }, { force: 1 }, null),
  });
  return fc
    .record({
      method: fc.oneof({ weight: 9, arbitrary: fc.constant('POST') }, fc.constantFrom(...METHODS)),
      path: fc.oneof(
        { weight: 9, arbitrary: fc.constant('/') },
        hostileText.map((t) => `/${segment(t, true)}`),
      ),
      body: fc.oneof(
        { weight: 4, arbitrary: cmd.map<BodyChoice>((value) => ({ kind: 'json', value })) },
        {
          weight: 2,
          arbitrary: cmd.chain(mutate).map<BodyChoice>((value) => ({ kind: 'json', value })),
        },
        { weight: 1, arbitrary: anyJson.map<BodyChoice>((value) => ({ kind: 'json', value })) },
        {
          weight: 2,
          arbitrary: hostileBodyText
            .filter((t) => t.length < 1_000_000)
            .map<BodyChoice>((text) => ({ kind: 'text', text })),
        },
        { weight: 1, arbitrary: fc.constant<BodyChoice>({ kind: 'none' }) },
      ),
      headers: headerChoice,
      raw: fc.oneof({ weight: 99, arbitrary: fc.constant(undefined) }, rawCase),
    })
    .map(({ raw, ...c }) => ({
      ...c,
      ...(raw === undefined ? {} : { raw: rewriteRawForWorker(raw) }),
    }));
}

/** The raw cases aim at `/` on the worker (its only route). */
function rewriteRawForWorker(raw: RawCase): RawCase {
  return raw.kind === 'raw-path'
    ? { kind: 'raw-path', path: raw.path.replace(/^\/workers/, '') }
    : raw;
}

const RECEIVED = /received command /g;

test(`the worker's control server: ${WORKER_REQUESTS} hostile requests, no 5xx, refused ones never reach a command`, async () => {
  const port = Number(new URL(workerUrl).port);
  const client = new KeepAliveClient(port, 4);
  const observer = new KeepAliveClient(port, 1);
  const target: Target = { client, port, errorKey: 'msg', postPath: '/', gateway: () => false };
  const sampler = new RssSampler(worker.pid);
  const alive = () => worker.child.exitCode === null && worker.child.signalCode === null;
  const statuses = new Map<number, number>();
  const problems: string[] = [];
  let commands = 0;
  // Marker commands (to mirrors that do not exist: 404, but logged as received) bracket the
  // storm in the worker's log, apart from the commands the manager test forwarded.
  const mark = async (mirror: string) => {
    const a = await observer.send(
      toRequest(
        {
          method: 'POST',
          path: '/',
          body: { kind: 'json', value: { cmd: 'ping', mirror_id: mirror, args: [], options: {} } },
          headers: {
            contentType: 'application/json',
            encoding: 'identity',
            honestEncoding: true,
            authorization: 'good',
            extra: {},
          },
        },
        TOKEN,
      ),
    );
    expect(a.status).toBe(404);
    return (await worker.waitForOutput(new RegExp(`received command ping ${mirror}\\b`), 10_000))
      .index;
  };
  const from = await mark('marker-start');
  sampler.start();
  try {
    let sent = 0;
    for (let chunk = 0; sent < WORKER_REQUESTS; chunk++) {
      const n = Math.min(500, WORKER_REQUESTS - sent);
      const cases = fc.sample(workerCase(), { seed: SEED + 1000 + chunk, numRuns: n });
      await runPool(cases, 4, async (c) => {
        const o = await sendCase(target, c);
        statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
        // Only a parsed command is logged ("received command …"), then answered 200, 404
        // (unknown mirror) or 406 (worker-level verb other than reload).
        const unknownMirror = o.status === 404 && o.said?.startsWith('Mirror ') === true;
        if (o.status === 200 || unknownMirror || o.status === 406) commands += 1;
        if (o.problem !== undefined && problems.length < 20)
          problems.push(`${o.problem}\n    for ${describeCase(c)}`);
      });
      sent += n;
      expect(alive()).toBe(true);
    }
  } finally {
    client.close();
  }
  const rss = await settledRss(sampler, alive);
  const to = await mark('marker-end');
  observer.close();
  const received = (worker.output().slice(from, to).match(RECEIVED) ?? []).length - 1;

  console.log(
    `hostile-http: worker answered ${WORKER_REQUESTS} requests; ${received} reached a command; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
  );
  expect(problems).toEqual([]);
  expect(alive()).toBe(true);
  // Refused requests (400, 401, 413, unknown routes) never got as far as a command.
  expect(received).toBeLessThanOrEqual(commands);
  checkRss('worker', rss);
});
