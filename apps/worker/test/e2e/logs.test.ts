import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TempDirs, writeGrowingLogScript } from '@tunasync/test-utils';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import { commandMirror, startRuntime, waitFor } from '../helpers/worker-fixture';
import { ManagerFixture } from './e2e-fixture';

/*
 * The log routes end to end (SPEC §7.14): the real manager (a child process) proxies
 * GET /workers/:id/jobs/:job/log to a real worker runtime's control server, which reads the
 * log of a real run of a command mirror.
 */

jest.setTimeout(40_000);

const dirs = new TempDirs();
let runtime: WorkerRuntime | undefined;
let manager: ManagerFixture | undefined;

afterEach(async () => {
  await runtime?.halt();
  runtime = undefined;
  await manager?.stop();
  manager = undefined;
  await dirs.cleanup();
});

const TOKEN = 'log-token';
const auth = { authorization: `Bearer ${TOKEN}` };

/** A manager with a token (and `public_logs` as given) and a worker whose `grow` mirror logs a line every 50 ms until stopped. */
async function setUp(publicLogs: boolean) {
  const dir = await dirs.make('e2e-logs-');
  const grow = await writeGrowingLogScript(dir);
  manager = await new ManagerFixture(
    path.join(dir, 'db'),
    { config: `[server]\ntoken = "${TOKEN}"\npublic_logs = ${publicLogs}\n` },
    TOKEN,
  ).start();
  const started = await startRuntime(dir, {
    managers: [manager.url],
    token: TOKEN,
    mirrors: commandMirror('grow', grow.command),
  });
  runtime = started.runtime;
  await manager.waitForMirror('grow', (s) => s.status === 'syncing', 'syncing');
  return { dir, grow, logDir: path.join(dir, 'log', 'grow'), url: manager.url };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await fetch(url, { headers });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

test('the tail of a running mirror’s log through the manager, and a follow that grows', async () => {
  const { url, grow } = await setUp(false);
  const log = `${url}/workers/w1/jobs/grow/log`;
  // public_logs = false with tokens set: a token is needed.
  const anonymous = await get(log);
  expect(anonymous.status).toBe(401);
  expect(anonymous.text).toContain('public_logs');

  const first = await waitFor('a tick in the log', async () => {
    const r = await get(`${log}?tail=1000`, auth);
    return r.status === 200 && r.text.includes('tick 2') ? r : undefined;
  });
  expect(first.type).toBe('text/plain; charset=utf-8');
  expect(first.text.startsWith('first line\n')).toBe(true);
  const two = await get(`${log}?tail=2`, auth);
  expect(two.text.split('\n')).toHaveLength(3); // two lines and the end of the last one
  expect(two.text).toMatch(/^tick \d+\ntick \d+\n$/);

  // Follow: the answer stays open and brings the lines written after it started.
  const controller = new AbortController();
  const followed = await fetch(`${log}?tail=1&follow=1`, {
    headers: auth,
    signal: controller.signal,
  });
  expect(followed.status).toBe(200);
  const reader = followed.body!.getReader();
  let got = '';
  const decoder = new TextDecoder();
  const readUntil = async (pattern: RegExp) => {
    while (!pattern.test(got)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the follow ended before ${pattern}: ${got}`);
      got += decoder.decode(value, { stream: true });
    }
  };
  await readUntil(/^tick (\d+)\n/);
  const start = Number(/^tick (\d+)/.exec(got)?.[1]);
  await readUntil(new RegExp(`tick ${start + 5}\\n`));
  await grow.stop();
  await readUntil(/last line\n/);
  controller.abort();
  await reader.cancel().catch(() => undefined);
  const ticks = [...got.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
  expect(ticks).toEqual(ticks.map((_, i) => start + i)); // in order, none lost, none twice
});

test('path tricks are refused by the manager or by the worker, and nothing outside log_dir is read', async () => {
  const { url, grow, dir, logDir } = await setUp(true);
  await waitFor(
    'a log file',
    async () => (await get(`${url}/workers/w1/jobs/grow/log`)).status === 200,
  );
  const secret = path.join(dir, 'secret.txt');
  await writeFile(secret, 'top secret\n');
  await symlink(secret, path.join(logDir, 'grow_2020-01-01_00_00.log'));
  await mkdir(path.join(dir, 'log', 'other'), { recursive: true });
  await writeFile(path.join(dir, 'log', 'other', 'other_2020-01-01_00_00.log'), 'other mirror\n');

  const base = `${url}/workers/w1/jobs`;
  for (const [what, target, status] of [
    ['.. as the mirror', `${base}/..%2Fother/log`, 400],
    ['an absolute path as the mirror', `${base}/%2Fetc%2Fpasswd/log`, 400],
    ['an unknown mirror', `${base}/nosuch/log`, 404],
    ['.. as the file', `${base}/grow/log?file=..%2Fother%2Fother_2020-01-01_00_00.log`, 404],
    ['an absolute file', `${base}/grow/log?file=%2Fetc%2Fpasswd`, 404],
    ['a symlink out of log_dir', `${base}/grow/log?file=grow_2020-01-01_00_00.log`, 404],
    ['a bad tail', `${base}/grow/log?tail=0`, 400],
  ] as const) {
    const r = await get(target);
    expect([what, r.status]).toEqual([what, status]);
    expect(r.text).not.toMatch(/top secret|other mirror|root:/);
    expect(JSON.parse(r.text)).toEqual({ error: expect.any(String) as string });
  }
  // public_logs = true: no token needed.
  expect((await get(`${base}/grow/log?tail=1`)).status).toBe(200);
  // The list of the mirror's log files: its own regular files only, never the symlink.
  const list = await get(`${base}/grow/logs`);
  expect(list.status).toBe(200);
  const files = (JSON.parse(list.text) as { files: Array<{ name: string; latest: boolean }> })
    .files;
  expect(files).toHaveLength(1);
  expect(files[0]).toMatchObject({ name: expect.stringMatching(/^grow_.*\.log$/), latest: true });
  const named = await get(`${base}/grow/log?tail=1000&file=${files[0]?.name ?? ''}`);
  expect(named.text.startsWith('first line\n')).toBe(true);
  expect((await get(`${base}/nosuch/logs`)).status).toBe(404);
  await grow.stop();
});
