// `npm start` as a user runs it: `node tools/start.js` as a child process with its state in a
// temp dir, the real manager, worker and rsync daemon, polled through the printed manager
// URL; then a signal, and /proc must show nothing of the demo left.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  listProcesses,
  makeTempDir,
  removeTempDir,
  requireTool,
  waitUntil,
} from '@tunasync/test-utils';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const START = join(ROOT, 'tools', 'start.js');
const CTL = join(ROOT, 'apps', 'ctl', 'bin', 'tunasynctl.js');
/** Every process of a demo inherits this variable: /proc/<pid>/environ finds even orphans. */
const MARK_VAR = 'TUNASYNC_DEMO_TEST_MARK';

interface Demo {
  child: ChildProcess;
  mark: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface WebJob {
  name: string;
  status: string;
  size: string;
  upstream: string;
}

const demos: Demo[] = [];
const dirs: string[] = [];

function startDemo(args: string[], env: NodeJS.ProcessEnv = {}): Demo {
  const mark = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const child = spawn(process.execPath, [START, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, [MARK_VAR]: mark },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const demo = { child, mark, output: () => output, exited };
  demos.push(demo);
  return demo;
}

/** Live (non-zombie) processes whose environment carries the demo's mark. */
function markedProcesses(mark: string): { pid: number; command: string }[] {
  const needle = `${MARK_VAR}=${mark}\0`;
  return listProcesses()
    .filter((p) => p.state !== 'Z')
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'latin1').includes(needle);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map((p) => ({ pid: p.pid, command: p.command }));
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  return waitUntil(what, probe, timeoutMs, 100);
}

async function waitForOutput(demo: Demo, pattern: RegExp, timeoutMs: number) {
  return waitFor(`${pattern} in the output of tools/start.js`, timeoutMs, async () => {
    const match = pattern.exec(demo.output());
    if (match) return match;
    if (demo.child.exitCode !== null) {
      throw new Error(`tools/start.js exited (${demo.child.exitCode}):\n${demo.output()}`);
    }
    return undefined;
  });
}

async function jobs(url: string): Promise<WebJob[] | undefined> {
  try {
    const response = await fetch(`${url}/jobs`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? ((await response.json()) as WebJob[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Polls /jobs until every named mirror is `success`; returns the jobs then. */
async function waitForSuccess(demo: Demo, url: string, names: string[], timeoutMs: number) {
  return waitFor(`${names.join(', ')} success on ${url}/jobs`, timeoutMs, async () => {
    if (demo.child.exitCode !== null) throw new Error(`the demo exited:\n${demo.output()}`);
    const list = await jobs(url);
    const ok = names.every((n) => list?.find((j) => j.name === n)?.status === 'success');
    return ok ? list : undefined;
  });
}

async function stopAndCheck(demo: Demo, signal: NodeJS.Signals) {
  demo.child.kill(signal);
  const timer = setTimeout(() => demo.child.kill('SIGKILL'), 60_000);
  const status = await demo.exited;
  clearTimeout(timer);
  expect({ status, output: demo.output() }).toEqual({
    status: { code: 0, signal: null },
    output: expect.stringMatching(/received: stopping the demo/),
  });
  expect(markedProcesses(demo.mark)).toEqual([]);
}

afterEach(async () => {
  // A failed test still leaves nothing running: kill whatever carries a demo's mark.
  for (const demo of demos.splice(0)) {
    if (demo.child.exitCode === null && demo.child.signalCode === null) {
      demo.child.kill('SIGKILL');
      await demo.exited;
    }
    for (const p of markedProcesses(demo.mark)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const dir of dirs.splice(0)) await removeTempDir(dir);
});

async function tempDir(): Promise<string> {
  const dir = await makeTempDir('tunasync-demo-test-');
  dirs.push(dir);
  return dir;
}

describe('npm start (tools/start.js)', () => {
  it('builds, syncs both demo mirrors within 30 s, answers tunasynctl, and SIGINT leaves no process', async () => {
    requireTool('rsync', 'apt-get install -y rsync');
    const stateDir = join(await tempDir(), 'state');
    // No --no-build: the real `npm start` path, an Nx build that is a cache hit here.
    const demo = startDemo(['--state-dir', stateDir]);

    const [, url, port] = await waitForOutput(
      demo,
      /manager: +(http:\/\/127\.0\.0\.1:(\d+))\n/,
      120_000,
    );
    const began = Date.now();
    expect(demo.output()).toMatch(/Built in [\d.]+ s/);
    expect(demo.output()).toContain(`${url}/jobs`);
    expect(demo.output()).toContain(`tunasynctl list --all -m 127.0.0.1 -p ${port}`);
    const [, upstream] = /upstream: +(rsync:\/\/127\.0\.0\.1:\d+\/demo\/)\n/.exec(
      demo.output(),
    ) ?? [undefined, 'no upstream printed'];

    // The processes of the demo while it runs: manager, worker and rsync daemon.
    const running = await waitFor('the demo processes', 10_000, async () => {
      const found = markedProcesses(demo.mark).map((p) => commandLine(p.pid));
      const want = [/tunasync-manager\.js/, /tunasync-worker\.js/, /rsync --daemon/];
      return want.every((w) => found.some((c) => w.test(c))) ? found : undefined;
    });
    expect(running.some((c) => c.includes(stateDir))).toBe(true);

    const list = await waitForSuccess(demo, url!, ['demo-rsync', 'demo-command'], 30_000);
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(list).toHaveLength(2);

    // The printed status page shows both mirrors.
    expect(demo.output()).toContain(`status page: ${url}/\n`);
    const page = await fetch(`${url}/`, { signal: AbortSignal.timeout(5000) });
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    for (const name of ['demo-rsync', 'demo-command']) expect(html).toContain(`>${name}<`);

    // The mirrored trees are where the state dir says, complete.
    expect(readFileSync(join(stateDir, 'mirrors', 'demo-rsync', 'README.txt'), 'utf8')).toBe(
      readFileSync(join(stateDir, 'upstream', 'README.txt'), 'utf8'),
    );
    expect(
      existsSync(join(stateDir, 'mirrors', 'demo-rsync', 'pool/main/h/hello/hello_1.0.bin')),
    ).toBe(true);
    expect(existsSync(join(stateDir, 'mirrors', 'demo-command', 'index.json'))).toBe(true);
    expect(existsSync(join(stateDir, 'log', 'demo-rsync', 'latest'))).toBe(true);

    // The printed tunasynctl command works against it.
    const { stdout } = await run(process.execPath, [
      CTL,
      'list',
      '--all',
      '-m',
      '127.0.0.1',
      '-p',
      port!,
    ]);
    const listed = JSON.parse(stdout) as WebJob[];
    expect(listed.map(({ name, status, upstream: u }) => ({ name, status, upstream: u }))).toEqual([
      { name: 'demo-command', status: 'success', upstream: 'https://mirrors.example.org/demo/' },
      { name: 'demo-rsync', status: 'success', upstream },
    ]);
    for (const job of listed) expect(job.size).toMatch(/^[\d.]+[KMGTP]?$/);
    const formatted = await run(process.execPath, [
      CTL,
      'list',
      '-m',
      '127.0.0.1',
      '-p',
      port!,
      '-f',
      '{{.Name}} {{.Status}}',
      'demo-worker',
    ]);
    expect(formatted.stdout).toBe('demo-command success\ndemo-rsync success\n');

    await stopAndCheck(demo, 'SIGINT');
    expect(demo.output()).toMatch(
      /Stopped\. State and logs are kept in .*state\/ until the next start/,
    );
    expect(await jobs(url!)).toBeUndefined(); // the manager is gone too
  });

  it('without rsync on PATH: says how to install it, runs the command mirror, stops on SIGTERM', async () => {
    const dir = await tempDir();
    const stateDir = join(dir, 'state');
    // An empty PATH: no rsync (and no npx, hence --no-build; the apps are built already).
    const demo = startDemo(['--no-build', '--state-dir', stateDir], { PATH: join(dir, 'empty') });

    const [, url] = await waitForOutput(demo, /manager: +(http:\/\/127\.0\.0\.1:\d+)\n/, 30_000);
    expect(demo.output()).toMatch(/rsync is not installed: the demo runs its command mirror only/);
    expect(demo.output()).toMatch(/apt-get install rsync/);
    const list = await waitForSuccess(demo, url!, ['demo-command'], 30_000);
    expect(list?.map((j) => j.name)).toEqual(['demo-command']);
    expect(markedProcesses(demo.mark).map((p) => commandLine(p.pid))).not.toContainEqual(
      expect.stringMatching(/rsync/),
    );

    await stopAndCheck(demo, 'SIGTERM');
  });

  it('SIGINT during a sync stops the sync too (worker halts it), and still exits 0', async () => {
    const stateDir = join(await tempDir(), 'state');
    // The command mirror then runs for a minute: it is still syncing when the signal comes.
    const demo = startDemo(['--no-build', '--state-dir', stateDir], { DEMO_SYNC_SECONDS: '60' });
    const [, url] = await waitForOutput(demo, /manager: +(http:\/\/127\.0\.0\.1:\d+)\n/, 30_000);
    await waitFor('demo-command syncing', 30_000, async () => {
      const list = await jobs(url!);
      return list?.find((j) => j.name === 'demo-command')?.status === 'syncing' ? true : undefined;
    });
    const sync = await waitFor('the running command-mirror.js', 10_000, async () =>
      markedProcesses(demo.mark).find((p) => commandLine(p.pid).includes('command-mirror.js')),
    );

    await stopAndCheck(demo, 'SIGINT');
    expect(existsSync(`/proc/${sync.pid}`)).toBe(false);
    // The worker reported the killed run before the manager stopped.
    expect(readFileSync(join(stateDir, 'worker.log'), 'utf8')).toMatch(
      /demo-command was killed \(halt\)/,
    );
    expect(readFileSync(join(stateDir, 'manager.log'), 'utf8')).toMatch(
      /Job \[demo-command\] @<demo-worker> failed/,
    );
  });

  it('a signal during the build stops Nx and leaves no process (nor an Nx daemon or plugin worker)', async () => {
    const stateDir = join(await tempDir(), 'state');
    const demo = startDemo(['--state-dir', stateDir]);
    await waitForOutput(demo, /Building the apps/, 30_000);
    await waitFor('the Nx build process', 10_000, async () =>
      markedProcesses(demo.mark).find((p) => commandLine(p.pid).includes('run-many')),
    );
    await stopAndCheck(demo, 'SIGTERM');
    expect(demo.output()).not.toContain('tunasync demo is running');
    expect(existsSync(stateDir)).toBe(false); // stopped before anything was started
  });

  it('never wipes a directory that is not a demo state directory', async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, 'precious.txt'), 'keep me\n');
    const demo = startDemo(['--no-build', '--state-dir', dir]);
    const status = await demo.exited;
    expect(status).toEqual({ code: 1, signal: null });
    expect(demo.output()).toMatch(/is not a demo state directory .*not wiping it/);
    expect(readFileSync(join(dir, 'precious.txt'), 'utf8')).toBe('keep me\n');
    expect(markedProcesses(demo.mark)).toEqual([]);
  });

  it('TUNASYNC_DEMO_DIR chooses the state directory; a bad flag is a usage error', async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, 'precious.txt'), 'keep me\n');
    const demo = startDemo(['--no-build'], { TUNASYNC_DEMO_DIR: dir });
    expect(await demo.exited).toEqual({ code: 1, signal: null });
    expect(demo.output()).toContain(`${dir} exists and is not a demo state directory`);

    const usage = startDemo(['--bogus']);
    expect(await usage.exited).toEqual({ code: 2, signal: null });
    expect(usage.output()).toMatch(/Unknown option '--bogus'[\s\S]*Usage: npm start/);
  });
});
