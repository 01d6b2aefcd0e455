import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startManagerProcess,
  startWorkerProcess,
  TempDirs,
  type ManagerProcess,
  type WorkerProcess,
  waitUntil,
} from '@tunasync/test-utils';
import {
  commandMirror,
  occurrences,
  randomToken,
  send,
  tokenLine,
  workerConf,
} from '../src/auth-fixtures';

/*
 * Issue #11, finding 7: per-worker credentials on every mutating route of the manager and
 * of the worker's control server, with the built programs as child processes, and the
 * rotation of a worker's token by SIGHUP while the workers run.
 */

const dirs = new TempDirs();
const T = {
  shared: randomToken('shared'),
  admin: randomToken('admin'),
  w1: randomToken('w1'),
  w2: randomToken('w2'),
  w3: randomToken('w3'),
  wrong: randomToken('wrong'),
  w1Next: randomToken('w1next'),
  w2Next: randomToken('w2next'),
};
const EVERY_TOKEN = new RegExp(Object.values(T).join('|'));

let dir: string;
let workersFile: string;
let manager: ManagerProcess;
const workers = new Map<string, { proc: WorkerProcess; conf: string; state: string }>();

async function startWorker(name: string, token: string): Promise<WorkerProcess> {
  const old = workers.get(name);
  await old?.proc.stop();
  const conf = old?.conf ?? join(dir, `${name}.conf`);
  const state = old?.state ?? join(dir, `${name}-state`);
  await writeFile(
    conf,
    workerConf({
      name,
      managerUrl: manager.url,
      token,
      dir: join(dir, name),
      mirrors: commandMirror('m1', 'true'),
    }),
  );
  const proc = await startWorkerProcess({ configFile: conf, stateDir: state, args: ['--debug'] });
  workers.set(name, { proc, conf, state });
  return proc;
}

const worker = (name: string) => workers.get(name)?.proc as WorkerProcess;
const api = (method: string, path: string, body?: unknown, token?: string) =>
  send(`${manager.url}${path}`, method, body, token);
const statusOf = async (id: string, mirror: string) => {
  const jobs = await api('GET', `/workers/${id}/jobs`);
  if (jobs.status !== 200) return undefined;
  return (JSON.parse(jobs.body) as Array<{ name: string; status: string }>).find(
    (j) => j.name === mirror,
  )?.status;
};

async function writeWorkerTokens(lines: string): Promise<void> {
  await writeFile(workersFile, lines);
}

/** SIGHUP, then the `n`-th line matching `pattern` in the manager's output (within 5 s). */
async function hup(pattern: RegExp, n: number): Promise<void> {
  manager.child.kill('SIGHUP');
  await waitUntil(`${pattern} #${n}`, () => occurrences(manager.output(), pattern) >= n, 5000);
}

beforeAll(async () => {
  dir = await dirs.make('faults-credentials-');
  workersFile = join(dir, 'worker-tokens');
  await writeWorkerTokens(tokenLine('w1', T.w1) + tokenLine('w2', T.w2) + tokenLine('w3', T.w3));
  await writeFile(join(dir, 'admin-tokens'), `# admins\n${tokenLine('alice', T.admin)}`);
  manager = await startManagerProcess({
    config:
      `[server]\ntoken = "${T.shared}"\n` +
      `worker_tokens_file = ${JSON.stringify(workersFile)}\n` +
      `admin_tokens_file = ${JSON.stringify(join(dir, 'admin-tokens'))}\n`,
    args: ['--debug'],
  });
  // w1 and w2 have tokens of their own; w4 keeps the shared token, as before.
  await Promise.all([
    startWorker('w1', T.w1),
    startWorker('w2', T.w2),
    startWorker('w4', T.shared),
  ]);
  // The schedule list follows the success: both in, so no report of theirs changes the
  // state the refused requests below are checked against.
  for (const id of ['w1', 'w2', 'w4']) {
    await waitUntil(`${id}'s m1 success and its next schedule`, async () => {
      const jobs = await api('GET', `/workers/${id}/jobs`);
      const m1 = (JSON.parse(jobs.body) as Array<Record<string, string>>).find(
        (j) => j.name === 'm1',
      );
      return m1?.status === 'success' && Date.parse(m1.next_schedule ?? '') > 0;
    });
  }
});

afterAll(async () => {
  await Promise.all([...workers.values()].map((w) => w.proc.stop()));
  await manager?.stop();
  await dirs.cleanup();
});

type Who = 'none' | 'wrong' | 'other' | 'own' | 'admin' | 'shared';
const WHO: Who[] = ['none', 'wrong', 'other', 'own', 'admin', 'shared'];
/** `pass`: authorized (any answer but 401/403; a route that does not exist yet). */
type Expected = number | 'pass';

