import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  requireTool,
  startManagerProcess,
  startRsyncDaemon,
  startWorkerProcess,
  TempDirs,
  writeTree,
  type ManagerProcess,
  type RsyncDaemon,
  type WorkerProcess,
  waitUntil,
} from '@tunasync/test-utils';
import {
  commandMirror,
  processCommandLines,
  randomToken,
  send,
  tokenLine,
  workerConf,
  type Answer,
} from '../src/auth-fixtures';

/*
 * Issue #11: no secret — an rsync password, a worker's, the admin's or the shared token, the
 * password of a URL — appears in a log (manager and worker at debug level, the mirrors' logs,
 * tunasynctl --debug), in any HTTP answer of the manager or the worker, in an error_msg, or on
 * the command line of any process while syncs run.
 */

const run = promisify(execFile);
const CTL_BIN = join(__dirname, '..', '..', '..', 'apps', 'ctl', 'bin', 'tunasynctl.js');
const dirs = new TempDirs();
const S = {
  rsyncPassword: randomToken('rsyncpw'),
  wrongRsyncPassword: randomToken('wrongrsyncpw'),
  urlPassword: randomToken('urlpw'),
  worker: randomToken('workertoken'),
  admin: randomToken('admintoken'),
  shared: randomToken('sharedtoken'),
};
const SECRETS = Object.values(S);

/** The secrets a text holds (as written or URL-encoded). */
function leaked(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
}

let dir: string;
let daemon: RsyncDaemon;
let manager: ManagerProcess;
let worker: WorkerProcess;
let controlUrl: string;
const answers: Array<{ what: string; answer: Answer }> = [];
const ctlOutputs: string[] = [];

async function remember(what: string, answer: Promise<Answer>): Promise<Answer> {
  const a = await answer;
  answers.push({ what, answer: a });
  return a;
}
const api = (method: string, path: string, body?: unknown, token?: string) =>
  remember(`${method} ${path}`, send(`${manager.url}${path}`, method, body, token));

async function ctl(...args: string[]): Promise<void> {
  const { stdout, stderr } = await run(
    process.execPath,
    [CTL_BIN, ...args, '--debug', '-m', '127.0.0.1', '-p', String(manager.port)],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home') } },
  );
  ctlOutputs.push(stdout, stderr);
}

async function statuses(): Promise<Array<Record<string, string>>> {
  const answer = await api('GET', '/workers/w1/jobs');
  return JSON.parse(answer.body) as Array<Record<string, string>>;
}
const statusOf = async (name: string) => (await statuses()).find((s) => s.name === name);

