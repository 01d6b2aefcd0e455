import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GrowingLog, ManagerProcess, WorkerProcess } from '@tunasync/test-utils';
import {
  commandWorkerConf,
  startManagerProcess,
  startWorkerProcess,
  TempDirs,
  writeGrowingLogScript,
} from '@tunasync/test-utils';
import { CTL_BIN, runCtl } from './helpers/run-ctl';
import { getJson, registerWorker } from './helpers/seed-manager';

/*
 * `tunasynctl logs` and `list --stale` (SPEC §7.13, §7.14) against the real manager and a
 * real worker (both built programs, child processes on loopback): the worker runs a command
 * mirror that logs a line every 50 ms (writeGrowingLogScript).
 */

jest.setTimeout(60_000);

const dirs = new TempDirs();
const TOKEN = 'ctl-logs-token';
let home: string;
let manager: ManagerProcess;
let worker: WorkerProcess;
let grow: GrowingLog | undefined;

const at = () => ['-m', '127.0.0.1', '-p', String(manager.port), '--token', TOKEN];
const ctl = (args: string[]) => runCtl(args, { home });

/** POSTs a status report as a worker would, observed `agoMs` ago (the manager dates it so). */
async function report(id: string, name: string, status: string, agoMs: number): Promise<void> {
  const r = await fetch(`${manager.url}/workers/${id}/jobs/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({
      name,
      worker: id,
      is_master: true,
      status,
      upstream: `rsync://example.org/${name}/`,
      size: 'unknown',
      error_msg: '',
      observed_ago_ms: agoMs,
    }),
  });
  if (!r.ok) throw new Error(`report ${name}: ${r.status} ${await r.text()}`);
}

beforeAll(async () => {
  const dir = await dirs.make('ctl-logs-');
  home = join(dir, 'home');
  await mkdir(home);
  grow = await writeGrowingLogScript(dir);
  // stale_after: one hour.
  manager = await startManagerProcess({
    config: `[server]\ntoken = "${TOKEN}"\nstale_after = 3600\n`,
  });
  const conf = join(dir, 'worker.conf');
  await writeFile(
    conf,
    commandWorkerConf({
      name: 'w1',
      dir,
      managers: [manager.url],
      token: TOKEN,
      mirrors: [{ name: 'grow', command: grow.command }],
    }),
  );
  worker = await startWorkerProcess({ configFile: conf, stateDir: join(dir, 'state') });
  // Two mirrors of a worker that is only a name: one fresh, one whose last success is 2 h old.
  await registerWorker(manager.url, 'w2', 'http://127.0.0.1:9/', { token: TOKEN });
  await report('w2', 'fresh', 'success', 60_000);
  await report('w2', 'old', 'success', 2 * 3600_000);
});

afterAll(async () => {
  await grow?.stop();
  await worker?.stop();
  await manager?.stop();
  await dirs.cleanup();
});

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tunasynctl list --stale', () => {
  it('lists only the stale jobs, of all workers or of the named ones', async () => {
    const all = await ctl(['list', '--all', '--stale', ...at()]);
    expect(all.code).toBe(0);
    const items = JSON.parse(all.stdout) as Array<Record<string, unknown>>;
    expect(items.map((j) => [j.name, j.worker, j.stale])).toEqual([['old', 'w2', true]]);
    const named = await ctl(['list', '--stale', '-f', '{{.Name}}', 'w2', ...at()]);
    expect(named).toEqual({ code: 0, stdout: 'old\n', stderr: '' });
    // The same rule on /jobs?with_worker=1: every item says whether it is stale.
    const jobs = (await getJson(manager.url, '/jobs?with_worker=1')) as Array<
      Record<string, unknown>
    >;
    expect(jobs.filter((j) => j.worker === 'w2').map((j) => [j.name, j.stale])).toEqual([
      ['fresh', false],
      ['old', true],
    ]);
  });
});

describe('tunasynctl logs', () => {
  it('prints the last N lines of the running mirror’s log', async () => {
    await until('ticks in the log', async () => {
      const r = await ctl(['logs', '-n', '1000', '-w', 'w1', 'grow', ...at()]);
      return r.code === 0 && r.stdout.includes('tick 3') ? r : undefined;
    });
    const two = await ctl(['logs', '-n', '2', '-w', 'w1', 'grow', ...at()]);
    expect(two.code).toBe(0);
    expect(two.stdout).toMatch(/^tick \d+\ntick \d+\n$/);
    expect(two.stderr).toBe('');
  });

  it('--list prints the log files, --file shows one of them', async () => {
    const list = await ctl(['logs', '--list', '-w', 'w1', 'grow', ...at()]);
    expect(list.code).toBe(0);
    const files = JSON.parse(list.stdout) as Array<{ name: string; latest: boolean }>;
    expect(files.map((f) => f.latest)).toEqual([true]);
    const one = await ctl([
      'logs',
      '--file',
      files[0]?.name ?? '',
      '-n',
      '1000',
      '-w',
      'w1',
      'grow',
      ...at(),
    ]);
    expect(one.code).toBe(0);
    expect(one.stdout.startsWith('first line\n')).toBe(true);
    const none = await ctl([
      'logs',
      '--file',
      'grow_2000-01-01_00_00.log',
      '-w',
      'w1',
      'grow',
      ...at(),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no log file grow_2000-01-01_00_00.log');
    expect((await ctl(['logs', '--list', '-f', '-w', 'w1', 'grow', ...at()])).code).toBe(2);
  });

  it('-f follows the log as it grows', async () => {
    const child = spawn(
      process.execPath,
      [CTL_BIN, 'logs', '-f', '-n', '1', '-w', 'w1', 'grow', ...at()],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, stdio: 'pipe' },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const first = await until('a first tick', async () => /tick (\d+)\n/.exec(out) ?? undefined);
      const n = Number(first[1]);
      await until('five more ticks', async () =>
        out.includes(`tick ${n + 5}\n`) ? true : undefined,
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('names what failed: an unknown mirror, a missing token, bad flags', async () => {
    const unknown = await ctl(['logs', '-w', 'w1', 'nosuch', ...at()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('cannot show the log of nosuch on worker w1');
    const anonymous = await ctl([
      'logs',
      '-w',
      'w1',
      'grow',
      '-m',
      '127.0.0.1',
      '-p',
      String(manager.port),
    ]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('public_logs');
    const bad = await ctl(['logs', '-n', '0', '-w', 'w1', 'grow', ...at()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --lines "0"');
    expect((await ctl(['logs', 'grow', ...at()])).code).toBe(2);
  });
});
