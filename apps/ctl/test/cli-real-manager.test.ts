import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManagerProcess } from '@tunasync/test-utils';
import { startManagerProcess, TempDirs } from '@tunasync/test-utils';
import type { StandIn } from './helpers/fake-manager';
import { closedPort, json, startStandIn } from './helpers/fake-manager';
import { runCtl } from './helpers/run-ctl';
import { getJson, registerWorker, reportProgress, reportStatus } from './helpers/seed-manager';

/*
 * The built tunasynctl against the real manager (the built `tunasync-manager` as a child
 * process on a free loopback port with a temp LevelDB), seeded over its HTTP API the way
 * workers do. A worker's control server is a real tiny HTTP server on 127.0.0.1 that
 * records the WorkerCmd bodies the manager forwards.
 */

const dirs = new TempDirs();
let home: string;
let manager: ManagerProcess;
let w1: StandIn;
let w2: StandIn;
let refusing: StandIn;
let broken: StandIn;

const ctl = (args: string[]) => runCtl(args, { home });
const at = () => ['-m', '127.0.0.1', '-p', String(manager.port)];
const OK = 'Successfully send the command\n';

/** A worker's control server: answers every command like the Go worker (`{"msg":"OK"}`). */
const workerStandIn = () => startStandIn(() => json(200, { msg: 'OK' }));

beforeAll(async () => {
  home = await dirs.make('ctl-real-home-');
  [manager, w1, w2, refusing, broken] = await Promise.all([
    startManagerProcess(),
    workerStandIn(),
    workerStandIn(),
    // What a worker (ours or Go's) answers for a mirror it does not run (SPEC §4.1).
    startStandIn(() => json(404, { msg: "Mirror ``nosuch'' not found" })),
    startStandIn(() => ({ status: 500, body: 'panic: runtime error' })),
  ]);
  const m = manager.url;
  await registerWorker(m, 'w1', `${w1.url}/`);
  await registerWorker(m, 'w2', `${w2.url}/`);
  await registerWorker(m, 'w3', `${refusing.url}/`);
  await registerWorker(m, 'w4', `${broken.url}/`);
  await registerWorker(m, 'w5', `http://127.0.0.1:${await closedPort()}/`);
  await reportStatus(m, 'w1', 'debian', { status: 'success', size: '1.5T' });
  await reportStatus(m, 'w1', 'ubuntu', { status: 'failed', size: '800G' });
  await reportStatus(m, 'w1', 'archlinux', { status: 'syncing', is_master: false });
  await reportStatus(m, 'w2', 'debian', { status: 'syncing' });
  await reportStatus(m, 'w2', 'pypi', { status: 'paused' });
});

afterAll(async () => {
  await Promise.all([w1, w2, refusing, broken].map((server) => server?.close()));
  await manager?.stop();
  await dirs.cleanup();
});

afterEach(() => {
  w1.seen.splice(0);
  w2.seen.splice(0);
});