/** Every process's command line, every 50 ms, until `done` resolves. */
async function sweep(done: Promise<unknown>, rsyncUrl: string) {
  let finished = false;
  void done.finally(() => (finished = true));
  const found = {
    sweeps: 0,
    withRsync: 0,
    mostRsyncAtOnce: 0,
    passwordInEnvironment: 0,
    leaks: [] as string[],
  };
  const rsyncPids = new Set<number>();
  while (!finished) {
    const lines = await processCommandLines();
    found.sweeps += 1;
    const rsyncs = lines.filter((l) => l.cmdline.includes(rsyncUrl));
    if (rsyncs.length > 0) found.withRsync += 1;
    found.mostRsyncAtOnce = Math.max(found.mostRsyncAtOnce, rsyncs.length);
    for (const r of rsyncs) {
      rsyncPids.add(r.pid);
      const environ = await readFile(`/proc/${r.pid}/environ`, 'utf8').catch(() => '');
      if (environ.split('\0').includes(`RSYNC_PASSWORD=${S.rsyncPassword}`)) {
        found.passwordInEnvironment += 1;
      }
    }
    for (const l of lines) {
      for (const s of leaked(l.cmdline)) found.leaks.push(`pid ${l.pid}: ${s}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ...found, rsyncPids };
}

beforeAll(async () => {
  requireTool('rsync', 'apt-get install -y rsync');
  dir = await dirs.make('faults-secrets-');
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 16; i += 1) files[`pool/f${i}.bin`] = Buffer.alloc(64 * 1024, i);
  await writeTree(join(dir, 'upstream'), files);
  daemon = await startRsyncDaemon({
    modules: [
      {
        name: 'secure',
        path: join(dir, 'upstream'),
        auth: { user: 'mirror', password: S.rsyncPassword },
      },
    ],
  });
  await writeFile(join(dir, 'workers'), tokenLine('w1', S.worker));
  await writeFile(join(dir, 'admins'), tokenLine('alice', S.admin));
  manager = await startManagerProcess({
    config:
      `[server]\ntoken = "${S.shared}"\n` +
      `worker_tokens_file = ${JSON.stringify(join(dir, 'workers'))}\n` +
      `admin_tokens_file = ${JSON.stringify(join(dir, 'admins'))}\n`,
    args: ['--debug'],
  });
  await mkdir(join(dir, 'home', '.config', 'tunasync'), { recursive: true });
  await writeFile(join(dir, 'home', '.config', 'tunasync', 'ctl.conf'), `token = "${S.admin}"\n`);
  const rsyncMirror = (name: string, password: string, extra: string) => `[[mirrors]]
name = "${name}"
provider = "rsync"
upstream = "${daemon.url('secure')}"
username = "mirror"
password = "${password}"
${extra}
`;
  const conf = join(dir, 'worker.conf');
  await writeFile(
    conf,
    workerConf({
      name: 'w1',
      managerUrl: manager.url,
      token: S.worker,
      dir: join(dir, 'w1'),
      mirrors: [
        rsyncMirror('rsync-ok', S.rsyncPassword, 'rsync_options = ["--bwlimit=256"]'),
        rsyncMirror('rsync-badpw', S.wrongRsyncPassword, 'retry = 1'),
        commandMirror('url-cmd', 'sleep 1', `https://urluser:${S.urlPassword}@127.0.0.1:9/repo/`),
      ].join('\n'),
    }),
  );
  worker = await startWorkerProcess({
    configFile: conf,
    stateDir: join(dir, 'state'),
    args: ['--debug'],
  });
  controlUrl = await worker.started();
});

afterAll(async () => {
  await worker?.stop();
  await manager?.stop();
  await daemon?.stop();
  await dirs.cleanup();
});

test('no secret on any command line while syncs run (the rsync password goes by environment)', async () => {
  const rsyncUrl = daemon.url('secure');
  const first = waitUntil(
    'rsync-ok success',
    async () => (await statusOf('rsync-ok'))?.status === 'success',
    60_000,
  );
  const firstSweep = await sweep(first, rsyncUrl);
  // A second run with new files, started by tunasynctl (the admin token comes from
  // ctl.conf, not argv).
  const more: Record<string, Buffer> = {};
  for (let i = 0; i < 16; i += 1) more[`pool/g${i}.bin`] = Buffer.alloc(64 * 1024, i + 1);
  await writeTree(join(dir, 'upstream'), more);
  const started = await statusOf('rsync-ok');
  await ctl('restart', '-w', 'w1', 'rsync-ok');
  const second = waitUntil(
    'second rsync-ok success',
    async () => {
      const now = await statusOf('rsync-ok');
      return now?.status === 'success' && now.last_update !== started?.last_update;
    },
    60_000,
  );
  const secondSweep = await sweep(second, rsyncUrl);
  for (const s of [firstSweep, secondSweep]) {
    expect(s.leaks).toEqual([]);
    // The sweeps saw the syncs, and rsync's own children (generator and receiver) with them.
    expect(s.withRsync).toBeGreaterThanOrEqual(3);
    expect(s.mostRsyncAtOnce).toBeGreaterThanOrEqual(2);
    // The positive control: the sweeps do see the password where it is, in rsync's environment.
    expect(s.passwordInEnvironment).toBeGreaterThanOrEqual(1);
  }
  console.log(
    `secrets sweeps: ${firstSweep.sweeps + secondSweep.sweeps} sweeps, ${firstSweep.withRsync + secondSweep.withRsync} with rsync running, ${firstSweep.rsyncPids.size + secondSweep.rsyncPids.size} rsync processes`,
  );
});