interface RouteCase {
  method: string;
  path: string;
  body?: unknown;
  /** The worker whose token is "own" (w3 has no process: nothing but the test writes it). */
  target: 'w1' | 'w3';
  expected: Record<Who, Expected>;
}

const workerRoute = (ok: Expected) => ({
  none: 401,
  wrong: 401,
  other: 403,
  own: ok,
  admin: ok,
  shared: ok,
});
const adminRoute = { none: 401, wrong: 401, other: 403, own: 403, admin: 200, shared: 200 };
const syncing = {
  name: 'probe',
  worker: 'w3',
  is_master: true,
  status: 'syncing',
  last_update: '2000-01-01T00:00:00Z',
  last_started: '2000-01-01T00:00:00Z',
  last_ended: '2000-01-01T00:00:00Z',
  next_schedule: '2000-01-01T00:00:00Z',
  upstream: 'https://example.org/probe/',
  size: 'unknown',
  error_msg: '',
};

const ROUTES: RouteCase[] = [
  {
    method: 'POST',
    path: '/workers',
    body: { id: 'w3', url: 'http://127.0.0.1:9/' },
    target: 'w3',
    expected: workerRoute(200),
  },
  {
    method: 'POST',
    path: '/workers/w3/jobs/probe',
    body: syncing,
    target: 'w3',
    expected: workerRoute(200),
  },
  {
    method: 'POST',
    path: '/workers/w3/jobs/probe/size',
    body: { name: 'probe', size: '1.5G' },
    target: 'w3',
    expected: workerRoute(200),
  },
  {
    method: 'POST',
    path: '/workers/w3/jobs/probe/progress',
    body: { name: 'probe', files: 7, bytes: 4096 },
    target: 'w3',
    expected: workerRoute(200),
  },
  {
    method: 'POST',
    path: '/workers/w3/schedules',
    body: { schedules: [{ name: 'probe', next_schedule: '2030-01-02T03:04:05Z' }] },
    target: 'w3',
    expected: workerRoute(200),
  },
  // A route of a worker that another part of #11 adds: covered by the generic :id check.
  {
    method: 'POST',
    path: '/workers/w3/heartbeat',
    body: {},
    target: 'w3',
    expected: workerRoute('pass'),
  },
  { method: 'DELETE', path: '/workers/w3', target: 'w3', expected: adminRoute },
  { method: 'DELETE', path: '/jobs/disabled', target: 'w3', expected: adminRoute },
  {
    method: 'POST',
    path: '/cmd',
    body: { cmd: 'stop', worker_id: 'w1', mirror_id: 'm1', args: [], options: {} },
    target: 'w1',
    expected: adminRoute,
  },
];

function tokenOf(who: Who, target: 'w1' | 'w3'): string | undefined {
  switch (who) {
    case 'none':
      return undefined;
    case 'wrong':
      return T.wrong;
    case 'other':
      return target === 'w1' ? T.w2 : T.w1;
    case 'own':
      return T[target];
    case 'admin':
      return T.admin;
    case 'shared':
      return T.shared;
  }
}

/** w3 exists with a syncing `probe` (a refused request must leave exactly this). */
async function seedW3(): Promise<void> {
  expect((await api('POST', '/workers', ROUTES[0]?.body, T.admin)).status).toBe(200);
  expect((await api('POST', '/workers/w3/jobs/probe', syncing, T.admin)).status).toBe(200);
}

/**
 * What a request could change: every worker (`last_online` only of w3, the others run and
 * report on their own) and every status with its progress; w1's commands received.
 */
async function state(): Promise<string> {
  const list = JSON.parse((await api('GET', '/workers')).body) as Array<Record<string, unknown>>;
  const jobs = JSON.parse((await api('GET', '/jobs?with_worker=1')).body) as Array<
    Record<string, unknown>
  >;
  const w3 = await api('GET', '/workers/w3/jobs');
  return JSON.stringify({
    workers: list.map(({ last_online, ...rest }) =>
      rest.id === 'w3' ? { ...rest, last_online } : rest,
    ),
    jobs,
    w3: w3.body,
    w1Commands: occurrences(worker('w1').output(), /received command/),
  });
}