describe('tunasynctl list and workers against the real manager', () => {
  it('list --all prints GET /jobs as two-space indented JSON, every WebMirrorStatus field', async () => {
    const jobs = (await getJson(manager.url, '/jobs')) as Record<string, unknown>[];
    const result = await ctl(['list', '--all', ...at()]);
    expect(result).toEqual({
      code: 0,
      stdout: `${JSON.stringify(jobs, null, 2)}\n`,
      stderr: '',
    });
    expect(jobs.map((job) => `${job.name} ${job.status}`)).toEqual([
      'archlinux syncing',
      'debian success',
      'debian syncing',
      'pypi paused',
      'ubuntu failed',
    ]);
    expect(Object.keys(jobs[1] ?? {}).sort()).toEqual(
      [
        'name',
        'is_master',
        'status',
        'upstream',
        'size',
        'last_update',
        'last_update_ts',
        'last_started',
        'last_started_ts',
        'last_ended',
        'last_ended_ts',
        'next_schedule',
        'next_schedule_ts',
      ].sort(),
    );
    expect((await ctl(['list', '-a', '-s', 'failed,paused', ...at()])).stdout).toBe(
      `${JSON.stringify(
        jobs.filter((job) => job.status === 'failed' || job.status === 'paused'),
        null,
        2,
      )}\n`,
    );
  });

  it('list WORKER… prints the MirrorStatus of the named workers in that order', async () => {
    const of1 = (await getJson(manager.url, '/workers/w1/jobs')) as Record<string, unknown>[];
    const of2 = (await getJson(manager.url, '/workers/w2/jobs')) as Record<string, unknown>[];
    const result = await ctl(['list', 'w2', 'w1', ...at()]);
    expect(result).toEqual({
      code: 0,
      stdout: `${JSON.stringify([...of2, ...of1], null, 2)}\n`,
      stderr: '',
    });
    expect(of1.map((job) => [job.worker, job.name])).toEqual([
      ['w1', 'archlinux'],
      ['w1', 'debian'],
      ['w1', 'ubuntu'],
    ]);
    const syncing = await ctl(['list', '--status', 'syncing', 'w1', 'w2', ...at()]);
    expect(
      (JSON.parse(syncing.stdout) as Record<string, unknown>[]).map((j) => `${j.worker}/${j.name}`),
    ).toEqual(['w1/archlinux', 'w2/debian']);
  });

  it('--format prints each job or worker through the template', async () => {
    const jobs = (await getJson(manager.url, '/jobs')) as Record<string, unknown>[];
    const all = await ctl([
      'list',
      '-a',
      '-f',
      '{{.Name}} {{.Status}} {{.IsMaster}} {{.Size}} {{.LastUpdateTs}}',
      ...at(),
    ]);
    expect(all).toEqual({
      code: 0,
      stdout: jobs
        .map((j) => `${j.name} ${j.status} ${j.is_master} ${j.size} ${j.last_update_ts}\n`)
        .join(''),
      stderr: '',
    });
    expect(all.stdout).toContain('debian success true 1.5T ');
    expect(all.stdout).toContain('archlinux syncing false unknown -62135596800\n');
    const one = await ctl(['list', 'w1', '-f', '{{.Worker}}/{{.Name}}:{{.ErrorMsg}}.', ...at()]);
    expect(one.stdout).toBe('w1/archlinux:.\nw1/debian:.\nw1/ubuntu:.\n');
    const workers = await ctl(['workers', '-f', '{{.ID}} {{.Token}}', ...at()]);
    expect(workers.stdout).toBe(
      'w1 REDACTED\nw2 REDACTED\nw3 REDACTED\nw4 REDACTED\nw5 REDACTED\n',
    );
  });

  it('workers prints GET /workers as indented JSON, tokens redacted', async () => {
    const workers = (await getJson(manager.url, '/workers')) as Record<string, unknown>[];
    const result = await ctl(['workers', ...at()]);
    expect(result).toEqual({
      code: 0,
      stdout: `${JSON.stringify(workers, null, 2)}\n`,
      stderr: '',
    });
    expect(workers.find((w) => w.id === 'w1')).toMatchObject({
      url: `${w1.url}/`,
      token: 'REDACTED',
    });
  });
});