test('no secret in any answer of the manager or the worker, nor in error_msg', async () => {
  await waitUntil(
    'rsync-badpw failed',
    async () => (await statusOf('rsync-badpw'))?.status === 'failed',
    60_000,
  );
  await waitUntil(
    'url-cmd success',
    async () => (await statusOf('url-cmd'))?.status === 'success',
    30_000,
  );
  const bad = await statusOf('rsync-badpw');
  expect(bad?.error_msg).not.toBe('');
  expect((await statusOf('url-cmd'))?.upstream).toBe('https://urluser@127.0.0.1:9/repo/');

  for (const path of [
    '/',
    '/ping',
    '/jobs',
    '/jobs?with_worker=1',
    '/workers',
    '/workers/w1/jobs',
    '/metrics',
    '/mirrorz.json',
    '/workers/w1/jobs/rsync-ok/history',
    '/workers/w1/jobs/rsync-badpw/history',
  ]) {
    await api('GET', path);
  }
  await api('POST', '/workers/w1/schedules', { schedules: [] }, randomToken('wrong'));
  await api('DELETE', '/jobs/disabled', undefined, S.worker);
  await api('POST', '/workers', { id: 'w2', url: 'http://127.0.0.1:9/' }, S.worker);
  await api('POST', '/cmd', { cmd: 'ping', worker_id: 'w1', mirror_id: 'rsync-ok' }, S.admin);
  await api('POST', '/cmd', { cmd: 'ping', worker_id: 'w1', mirror_id: 'nope' }, S.shared);
  await api('POST', '/cmd', { cmd: 'ping', worker_id: 'w1', mirror_id: 'rsync-ok' }, S.worker);
  await api('POST', '/workers/w1/jobs/rsync-ok', { name: 'rsync-ok' }, S.worker);
  const ping = { cmd: 'ping', mirror_id: 'rsync-ok', args: [], options: {} };
  for (const token of [undefined, randomToken('wrong'), S.admin, S.worker]) {
    await remember('worker POST /', send(controlUrl, 'POST', ping, token));
  }
  await remember(
    'worker POST / unknown',
    send(controlUrl, 'POST', { ...ping, mirror_id: 'nope' }, S.worker),
  );
  await remember('worker POST / bad body', send(controlUrl, 'POST', { cmd: 1 }, S.worker));
  await ctl('list', '--all');
  await ctl('workers');

  expect(answers.length).toBeGreaterThanOrEqual(30);
  expect(new Set(answers.map((a) => a.answer.status))).toEqual(new Set([200, 400, 401, 403, 404]));
  for (const { what, answer } of answers) expect([what, leaked(answer.text)]).toEqual([what, []]);
  expect(leaked(ctlOutputs.join('\n'))).toEqual([]);
});

test('no secret in any log, at debug level: manager, worker, the mirrors’ logs, tunasynctl', async () => {
  const mirrorLogs: string[] = [];
  const walk = async (path: string): Promise<void> => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) mirrorLogs.push(await readFile(full, 'utf8'));
    }
  };
  await walk(join(dir, 'w1', 'log'));
  expect(mirrorLogs.length).toBeGreaterThanOrEqual(3);
  expect(manager.output()).toMatch(/\[DEBUG\]/);
  expect(worker.output()).toMatch(/\[DEBUG\]/);
  expect(worker.output()).toContain('rsync');
  expect(ctlOutputs.join('\n')).toMatch(/debug|GET|POST/i);
  for (const [what, text] of [
    ['manager', manager.output()],
    ['worker', worker.output()],
    ['mirror logs', mirrorLogs.join('\n')],
    ['tunasynctl', ctlOutputs.join('\n')],
  ] as const) {
    expect([what, leaked(text)]).toEqual([what, []]);
  }
});