describe('per-worker credentials on every mutating route (real manager and workers)', () => {
  test.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    'manager %s × {none, wrong, other worker, own worker, admin, shared}',
    async (_name, route) => {
      await seedW3();
      for (const who of WHO) {
        const before = await state();
        const answer = await api(route.method, route.path, route.body, tokenOf(who, route.target));
        const expected = route.expected[who];
        if (expected === 'pass')
          expect([who, [401, 403].includes(answer.status)]).toEqual([who, false]);
        else expect([who, answer.status, answer.body]).toEqual([who, expected, answer.body]);
        if (answer.status === 401 || answer.status === 403) {
          expect(answer.body).toMatch(
            answer.status === 401 ? /bearer token/ : /^\{"error":"the token of worker w\d /,
          );
          expect(await state()).toBe(before);
        }
        if (route.path === '/workers/w3' && answer.status === 200) await seedW3();
      }
    },
  );

  test("the worker's control server takes only its own [manager] token", async () => {
    const url = await worker('w1').started();
    const disable = { cmd: 'disable', mirror_id: 'm1', args: [], options: {} };
    const expected: Record<Who, number> = {
      none: 401,
      wrong: 401,
      other: 401,
      own: 200,
      admin: 401,
      shared: 401,
    };
    const before = await statusOf('w1', 'm1');
    expect(before).not.toBe('disabled');
    for (const who of WHO.filter((w) => w !== 'own')) {
      const received = occurrences(worker('w1').output(), /received command/);
      const answer = await send(url, 'POST', disable, tokenOf(who, 'w1'));
      expect([who, answer.status]).toEqual([who, expected[who]]);
      expect(answer.body).toBe('{"msg":"Unauthorized: missing or wrong bearer token"}');
      expect(occurrences(worker('w1').output(), /received command/)).toBe(received);
    }
    expect(await statusOf('w1', 'm1')).toBe(before);
    const own = await send(url, 'POST', disable, T.w1);
    expect(own.status).toBe(200);
    await waitUntil('w1 m1 disabled', async () => (await statusOf('w1', 'm1')) === 'disabled');
  });

  test('SIGHUP rotates worker tokens under running workers; no restart of the manager', async () => {
    const pid = manager.child.pid;
    const reloaded = /SIGHUP: credentials reloaded/;
    const ping = (id: string) =>
      api(
        'POST',
        '/cmd',
        { cmd: 'ping', worker_id: id, mirror_id: 'm1', args: [], options: {} },
        T.admin,
      );
    const writes = (token: string, id = 'w1') =>
      api('POST', `/workers/${id}/schedules`, { schedules: [] }, token);

    // w1 without an outage: add the new token, switch the worker, remove the old one.
    await writeWorkerTokens(
      tokenLine('w1', T.w1) + tokenLine('w1', T.w1Next) + tokenLine('w2', T.w2),
    );
    await hup(reloaded, 1);
    expect([(await writes(T.w1)).status, (await writes(T.w1Next)).status]).toEqual([200, 200]);
    expect((await ping('w1')).status).toBe(200);
    await startWorker('w1', T.w1Next);
    expect((await ping('w1')).status).toBe(200); // only the new token opens w1's control server
    await writeWorkerTokens(tokenLine('w1', T.w1Next) + tokenLine('w2', T.w2));
    await hup(reloaded, 2);
    expect([(await writes(T.w1)).status, (await writes(T.w1Next)).status]).toEqual([401, 200]);
    expect((await ping('w1')).status).toBe(200);

    // w2 replaced at once: its old token is refused, and the manager cannot call it until
    // the worker comes back with the new one.
    await writeWorkerTokens(tokenLine('w1', T.w1Next) + tokenLine('w2', T.w2Next));
    await hup(reloaded, 3);
    expect((await writes(T.w2, 'w2')).status).toBe(401);
    const early = await ping('w2');
    expect(early.status).toBe(503);
    expect(early.body).toMatch(/will work after the worker's next report or heartbeat"\}$/);
    await startWorker('w2', T.w2Next);
    expect((await ping('w2')).status).toBe(200);

    // A bad file is refused with one error line; the tokens in force stay.
    await writeWorkerTokens(`w1 ${T.w1Next}\n`);
    await hup(/SIGHUP: credentials not reloaded, the previous tokens stay: .*worker-tokens:1: /, 1);
    expect([(await writes(T.w1Next)).status, (await writes(T.w2Next, 'w2')).status]).toEqual([
      200, 200,
    ]);
    expect(occurrences(manager.output(), /credentials not reloaded/)).toBe(1);

    // The shared token worked throughout, and the manager never restarted.
    expect((await ping('w4')).status).toBe(200);
    expect([manager.child.pid, manager.child.exitCode]).toEqual([pid, null]);
    expect(occurrences(manager.output(), /listening on/)).toBe(1);
  });

  test('no token of any kind in any log, at debug level', () => {
    const logs = [manager.output(), ...[...workers.values()].map((w) => w.proc.output())];
    expect(logs.join('\n')).toMatch(/\[debug\]/i);
    for (const log of logs) expect(log).not.toMatch(EVERY_TOKEN);
  });
});