describe('tunasynctl commands against the real manager', () => {
  it('start/restart/ping/reload reach the worker with the right WorkerCmd', async () => {
    const runs: [string[], StandIn][] = [
      [['start', '-f', '-w', 'w1', 'debian', 'a,b'], w1],
      [['start', '-w', 'w1', 'ubuntu'], w1],
      [['restart', '-w', 'w2', 'pypi'], w2],
      [['ping', '-w', 'w1', 'archlinux'], w1],
      [['reload', '-w', 'w2'], w2],
    ];
    for (const [args] of runs) {
      expect(await ctl([...args, ...at()])).toEqual({ code: 0, stdout: OK, stderr: '' });
    }
    const body = (r: { body: string }) => JSON.parse(r.body) as unknown;
    expect(w1.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /', 'POST /', 'POST /']);
    expect(w1.seen.map(body)).toEqual([
      { cmd: 'start', mirror_id: 'debian', args: ['a', 'b'], options: { force: true } },
      { cmd: 'start', mirror_id: 'ubuntu', args: [], options: {} },
      { cmd: 'ping', mirror_id: 'archlinux', args: [], options: {} },
    ]);
    expect(w2.seen.map(body)).toEqual([
      { cmd: 'restart', mirror_id: 'pypi', args: [], options: {} },
      { cmd: 'reload', mirror_id: '', args: [], options: {} },
    ]);
  });

  it('stop and disable change the stored status, then flush removes the disabled job', async () => {
    const status = async (worker: string, name: string) =>
      ((await getJson(manager.url, `/workers/${worker}/jobs`)) as Record<string, unknown>[]).find(
        (job) => job.name === name,
      )?.status;
    await reportStatus(manager.url, 'w2', 'gentoo', { status: 'success' });
    await reportStatus(manager.url, 'w2', 'alpine', { status: 'syncing' });

    expect(await ctl(['stop', '-w', 'w2', 'alpine', ...at()])).toEqual({
      code: 0,
      stdout: OK,
      stderr: '',
    });
    expect(await status('w2', 'alpine')).toBe('paused');
    expect(await ctl(['disable', '-w', 'w2', 'gentoo', ...at()])).toEqual({
      code: 0,
      stdout: OK,
      stderr: '',
    });
    expect(await status('w2', 'gentoo')).toBe('disabled');
    expect(w2.seen.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { cmd: 'stop', mirror_id: 'alpine', args: [], options: {} },
      { cmd: 'disable', mirror_id: 'gentoo', args: [], options: {} },
    ]);

    expect(await ctl(['flush', ...at()])).toEqual({
      code: 0,
      stdout: 'Successfully flushed disabled jobs\n',
      stderr: '',
    });
    const names = ((await getJson(manager.url, '/workers/w2/jobs')) as { name: string }[]).map(
      (job) => job.name,
    );
    expect(names).toEqual(['alpine', 'debian', 'pypi']);
  });

  it('set-size stores the size and prints it', async () => {
    const result = await ctl(['set-size', '-w', 'w1', 'ubuntu', '2.5T', ...at()]);
    expect(result).toEqual({
      code: 0,
      stdout: 'Successfully updated mirror size to 2.5T\n',
      stderr: '',
    });
    const jobs = (await getJson(manager.url, '/workers/w1/jobs')) as Record<string, unknown>[];
    expect(jobs.find((job) => job.name === 'ubuntu')?.size).toBe('2.5T');
  });

  it('rm-worker removes the worker', async () => {
    await registerWorker(manager.url, 'gone', `${w1.url}/`);
    await reportStatus(manager.url, 'gone', 'fedora', { status: 'success' });
    expect(await ctl(['rm-worker', '-w', 'gone', ...at()])).toEqual({
      code: 0,
      stdout: 'Successfully removed the worker\n',
      stderr: '',
    });
    const workers = (await getJson(manager.url, '/workers')) as { id: string }[];
    expect(workers.map((w) => w.id)).not.toContain('gone');
    const again = await ctl(['list', 'gone', ...at()]);
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'tunasynctl: cannot list the jobs of worker gone: the manager answered 400: invalid workerID gone\n',
    });
  });
});

describe('rm-worker --purge', () => {
  it("removes the worker's statuses from /jobs too, also after a plain rm-worker", async () => {
    const jobsOf = async (worker: string) =>
      ((await getJson(manager.url, '/jobs')) as { name: string; worker?: string }[]).filter(
        (job) => job.name === `${worker}-mirror`,
      );
    for (const worker of ['p1', 'p2']) {
      await registerWorker(manager.url, worker, `${w1.url}/`);
      await reportStatus(manager.url, worker, `${worker}-mirror`, { status: 'success' });
    }
    expect(await ctl(['rm-worker', '--purge', '-w', 'p1', ...at()])).toEqual({
      code: 0,
      stdout: 'Successfully removed the worker\n',
      stderr: '',
    });
    expect(await jobsOf('p1')).toEqual([]);

    expect((await ctl(['rm-worker', '-w', 'p2', ...at()])).code).toBe(0);
    expect(await jobsOf('p2')).toHaveLength(1);
    expect((await ctl(['rm-worker', '-w', 'p2', '--purge', ...at()])).code).toBe(0);
    expect(await jobsOf('p2')).toEqual([]);
    expect(await ctl(['rm-worker', '-w', 'p2', '--purge', ...at()])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'tunasynctl: cannot remove the worker p2: the manager answered 400: invalid workerID p2\n',
    });
  });
});

