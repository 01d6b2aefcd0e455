import { Credentials } from '../src/credentials';
import { parseTokenFile, tokenDigest } from '../src/token-file';
import type { TokenEntry } from '../src/token-file';
import { report, startFakeWorker, useTestManagers } from './helpers';
import type { TestManager } from './helpers';

const SHARED = 'shared-token-0123';
const ADMIN = 'admin-token-4567';
const W1 = 'worker-one-token-89ab';
const W2 = 'worker-two-token-cdef';
const W1_NEXT = 'worker-one-next-token';
const ALL_TOKENS = [SHARED, ADMIN, W1, W2, W1_NEXT];

const entry = (name: string, token: string): TokenEntry => ({ name, digest: tokenDigest(token) });
const hashLine = (name: string, token: string) =>
  `${name} sha256:${tokenDigest(token).toString('hex')}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('parseTokenFile', () => {
  test('lines of "<name> sha256:<hex>", comments and blank lines, a name on several lines', () => {
    const text = [
      '# worker tokens',
      '',
      hashLine('w1', W1),
      `  ${hashLine('w1', W1_NEXT).toUpperCase().replace('W1 SHA256', 'w1 sha256')}  `,
      `${hashLine('w2', W2).replace(' ', '\t')}\r`,
    ].join('\n');
    const { entries, problems } = parseTokenFile(text, '/etc/t', 'worker id');
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.name)).toEqual(['w1', 'w1', 'w2']);
    expect(entries[1]?.digest.equals(tokenDigest(W1_NEXT))).toBe(true);
  });

  test('every bad line is a file:line problem that never repeats a hash field', () => {
    const text = [
      W1,
      `w1 ${W1}`,
      'bad/name sha256:' + '0'.repeat(64),
      `w1 sha256:${'0'.repeat(63)}`,
      `${hashLine('w1', W1)} extra`,
    ].join('\n');
    const { entries, problems } = parseTokenFile(text, '/etc/t', 'worker id');
    expect(entries).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^\/etc\/t:1: expected "<worker id> sha256:<64 hex digits>", got 1 field/,
      ),
      expect.stringMatching(/^\/etc\/t:2: the hash of w1 is not "sha256:" and 64 hex digits/),
      expect.stringMatching(/^\/etc\/t:3: worker id "bad\/name" must start with a letter/),
      expect.stringMatching(/^\/etc\/t:4: the hash of w1 is not/),
      expect.stringMatching(/^\/etc\/t:5: expected .*got 3 field/),
    ]);
    expect(problems.join('\n')).not.toContain(W1);
  });
});

describe('Credentials', () => {
  test('who a token belongs to; unknown, absent and partial tokens are nobody', () => {
    const c = new Credentials({
      shared: SHARED,
      workers: [entry('w1', W1), entry('w2', W2)],
      admins: [entry('alice', ADMIN)],
    });
    expect(c.enabled).toBe(true);
    expect(c.authenticate(SHARED)).toEqual({ kind: 'shared' });
    expect(c.authenticate(ADMIN)).toEqual({ kind: 'admin', name: 'alice' });
    expect(c.authenticate(W2)).toEqual({ kind: 'worker', id: 'w2' });
    for (const token of [undefined, '', 'nope', W1.slice(1), `${W1}x`]) {
      expect(c.authenticate(token)).toBeUndefined();
    }
    expect(c.describe()).toBe('the shared token, 2 worker tokens of 2 workers, 1 admin token');
    expect(new Credentials({}).enabled).toBe(false);
    expect(new Credentials({ workers: [] }).enabled).toBe(true);
  });

  test('the token to call a worker with: the one it presented, else 503 for a worker of the file, else the shared one', () => {
    const c = new Credentials({ shared: SHARED, workers: [entry('w1', W1)] });
    expect(() => c.tokenForWorker('w1')).toThrow(/after the worker's next report or heartbeat/);
    expect(c.tokenForWorker('w9')).toBe(SHARED);
    c.remember('w1', W1, false);
    expect(c.tokenForWorker('w1')).toBe(W1);
    // Another valid token of w1 does not displace it; a registration does.
    c.replace({ shared: SHARED, workers: [entry('w1', W1), entry('w1', W1_NEXT)] });
    c.remember('w1', W1_NEXT, false);
    expect(c.tokenForWorker('w1')).toBe(W1);
    c.remember('w1', W1_NEXT, true);
    expect(c.tokenForWorker('w1')).toBe(W1_NEXT);
    c.remember('w1', W1, true);
    // Rotation: a token that left the file is forgotten; one still there is kept.
    c.replace({ shared: SHARED, workers: [entry('w1', W1), entry('w1', W1_NEXT)] });
    expect(c.tokenForWorker('w1')).toBe(W1);
    c.replace({ shared: SHARED, workers: [entry('w1', W1_NEXT)] });
    expect(() => c.tokenForWorker('w1')).toThrow(/cannot call worker w1 yet/);
    expect(new Credentials({}).tokenForWorker('w1')).toBeUndefined();
  });
});

describe('per-worker credentials on the routes (SPEC §7.12)', () => {
  const managers = useTestManagers();
  let m: TestManager;
  beforeEach(async () => {
    m = await managers.start({
      token: SHARED,
      workerTokens: [entry('w1', W1), entry('w2', W2)],
      adminTokens: [entry('alice', ADMIN)],
    });
    for (const id of ['w1', 'w2']) {
      expect(
        (await m.post('/workers', { id, url: 'http://127.0.0.1:9/' }, bearer(ADMIN))).status,
      ).toBe(200);
      const syncing = report(id, 'm1', 'syncing');
      expect((await m.post(`/workers/${id}/jobs/m1`, syncing, bearer(ADMIN))).status).toBe(200);
    }
  });

  const dump = async () =>
    JSON.stringify([await m.store.listWorkers(), await m.store.listAllMirrorStatusEntries()]);

  const send = (method: string, path: string, body: unknown, token?: string) =>
    fetch(m.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  // Every mutating route of worker w1, and the admin's routes.
  const routes: Array<[string, string, unknown, 'w1' | 'admin']> = [
    ['POST', '/workers', { id: 'w1', url: 'http://127.0.0.1:9/' }, 'w1'],
    ['POST', '/workers/w1/jobs/m1', report('w1', 'm1', 'syncing'), 'w1'],
    ['POST', '/workers/w1/jobs/m1/size', { name: 'm1', size: '1G' }, 'w1'],
    ['POST', '/workers/w1/jobs/m1/progress', { name: 'm1', files: 1, bytes: 2 }, 'w1'],
    ['POST', '/workers/w1/schedules', { schedules: [] }, 'w1'],
    ['DELETE', '/workers/w1', undefined, 'admin'],
    ['DELETE', '/workers/w1?purge=1', undefined, 'admin'],
    ['DELETE', '/jobs/disabled', undefined, 'admin'],
    ['POST', '/cmd', { cmd: 'ping', worker_id: 'w9', mirror_id: 'm1' }, 'admin'],
  ];

  test.each(routes)(
    '%s %s: refused without the right token, and nothing changes',
    async (method, path, body, owner) => {
      const refusals: Array<[string | undefined, number]> = [
        [undefined, 401],
        ['wrong', 401],
        [W2, 403],
        ...(owner === 'admin' ? ([[W1, 403]] as Array<[string, number]>) : []),
      ];
      for (const [token, status] of refusals) {
        const before = await dump();
        const r = await send(method, path, body, token);
        expect([token === undefined ? 'none' : token, r.status]).toEqual([
          token === undefined ? 'none' : token,
          status,
        ]);
        const text = await r.text();
        if (status === 403) expect(text).toMatch(/the token of worker w[12] /);
        expect(await dump()).toBe(before);
      }
      for (const token of owner === 'w1' ? [W1, ADMIN, SHARED] : [ADMIN, SHARED]) {
        const r = await send(method, path, body, token);
        expect([401, 403]).not.toContain(r.status);
        if (method === 'DELETE' && path.startsWith('/workers/w1')) {
          await m.post('/workers', { id: 'w1', url: 'http://127.0.0.1:9/' }, bearer(ADMIN));
        }
      }
      expect(m.logger.lines.join('\n')).not.toMatch(new RegExp(ALL_TOKENS.join('|')));
    },
  );

  test('the :id check is generic: any /workers/:id/... path, any case, URL-decoded', async () => {
    const cases: Array<[string, string, string, number]> = [
      ['POST', '/workers/w2/not-yet-a-route', W1, 403],
      ['POST', '/workers/w2/not-yet-a-route', W2, 404],
      ['POST', '/workers/w2/heartbeat', W1, 403],
      ['POST', '/workers/w2/heartbeat', W2, 200],
      ['PUT', '/workers/w2/anything/else', W1, 403],
      ['POST', '/WORKERS/w2/jobs/m1', W1, 403],
      ['POST', '/workers/w%32/jobs/m1/size', W1, 403],
      ['POST', '/workers/w%E0/jobs/m1', W1, 403],
      ['DELETE', '/workers/w1/', W1, 403],
      ['DELETE', '/Workers/w1', W1, 403],
      ['POST', '/workers%2Fw1/jobs', W1, 403],
    ];
    for (const [method, path, token, status] of cases) {
      const r = await send(method, path, { name: 'm1', size: '2G' }, token);
      expect([method, path, r.status]).toEqual([method, path, status]);
    }
    expect((await m.store.listWorkers()).map((w) => w.id).sort()).toEqual(['w1', 'w2']);
    expect((await m.store.getMirrorStatus('w2', 'm1'))?.size).toBe('unknown');
  });

  test("a worker's token registers only its own id", async () => {
    const r = await send('POST', '/workers', { id: 'w2', url: 'http://127.0.0.1:1/' }, W1);
    expect(r.status).toBe(403);
    expect(await r.json()).toEqual({
      error: 'the token of worker w1 registers only worker w1, not w2',
    });
    expect((await m.store.getWorker('w2'))?.url).toBe('http://127.0.0.1:9/');
    const fresh = await send('POST', '/workers', { id: 'w3', url: 'http://127.0.0.1:1/' }, W1);
    expect(fresh.status).toBe(403);
    expect(await m.store.getWorker('w3')).toBeUndefined();
  });

  test('/cmd calls a worker with the token it presented; 503 before the manager has seen it', async () => {
    const worker = await startFakeWorker();
    try {
      // Registered by the admin: the manager has not seen w1's own token.
      await m.post('/workers', { id: 'w1', url: worker.url }, bearer(ADMIN));
      const cmd = { cmd: 'ping', worker_id: 'w1', mirror_id: 'm1' };
      const early = await m.post('/cmd', cmd, bearer(ADMIN));
      expect(early.status).toBe(503);
      expect((early.json as { error: string }).error).toMatch(
        /^cannot call worker w1 yet: .*will work after the worker's next report or heartbeat$/,
      );
      expect(worker.commands).toEqual([]);
      expect((await m.post('/workers/w1/schedules', { schedules: [] }, bearer(W1))).status).toBe(
        200,
      );
      expect((await m.post('/cmd', cmd, bearer(ADMIN))).status).toBe(200);
      expect(worker.commands.map((c) => c.authorization)).toEqual([`Bearer ${W1}`]);

      // A worker not in the file, registered with the shared token, is called with it.
      await m.post('/workers', { id: 'w9', url: worker.url }, bearer(SHARED));
      expect((await m.post('/cmd', { ...cmd, worker_id: 'w9' }, bearer(W1))).status).toBe(403);
      expect((await m.post('/cmd', { ...cmd, worker_id: 'w9' }, bearer(ADMIN))).status).toBe(200);
      expect(worker.commands.map((c) => c.authorization)).toEqual([
        `Bearer ${W1}`,
        `Bearer ${SHARED}`,
      ]);

      // Rotation: once w1's token leaves the file, it is neither accepted nor sent.
      m.app.credentials.replace({
        shared: SHARED,
        workers: [entry('w1', W1_NEXT), entry('w2', W2)],
        admins: [entry('alice', ADMIN)],
      });
      expect((await m.post('/workers/w1/schedules', { schedules: [] }, bearer(W1))).status).toBe(
        401,
      );
      expect((await m.post('/cmd', cmd, bearer(ADMIN))).status).toBe(503);
      await m.post('/workers', { id: 'w1', url: worker.url }, bearer(W1_NEXT));
      expect((await m.post('/cmd', cmd, bearer(ADMIN))).status).toBe(200);
      expect(worker.commands.at(-1)?.authorization).toBe(`Bearer ${W1_NEXT}`);
      expect(m.logger.lines.join('\n')).not.toMatch(new RegExp(ALL_TOKENS.join('|')));
      expect((await m.get('/workers')).text).not.toMatch(new RegExp(ALL_TOKENS.join('|')));
    } finally {
      await worker.close();
    }
  });

  test('reads stay public', async () => {
    for (const path of ['/jobs', '/workers', '/workers/w1/jobs', '/ping']) {
      expect((await m.get(path)).status).toBe(200);
    }
  });
});

describe('without a shared or admin token', () => {
  const managers = useTestManagers();
  test('worker tokens alone: workers write their routes, nobody else writes anything', async () => {
    const m = await managers.start({ workerTokens: [entry('w1', W1)] });
    expect(
      (await m.post('/workers', { id: 'w1', url: 'http://127.0.0.1:9/' }, bearer(W1))).status,
    ).toBe(200);
    expect((await m.del('/jobs/disabled', bearer(W1))).status).toBe(403);
    expect((await m.del('/jobs/disabled')).status).toBe(401);
    expect((await m.del('/workers/w1', bearer(SHARED))).status).toBe(401);
  });

  test('nothing configured: no authentication, as before', async () => {
    const m = await managers.start({});
    expect((await m.post('/workers', { id: 'w1', url: 'http://127.0.0.1:9/' })).status).toBe(200);
    expect((await m.del('/workers/w1', bearer('anything'))).status).toBe(200);
  });
});
