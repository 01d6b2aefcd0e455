import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ZERO_TIME_RFC3339,
  formatRfc3339,
  type MirrorStatus,
  type MirrorStatusReport,
} from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { ReloadError, StateDirBusyError } from '../../src/errors';
import { RUN_TOKEN_ENV, processStartTime } from '../../src/runtime/run-records';
import type { WorkerRuntime } from '../../src/runtime/worker-runtime';
import { TinyManager, type RecordedRequest } from '../helpers/tiny-manager';
import {
  commandMirror,
  processesMatching,
  processesRunning,
  settledPids,
  startRuntime,
  waitFor,
  workerConf,
} from '../helpers/worker-fixture';

jest.setTimeout(20_000);

const dirs = new TempDirs();
const managers: TinyManager[] = [];
const runtimes: WorkerRuntime[] = [];

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.halt();
  for (const manager of managers.splice(0)) await manager.stop();
  await dirs.cleanup();
});

function stored(name: string, status: MirrorStatus['status'], lastUpdate?: Date): MirrorStatus {
  return {
    name,
    worker: 'w1',
    is_master: true,
    status,
    last_update: lastUpdate ? formatRfc3339(lastUpdate) : ZERO_TIME_RFC3339,
    last_started: ZERO_TIME_RFC3339,
    last_ended: ZERO_TIME_RFC3339,
    next_schedule: ZERO_TIME_RFC3339,
    upstream: `https://example.org/${name}/`,
    size: status === 'success' ? '1.5G' : 'unknown',
    error_msg: '',
  };
}

/** A manager that knows `statuses` for worker w1. */
async function manager(statuses: MirrorStatus[] = []): Promise<TinyManager> {
  const m = await new TinyManager().start();
  m.respond = (req) =>
    req.method === 'GET' && req.url === '/workers/w1/jobs'
      ? { status: 200, body: statuses }
      : undefined;
  managers.push(m);
  return m;
}

async function run(
  dir: string,
  conf: Parameters<typeof startRuntime>[1],
  extra: Parameters<typeof startRuntime>[2] = {},
) {
  const started = await startRuntime(dir, conf, extra);
  runtimes.push(started.runtime);
  return started;
}

/** The status reports a manager accepted for `name`, in order. */
function reportsOf(m: TinyManager, name: string): MirrorStatus[] {
  return m.requests
    .filter((r) => r.method === 'POST' && r.url === `/workers/w1/jobs/${name}`)
    .map((r) => r.body as MirrorStatus);
}

function statusesOf(m: TinyManager, name: string): string[] {
  return reportsOf(m, name).map((s) => s.status);
}

function lastSchedules(m: TinyManager): { name: string; next_schedule: string }[] | undefined {
  const posts = m.requests.filter((r: RecordedRequest) => r.url === '/workers/w1/schedules');
  const last = posts[posts.length - 1];
  return last
    ? (last.body as { schedules: { name: string; next_schedule: string }[] }).schedules
    : undefined;
}