describe("tunasynctl prints the real manager's errors", () => {
  it.each([
    [
      ['list', 'w1', 'w9'],
      'cannot list the jobs of worker w9: the manager answered 400: invalid workerID w9',
    ],
    [
      ['rm-worker', '-w', 'w9'],
      'cannot remove the worker w9: the manager answered 400: invalid workerID w9',
    ],
    [['start', '-w', 'w9', 'debian'], 'worker w9 is not registered yet'],
    [
      ['set-size', '-w', 'w1', 'nosuch', '1G'],
      "cannot set the size of nosuch on worker w1: the manager answered 404: no mirror 'nosuch' exists in worker 'w1'",
    ],
    [
      ['set-size', '-w', 'w9', 'debian', '1G'],
      'cannot set the size of debian on worker w9: the manager answered 400: invalid workerID w9',
    ],
  ])('%j: one line on stderr, nothing on stdout, exit 1', async (args, message) => {
    expect(await ctl([...args, ...at()])).toEqual({
      code: 1,
      stdout: '',
      stderr: `tunasynctl: ${message}\n`,
    });
  });

  it("passes on a worker's refusal and a worker that cannot be reached", async () => {
    const refused = await ctl(['start', '-w', 'w3', 'nosuch', ...at()]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'tunasynctl: worker w3 refused "start nosuch": no such mirror\n',
    });
    const failing = await ctl(['ping', '-w', 'w4', 'debian', ...at()]);
    expect(failing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'tunasynctl: worker w4 refused "ping debian": HTTP 500: panic: runtime error\n',
    });
    const unreachable = await ctl(['reload', '-w', 'w5', ...at()]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr).toMatch(
      /^tunasynctl: post command to worker w5\(http:\/\/127\.0\.0\.1:\d+\/\) fail: connection refused by 127\.0\.0\.1:\d+\n$/,
    );
  });
});