test('start-up registers, then plans every mirror from the statuses the manager keeps', async () => {
  const dir = await dirs.make('rt-start-');
  const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
  const m = await manager([
    stored('off', 'disabled'),
    stored('held', 'paused'),
    stored('fresh', 'success', tenMinutesAgo),
    stored('cut', 'syncing'),
  ]);
  const mirrors = ['off', 'held', 'fresh', 'cut', 'newbie']
    .map((n) => commandMirror(n, 'echo synced'))
    .join('\n');
  const { runtime } = await run(dir, { managers: [m.url], mirrors });

  expect(m.requests[0]).toMatchObject({
    method: 'POST',
    url: '/workers',
    body: { id: 'w1', url: runtime.controlUrl },
  });
  expect(runtime.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(runtime.job('off')?.state).toBe('disabled');
  expect(runtime.job('held')?.state).toBe('paused');

  await waitFor(
    'newbie and cut to succeed',
    () => statusesOf(m, 'newbie').includes('success') && statusesOf(m, 'cut').includes('success'),
  );
  expect(statusesOf(m, 'newbie')).toEqual(['pre-syncing', 'syncing', 'success']);
  const cut = reportsOf(m, 'cut');
  expect(cut.map((s) => s.status)).toEqual(['failed', 'pre-syncing', 'syncing', 'success']);
  expect(cut[0]?.error_msg).toBe('cut was interrupted: the worker stopped while it was syncing');
  // the manager sets the time-stamps; the worker does not fake them
  expect(cut[3]).toMatchObject({
    worker: 'w1',
    upstream: 'https://example.org/cut/',
    last_update: ZERO_TIME_RFC3339,
  });
  expect(statusesOf(m, 'fresh')).toEqual([]);
  expect(statusesOf(m, 'off')).toEqual([]);

  const schedules = await waitFor('the schedules of the three runnable mirrors', () => {
    const s = lastSchedules(m);
    return s?.length === 3 && s;
  });
  const at = Object.fromEntries(schedules.map((s) => [s.name, Date.parse(s.next_schedule)]));
  expect(Object.keys(at).sort()).toEqual(['cut', 'fresh', 'newbie']);
  expect(Math.abs((at.fresh as number) - (tenMinutesAgo.getTime() + 60 * 60_000))).toBeLessThan(
    1000,
  );
  expect((at.newbie as number) - Date.now()).toBeGreaterThan(59 * 60_000);
});

test('without a manager, disabled and paused mirrors stay so from the local state file', async () => {
  const dir = await dirs.make('rt-local-');
  const m = await manager();
  const mirrors = ['a', 'b', 'c'].map((n) => commandMirror(n, 'echo synced')).join('\n');
  const first = await run(dir, { managers: [m.url], mirrors });
  await waitFor('c to succeed', () => statusesOf(m, 'c').includes('success'));
  await first.runtime.disable('a');
  await first.runtime.stop('b');
  await first.runtime.halt();
  expect(statusesOf(m, 'a').at(-1)).toBe('disabled');
  expect(statusesOf(m, 'b').at(-1)).toBe('paused');

  await m.stop(); // nobody answers at start-up now
  const second = await run(
    dir,
    { managers: [m.url], mirrors },
    { registerWaitMs: 100, haltDeliveryMs: 50 },
  );
  expect(second.runtime.job('a')?.state).toBe('disabled');
  expect(second.runtime.job('b')?.state).toBe('paused');
  // c succeeded a moment ago (local clock): next run one interval after that success
  const c = second.runtime.schedules().find((s) => s.name === 'c');
  expect(c && c.at.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
  expect(second.log()).toContain('did not answer at start-up; starting from the local state file');

  // The manager comes back (perhaps without its data): registered after the start-up plan,
  // it gets every mirror's status, the one that only succeeded too.
  const before = m.requests.length;
  await m.start();
  const sent = () => m.requests.slice(before);
  await waitFor('every status after the late registration', () => {
    const reports = sent().filter((r) => r.url.startsWith('/workers/w1/jobs/'));
    const last = (name: string) =>
      (
        reports.filter((r) => (r.body as MirrorStatus).name === name).at(-1)?.body as
          MirrorStatus | undefined
      )?.status;
    return last('a') === 'disabled' && last('b') === 'paused' && last('c') === 'success';
  });
  expect(sent().some((r) => r.method === 'POST' && r.url === '/workers')).toBe(true);
  expect(second.log()).toContain('after start-up; sending the status of 3 mirror(s)');
});

test('commands: start beyond concurrent with force, stop, restart, disable; stopped runs leave no process', async () => {
  const dir = await dirs.make('rt-cmd-');
  const m = await manager([
    stored('one', 'paused'),
    stored('two', 'paused'),
    stored('idle', 'success', new Date()),
  ]);
  const mirrors = [
    commandMirror('one', 'sleep 31.101'),
    commandMirror('two', 'sleep 31.102'),
    commandMirror('idle', 'echo synced'),
  ].join('\n');
  const { runtime } = await run(dir, { managers: [m.url], mirrors, concurrent: 1 });

  await runtime.start('one', { force: false });
  await waitFor('one to sync', () => processesMatching('sleep 31.101').length > 0);
  await runtime.start('two', { force: false });
  expect(runtime.job('two')?.running).toBe(true); // waiting for the only slot
  expect(statusesOf(m, 'two')).toEqual([]);
  await runtime.start('two', { force: true });
  await waitFor('two to sync beside one', () => processesMatching('sleep 31.102').length > 0);
  expect(processesMatching('sleep 31.101').length).toBeGreaterThan(0);

  await runtime.stop('one');
  expect(processesMatching('sleep 31.101')).toEqual([]);
  expect(runtime.job('one')?.state).toBe('paused');

  const before = processesMatching('sleep 31.102');
  await runtime.restart('two');
  await waitFor('two to sync again', () => {
    const now = processesMatching('sleep 31.102');
    return now.length > 0 && now.every((p) => !before.includes(p));
  });
  await runtime.disable('two');
  expect(processesMatching('sleep 31.102')).toEqual([]);
  expect(runtime.job('two')?.state).toBe('disabled');

  // ping changes nothing; any other command first drops the pending schedule entry
  expect(runtime.schedules().map((s) => s.name)).toEqual(['idle']);
  await runtime.ping('idle');
  expect(runtime.schedules().map((s) => s.name)).toEqual(['idle']);
  await runtime.stop('idle');
  expect(runtime.schedules()).toEqual([]);

  await m.waitFor(1);
  await waitFor(
    'the reports to arrive',
    () => statusesOf(m, 'two').at(-1) === 'disabled' && statusesOf(m, 'one').at(-1) === 'paused',
  );
  expect(statusesOf(m, 'one')).toEqual(['pre-syncing', 'syncing', 'paused']);
  expect(statusesOf(m, 'two')).toEqual([
    'pre-syncing',
    'syncing',
    'failed',
    'pre-syncing',
    'syncing',
    'disabled',
  ]);
  expect(reportsOf(m, 'two')[2]?.error_msg).toBe('two was killed (restart)');
  await waitFor('an empty schedule list', () => lastSchedules(m)?.length === 0);
});

test('reload adds, changes and removes mirrors; an unchanged running sync continues; a broken file changes nothing', async () => {
  const dir = await dirs.make('rt-reload-');
  const m = await manager([
    stored('keep', 'success', new Date(0)),
    stored('change', 'paused'),
    stored('gone', 'paused'),
  ]);
  const conf = (mirrors: string) => ({ managers: [m.url], mirrors });
  const { runtime, file, log } = await run(
    dir,
    conf(
      [
        commandMirror('keep', 'sleep 31.201'),
        commandMirror('change', 'echo v1'),
        commandMirror('gone', 'echo x'),
      ].join('\n'),
    ),
  );
  // Wait for `sleep` itself, not only the `sh -c` that starts it, so the set of pids is final.
  await waitFor('keep to sync', () => processesRunning('sleep 31.201').length > 0);
  const keepPids = processesMatching('sleep 31.201');

  await writeFile(
    file,
    workerConf(
      dir,
      conf(
        [
          commandMirror('keep', 'sleep 31.201'),
          commandMirror('change', 'echo v2', 'upstream = "https://example.org/v2/"'),
          commandMirror('fresh', 'echo new'),
        ].join('\n'),
      ),
    ).replace(/upstream = "https:\/\/example.org\/change\/"\n/, ''),
  );
  await runtime.reload();
  expect(runtime.hasMirror('gone')).toBe(false);
  expect(runtime.job('change')?.state).toBe('paused'); // it was paused: it stays so
  await runtime.start('change', { force: false });
  await waitFor(
    'fresh and change to succeed',
    () => statusesOf(m, 'fresh').includes('success') && statusesOf(m, 'change').includes('success'),
  );
  expect(reportsOf(m, 'change').at(-1)?.upstream).toBe('https://example.org/v2/');
  await waitFor('gone reported disabled', () => statusesOf(m, 'gone').includes('disabled'));
  expect(processesMatching('sleep 31.201')).toEqual(keepPids);
  expect(statusesOf(m, 'keep')).toEqual(['pre-syncing', 'syncing']);

  await writeFile(file, '[global]\nname = "w1"\nconcurrent = "many"\n');
  await expect(runtime.reload()).rejects.toBeInstanceOf(ReloadError);
  expect(log()).toContain('reload of');
  expect(log()).toMatch(/reload: .*concurrent/);
  expect(runtime.hasMirror('fresh')).toBe(true);
  expect(processesMatching('sleep 31.201')).toEqual(keepPids);
});

test('a manager that lost this worker gets a new registration and every mirror again', async () => {
  const dir = await dirs.make('rt-lost-');
  const m = await manager([stored('quiet', 'paused'), stored('busy', 'paused')]);
  const { runtime } = await run(dir, {
    managers: [m.url],
    mirrors: [commandMirror('quiet', 'echo x'), commandMirror('busy', 'echo x')].join('\n'),
  });
  let registrations = 1;
  m.respond = (req) => {
    if (req.url === '/workers') {
      registrations++;
      return undefined;
    }
    if (registrations === 1 && req.url.startsWith('/workers/w1/jobs/')) {
      return { status: 400, body: { error: 'invalid workerID w1' } };
    }
    return undefined;
  };
  await runtime.start('busy', { force: false });
  await waitFor('quiet re-sent as paused', () => statusesOf(m, 'quiet').includes('paused'));
  expect(registrations).toBe(2);
  await waitFor('busy to succeed', () => statusesOf(m, 'busy').includes('success'));
});

test('a quiet worker: the heartbeat finds a manager that lost its database, registers again and re-sends every mirror with the time it was seen', async () => {
  const dir = await dirs.make('rt-heartbeat-');
  // A success 30 min ago (interval 60 min: nothing runs) and a paused mirror.
  const ended = new Date(Date.now() - 30 * 60_000);
  const m = await manager([stored('done', 'success', ended), stored('held', 'paused')]);
  await run(
    dir,
    {
      managers: [m.url],
      mirrors: [commandMirror('done', 'echo x'), commandMirror('held', 'echo x')].join('\n'),
    },
    { heartbeatIntervalMs: 50 },
  );
  await waitFor('a heartbeat', () => m.requests.some((r) => r.url === '/workers/w1/heartbeat'));
  let registered = false;
  m.respond = (req) => {
    if (req.url === '/workers') registered = true;
    else if (!registered && req.url === '/workers/w1/heartbeat') {
      return { status: 400, body: { error: 'invalid workerID w1' } };
    }
    return undefined;
  };
  await waitFor('done re-sent', () => statusesOf(m, 'done').includes('success'));
  await waitFor('held re-sent', () => statusesOf(m, 'held').includes('paused'));
  expect(registered).toBe(true);
  const resent = reportsOf(m, 'done')[0] as MirrorStatusReport;
  // Its age is the time since the success, not 0: the manager keeps the real end time.
  expect(resent.observed_ago_ms).toBeGreaterThanOrEqual(30 * 60_000);
  expect(resent.observed_ago_ms).toBeLessThan(31 * 60_000);
});

test('start-up terminates what a killed worker left running, and refuses a state dir in use', async () => {
  const dir = await dirs.make('rt-reap-');
  const state = path.join(dir, 'state');
  await mkdir(path.join(state, 'runs'), { recursive: true });
  const token = 'token-of-a-previous-life';
  const orphan = spawn('sh', ['-c', 'sleep 31.301'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [RUN_TOKEN_ENV]: token },
  });
  await waitFor('the orphan', () => processesMatching('sleep 31.301').length > 0);
  const dead = spawn('true');
  await new Promise((r) => dead.once('exit', r));
  await writeFile(
    path.join(state, 'runs', `${token}.json`),
    JSON.stringify({ token, pid: dead.pid, pid_start: '1', started: new Date().toISOString() }),
  );
  const m = await manager();
  const { runtime, log } = await run(dir, {
    managers: [m.url],
    mirrors: commandMirror('a', 'echo x'),
  });
  expect(processesMatching('sleep 31.301')).toEqual([]);
  expect(log()).toContain('left running by a previous life of this worker');
  expect(await readdir(path.join(state, 'runs'))).toHaveLength(1); // its own record
  orphan.unref();

  // a live owner: another worker uses this state dir
  const live = spawn('sleep', ['31.302'], { stdio: 'ignore' });
  await waitFor('the live owner', () => processStartTime(live.pid as number));
  const other = await dirs.make('rt-busy-');
  await mkdir(path.join(other, 'state', 'runs'), { recursive: true });
  await writeFile(
    path.join(other, 'state', 'runs', 'x.json'),
    JSON.stringify({
      token: 'x',
      pid: live.pid,
      pid_start: processStartTime(live.pid as number),
      started: '',
    }),
  );
  await expect(startAndTrack(other, m)).rejects.toBeInstanceOf(StateDirBusyError);
  live.kill('SIGKILL');
  await runtime.halt();
  expect(await readdir(path.join(state, 'runs'))).toEqual([]);
});

async function startAndTrack(dir: string, m: TinyManager): Promise<void> {
  await run(dir, { managers: [m.url], mirrors: commandMirror('a', 'echo x') });
}

test('halt stops every run, delivers the final statuses and resolves finished', async () => {
  const dir = await dirs.make('rt-halt-');
  const m = await manager();
  const { runtime } = await run(dir, {
    managers: [m.url],
    mirrors: commandMirror('long', 'sleep 31.401'),
  });
  await waitFor('long to sync', () => processesMatching('sleep 31.401').length > 0);
  await runtime.halt();
  await runtime.finished;
  expect(processesMatching('sleep 31.401')).toEqual([]);
  expect(statusesOf(m, 'long')).toEqual(['pre-syncing', 'syncing', 'failed']);
  expect(reportsOf(m, 'long')[2]?.error_msg).toBe('long was killed (halt)');
  await expect(runtime.start('long', { force: false })).rejects.toThrow('halting');
});

test('every manager of api_base_list gets the registration, every report and the schedules; statuses come from the first', async () => {
  const dir = await dirs.make('rt-many-');
  const first = await manager([stored('a', 'paused')]);
  const second = await new TinyManager().start();
  managers.push(second);
  second.respond = (req) =>
    req.method === 'GET' ? { status: 200, body: [stored('a', 'disabled')] } : undefined;
  const { runtime } = await run(dir, {
    managers: [first.url, `${second.url}/`],
    mirrors: [commandMirror('a', 'echo x'), commandMirror('b', 'echo x')].join('\n'),
  });
  expect(runtime.job('a')?.state).toBe('paused'); // the first manager's word
  await waitFor('b to succeed at both', () =>
    [first, second].every((m) => statusesOf(m, 'b').includes('success')),
  );
  for (const m of [first, second]) {
    expect(m.requests[0]).toMatchObject({ url: '/workers', body: { id: 'w1' } });
    expect(statusesOf(m, 'b')).toEqual(['pre-syncing', 'syncing', 'success']);
    await waitFor('the schedule of b', () => lastSchedules(m)?.[0]?.name === 'b');
  }
  expect(second.requests.some((r) => r.method === 'GET')).toBe(false);
});

/** POSTs a WorkerCmd to the control server as the manager does. */
async function command(url: string, cmd: string, mirror: string) {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cmd, mirror_id: mirror, args: [], options: {} }),
  });
  return { status: answer.status, body: (await answer.json()) as unknown };
}