describe('tunasynctl history against the real manager', () => {
  const runsPath = (worker: string, mirror: string) => `/workers/${worker}/jobs/${mirror}/history`;

  beforeAll(async () => {
    const m = manager.url;
    await registerWorker(m, 'h1', `${w1.url}/`);
    // Two runs of debian (the second one's success delivered twice: one run), none of pypi.
    for (const status of ['pre-syncing', 'syncing', 'success']) {
      await reportStatus(m, 'h1', 'debian', { status, size: '1.5T' });
    }
    for (const status of ['pre-syncing', 'syncing']) {
      await reportStatus(m, 'h1', 'debian', { status });
    }
    await reportStatus(m, 'h1', 'debian', { status: 'failed', error_msg: 'rsync exited with 23' });
    await reportStatus(m, 'h1', 'debian', { status: 'failed', error_msg: 'rsync exited with 23' });
    await reportStatus(m, 'h1', 'pypi', { status: 'syncing' });
  });

  it('prints the runs as two-space indented JSON, newest first, -w or WORKER alike', async () => {
    const runs = (await getJson(manager.url, runsPath('h1', 'debian'))) as Record<
      string,
      unknown
    >[];
    expect(runs.map((r) => `${r.result} ${r.size} ${r.error_msg}`)).toEqual([
      'failed 1.5T rsync exited with 23',
      'success 1.5T ',
    ]);
    const expected = { code: 0, stdout: `${JSON.stringify(runs, null, 2)}\n`, stderr: '' };
    expect(await ctl(['history', '-w', 'h1', 'debian', ...at()])).toEqual(expected);
    expect(await ctl(['history', 'h1', 'debian', ...at()])).toEqual(expected);
    expect(await ctl(['history', ...at(), 'debian', '-w', 'h1'])).toEqual(expected);
    expect(await ctl(['history', 'h1', 'pypi', ...at()])).toEqual({
      code: 0,
      stdout: '[]\n',
      stderr: '',
    });
  });

  it('--limit K asks the manager for the newest K', async () => {
    const runs = (await getJson(manager.url, runsPath('h1', 'debian'))) as unknown[];
    expect(await ctl(['history', 'h1', 'debian', '--limit', '1', ...at()])).toEqual({
      code: 0,
      stdout: `${JSON.stringify(runs.slice(0, 1), null, 2)}\n`,
      stderr: '',
    });
    expect((await ctl(['history', '-w', 'h1', 'debian', '--limit', '50', ...at()])).stdout).toBe(
      `${JSON.stringify(runs, null, 2)}\n`,
    );
  });

  it('--format prints each run through the template, Go field names', async () => {
    const runs = (await getJson(manager.url, runsPath('h1', 'debian'))) as Record<
      string,
      unknown
    >[];
    const result = await ctl([
      'history',
      'h1',
      'debian',
      '-f',
      '{{.Worker}}/{{.Name}} {{.Result}} {{.Size}} {{.StartedTs}} {{.EndedTs}} {{.Duration}} [{{.ErrorMsg}}] {{.Started}} {{.Ended}}',
      ...at(),
    ]);
    expect(result).toEqual({
      code: 0,
      stdout: runs
        .map(
          (r) =>
            `h1/debian ${r.result} ${r.size} ${r.started_ts} ${r.ended_ts} ${r.duration} [${r.error_msg}] ${r.started} ${r.ended}\n`,
        )
        .join(''),
      stderr: '',
    });
    expect(result.stdout).toContain(' [rsync exited with 23] ');
    const unknown = await ctl(['history', 'h1', 'debian', '-f', '{{.Status}}', ...at()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain(
      "tunasynctl: invalid --format template: 1:3: can't evaluate field Status (fields: Name, Worker, Started, StartedTs, Ended, EndedTs, Duration, Result, Size, ErrorMsg)",
    );
  });

  it.each([
    [
      ['history', '-w', 'w9', 'debian'],
      'cannot show the history of debian on worker w9: the manager answered 400: invalid workerID w9',
    ],
    [
      ['history', 'h1', 'nosuch'],
      "cannot show the history of nosuch on worker h1: the manager answered 404: no mirror 'nosuch' exists in worker 'h1'",
    ],
    [
      ['history', 'h1', 'debian', '--limit', '51'],
      'cannot show the history of debian on worker h1: the manager answered 400: invalid limit "51": must be an integer from 1 to 50 (history_size)',
    ],
  ])("%j: the manager's error in one line, exit 1", async (args, message) => {
    expect(await ctl([...args, ...at()])).toEqual({
      code: 1,
      stdout: '',
      stderr: `tunasynctl: ${message}\n`,
    });
  });
});

describe('tunasynctl config files with the real manager', () => {
  it('reads ~/.config/tunasync/ctl.conf, --config over it, flags over both', async () => {
    const user = await dirs.make('ctl-real-conf-');
    const down = await closedPort();
    await mkdir(join(user, '.config', 'tunasync'), { recursive: true });
    await writeFile(
      join(user, '.config', 'tunasync', 'ctl.conf'),
      `manager_addr = "127.0.0.1"\nmanager_port = ${manager.port}\n`,
    );
    const workers = `${JSON.stringify(await getJson(manager.url, '/workers'), null, 2)}\n`;
    const fromHome = await runCtl(['workers', '-v'], { home: user });
    expect(fromHome.code).toBe(0);
    expect(fromHome.stdout).toBe(workers);
    expect(fromHome.stderr).toBe(
      `[INFO] Loading config: ${join(user, '.config', 'tunasync', 'ctl.conf')}\n` +
        `[INFO] Use manager address: http://127.0.0.1:${manager.port}\n`,
    );

    const other = join(user, 'other.conf');
    await writeFile(other, `manager_port = ${down}\n`);
    const fromConfig = await runCtl(['workers', '-c', other], { home: user });
    expect(fromConfig).toEqual({
      code: 1,
      stdout: '',
      stderr: `tunasynctl: cannot list the workers: cannot reach the manager at http://127.0.0.1:${down}: connect ECONNREFUSED 127.0.0.1:${down}\n`,
    });
    const flagWins = await runCtl(['workers', '-c', other, '-p', String(manager.port)], {
      home: user,
    });
    expect(flagWins).toEqual({ code: 0, stdout: workers, stderr: '' });

    await writeFile(other, 'manager_port = "nope"\ncolour = "blue"\n');
    const bad = await runCtl(['workers', '-c', other], { home: user });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain(`tunasynctl: ${other}:1:manager_port: must be an integer\n`);
  });

  it('reports a manager that was stopped as unreachable', async () => {
    const stopped = await startManagerProcess();
    const port = stopped.port;
    await stopped.stop();
    expect(await ctl(['list', '--all', '-m', '127.0.0.1', '-p', String(port)])).toEqual({
      code: 1,
      stdout: '',
      stderr: `tunasynctl: cannot list the jobs of all workers: cannot reach the manager at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    });
  });
});

describe('live progress (SPEC §7.9) in list', () => {
  it('--format prints the progress fields by their Go names; <no value> without progress', async () => {
    const m = manager.url;
    await registerWorker(m, 'w6', `${w1.url}/`);
    await reportStatus(m, 'w6', 'centos', { status: 'syncing' });
    await reportStatus(m, 'w6', 'fedora', { status: 'syncing' });
    await reportStatus(m, 'w6', 'rocky', { status: 'success' });
    await reportProgress(m, 'w6', 'centos', 1234, 5678);
    const jobs = (await getJson(m, '/jobs')) as Record<string, unknown>[];
    const own = (await getJson(m, '/workers/w6/jobs')) as Record<string, unknown>[];
    const centos = jobs.find((j) => j.name === 'centos');
    const centosOwn = own.find((j) => j.name === 'centos');
    expect(centos).toMatchObject({ progress_files: 1234, progress_bytes: 5678 });

    // The JSON output passes the extra fields through, as the manager sent them.
    const json = await ctl(['list', '-a', ...at()]);
    expect(json.stdout).toBe(`${JSON.stringify(jobs, null, 2)}\n`);
    expect(json.stdout).toContain('"progress_files": 1234,');
    const ownJson = await ctl(['list', 'w6', ...at()]);
    expect(JSON.parse(ownJson.stdout)).toEqual(own);

    const template = '{{.Name}} {{.ProgressFiles}} {{.ProgressBytes}}';
    const all = await ctl(['list', '-a', '-s', 'syncing', '-f', template, ...at()]);
    // Other tests share this manager: every syncing mirror of /jobs is listed, only centos
    // with progress.
    const syncing = jobs.filter((j) => j.status === 'syncing').map((j) => String(j.name));
    expect(syncing).toEqual(expect.arrayContaining(['centos', 'fedora']));
    expect(all).toEqual({
      code: 0,
      stdout: syncing
        .map((name) =>
          name === 'centos' ? 'centos 1234 5678\n' : `${name} <no value> <no value>\n`,
        )
        .join(''),
      stderr: '',
    });
    const times = await ctl([
      'list',
      '-a',
      '-s',
      'syncing',
      '-f',
      '{{.Name}}|{{.ProgressUpdated}}|{{.ProgressUpdatedTs}}',
      ...at(),
    ]);
    expect(times.stdout).toContain(
      `centos|${String(centos?.progress_updated)}|${String(centos?.progress_updated_ts)}\n`,
    );
    expect(times.stdout).toContain('fedora|<no value>|<no value>\n');

    const ofWorker = await ctl([
      'list',
      'w6',
      '-f',
      '{{.Name}} {{.ProgressFiles}} {{.ProgressBytes}} {{.ProgressUpdated}}',
      ...at(),
    ]);
    expect(ofWorker).toEqual({
      code: 0,
      stdout:
        `centos 1234 5678 ${String(centosOwn?.progress_updated)}\n` +
        'fedora <no value> <no value> <no value>\n' +
        'rocky <no value> <no value> <no value>\n',
      stderr: '',
    });
    expect(String(centosOwn?.progress_updated)).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Known even when no listed mirror has progress (nothing syncing, or a Go manager).
    const none = await ctl(['list', '-a', '-s', 'success', '-f', template, ...at()]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('rocky <no value> <no value>\n');
  });
});