const OK = { status: 200, body: { msg: 'OK' } };
const alive = (pids: number[]) => processesRunning('sleep').filter((p) => pids.includes(p));

// The first run of `stubborn` ignores SIGTERM (so does the `sleep` it runs: an ignored signal
// stays ignored across exec), so stopping it takes the whole kill grace and ends with SIGKILL.
// Its later runs (`sleep 32.103`) die at once.
const stubbornMirror = (dir: string) =>
  commandMirror(
    'stubborn',
    `if [ -e ${dir}/again ]; then exec sleep 32.103; fi; touch ${dir}/again; trap "" TERM; sleep 32.101`,
  );
const QUICK = commandMirror('quick', 'sleep 32.102');

test('a stop waiting out its kill grace holds up no other mirror, and the control server answers at once', async () => {
  const dir = await dirs.make('rt-lanes-');
  const m = await manager();
  const { runtime, file } = await run(
    dir,
    { managers: [m.url], mirrors: [stubbornMirror(dir), QUICK].join('\n') },
    // Long enough that everything below happens inside the grace, however slow the machine.
    { killGraceMs: 5000 },
  );
  const url = runtime.controlUrl;
  const stubborn = await settledPids('stubborn to sync', () => processesRunning('sleep 32.101'));
  const quick = await settledPids('quick to sync', () => processesRunning('sleep 32.102'));

  expect(await command(url, 'stop', 'stubborn')).toEqual(OK);
  // Answered while the stop is still waiting for the stubborn run to die.
  expect(alive(stubborn)).toEqual(stubborn);
  await waitFor('stubborn to be paused', () => runtime.job('stubborn')?.state === 'paused');

  // Commands of the other mirror are answered and applied meanwhile.
  expect(await command(url, 'stop', 'quick')).toEqual(OK);
  await waitFor('quick to be gone', () => alive(quick).length === 0);
  expect(runtime.job('quick')?.state).toBe('paused');
  expect(await command(url, 'start', 'quick')).toEqual(OK);
  await waitFor('quick to sync again', () => processesRunning('sleep 32.102').length > 0);

  // A command of the same mirror is answered too, and applied after the stop, in order.
  expect(await command(url, 'start', 'stubborn')).toEqual(OK);
  expect(runtime.job('stubborn')?.state).toBe('paused');

  // A reload is answered once its file is read; it is applied once the running commands
  // are done (it replaces jobs), and commands asked for after it wait for it: they are
  // judged by the mirrors of that reload (quick removed, fresh added) though it is not
  // applied yet.
  await writeFile(
    file,
    workerConf(dir, {
      managers: [m.url],
      mirrors: [stubbornMirror(dir), commandMirror('fresh', 'echo fresh')].join('\n'),
    }),
  );
  expect(await command(url, 'reload', '')).toEqual(OK);
  expect(runtime.hasMirror('fresh')).toBe(true);
  expect(await command(url, 'ping', 'fresh')).toEqual(OK);
  expect(runtime.job('fresh')).toBeUndefined();
  expect(await command(url, 'stop', 'quick')).toEqual({
    status: 404,
    body: { msg: "Mirror ``quick'' not found" },
  });
  expect(runtime.job('quick')).toBeDefined();
  expect(alive(stubborn)).toEqual(stubborn); // all of the above inside the kill grace

  await waitFor('the stubborn run to be killed', () => alive(stubborn).length === 0, 15_000);
  await waitFor('the reload to be applied', () => runtime.job('fresh') !== undefined);
  expect(runtime.job('quick')).toBeUndefined();
  await waitFor('the run of quick to be gone', () => processesRunning('sleep 32.102').length === 0);
  await waitFor('stubborn to sync again', () => processesRunning('sleep 32.103').length > 0);
  expect(runtime.job('stubborn')?.state).toBe('ready');
});

test('a reload of a broken file is refused at once and changes nothing', async () => {
  const dir = await dirs.make('rt-lanes-reload-');
  const m = await manager();
  const { runtime, file } = await run(dir, { managers: [m.url], mirrors: QUICK });
  await writeFile(file, '[global]\nname = "w1"\nconcurrent = "many"\n');
  const answer = await command(runtime.controlUrl, 'reload', '');
  expect(answer.status).toBe(500);
  expect(answer.body).toEqual({ msg: expect.stringMatching(/concurrent/) as unknown });
  expect(runtime.hasMirror('quick')).toBe(true);
  expect(await command(runtime.controlUrl, 'stop', 'quick')).toEqual(OK);
  await waitFor('quick to be paused', () => runtime.job('quick')?.state === 'paused');
});
