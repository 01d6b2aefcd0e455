// One log line format for the built manager and worker (issue #18): Go's text line with the
// component where Go's debug line has its source file, `[26-01-02 15:04:05][INFO][manager]
// message k="v"`, without time and component under `--with-systemd`, and one
// JSON object per line with `--log-format json`. Read from the programs' own output streams.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, removeTempDir } from '@tunasync/test-utils';
import { isolatedEnv, startProgram } from '../src';
import type { ProgramProcess } from '../src';

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const MANAGER = join(ROOT, 'apps/manager/bin/tunasync-manager.js');
const WORKER = join(ROOT, 'apps/worker/bin/tunasync-worker.js');

const TEXT = /^\[\d\d-\d\d-\d\d \d\d:\d\d:\d\d\]\[(DEBUG|INFO|WARN|ERROR)\]\[manager\] \S/;
const SYSTEMD_TEXT = /^\[(DEBUG|INFO|WARN|ERROR)\] \S/;

interface JsonLine {
  time?: string;
  level: string;
  component: string;
  message: string;
  [field: string]: unknown;
}

function lines(output: string): string[] {
  return output.split('\n').filter((l) => l !== '');
}

function jsonLines(output: string): JsonLine[] {
  return lines(output).map((l) => JSON.parse(l) as JsonLine);
}

describe('the log lines of the built tunasync-manager and tunasync-worker', () => {
  let work = '';
  const started: ProgramProcess[] = [];
  const env = () => isolatedEnv({ HOME: work });

  beforeAll(async () => {
    work = await makeTempDir('tunasync-e2e-log-');
  });

  afterAll(async () => {
    for (const p of started) p.kill();
    if (work) await removeTempDir(work);
  });

  /** A manager on port 0 with these log flags, until its "listening on" line. */
  async function manager(name: string, flags: string[]): Promise<[ProgramProcess, string]> {
    const conf = join(work, `${name}.conf`);
    await writeFile(
      conf,
      `[server]\naddr = "127.0.0.1"\nport = 0\n[files]\ndb_type = "leveldb"\ndb_file = ${JSON.stringify(join(work, `${name}-db`))}\n`,
    );
    const p = startProgram(process.execPath, [MANAGER, '--config', conf, ...flags], {
      env: env(),
    });
    started.push(p);
    const [, url] = await p.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
    return [p, url!];
  }

  /** A worker of one command mirror reporting to `managerUrl`, until it started. */
  async function worker(name: string, managerUrl: string, flags: string[]) {
    const conf = join(work, `${name}.conf`);
    await writeFile(
      conf,
      `[global]
name = "${name}"
log_dir = ${JSON.stringify(join(work, name, 'log', '{{.Name}}'))}
mirror_dir = ${JSON.stringify(join(work, name, 'mirrors'))}
concurrent = 1
interval = 60

[manager]
api_base = "${managerUrl}"

[server]
hostname = "127.0.0.1"
listen_addr = "127.0.0.1"
listen_port = 0

[[mirrors]]
name = "hello"
provider = "command"
upstream = "https://example.org/hello/"
command = "/bin/true"
`,
    );
    const p = startProgram(process.execPath, [WORKER, '--config', conf, ...flags], {
      env: env(),
    });
    started.push(p);
    await p.waitForOutput(/worker started with 1 mirror\(s\)/, 20_000);
    return p;
  }

  /** A manager and a worker of these names and flags, until both stopped cleanly: their output. */
  async function pair(
    managerName: string,
    managerFlags: string[],
    workerName: string,
    workerFlags: string[],
  ): Promise<{ m: string; w: string }> {
    const [m, url] = await manager(managerName, managerFlags);
    const w = await worker(workerName, url, workerFlags);
    expect(await w.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await m.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    return { m: m.output(), w: w.output() };
  }

  it('text by default: Go lines with the time; --with-systemd: the same without it', async () => {
    const out = await pair('m-text', [], 'w-systemd', ['--with-systemd']);

    const managerLines = lines(out.m);
    expect(managerLines.length).toBeGreaterThan(1);
    for (const line of managerLines) expect(line).toMatch(TEXT);
    expect(managerLines).toContainEqual(
      expect.stringMatching(/\]\[INFO\]\[manager\] tunasync-manager \S+ listening on http:/),
    );

    const workerLines = lines(out.w);
    expect(workerLines.length).toBeGreaterThan(1);
    for (const line of workerLines) expect(line).toMatch(SYSTEMD_TEXT);
    // No colour codes in either.
    expect(out.m + out.w).not.toContain('\u001b[');
    expect(workerLines).toContainEqual(
      expect.stringMatching(/^\[INFO\] worker started with 1 mirror\(s\).* worker="w-systemd"/),
    );
  });

  it('text lines name their program: [time][LEVEL][worker] and [LEVEL] under systemd', async () => {
    const out = await pair('m-systemd', ['--with-systemd'], 'w-text', []);

    const workerLines = lines(out.w);
    expect(workerLines.length).toBeGreaterThan(1);
    for (const line of workerLines) {
      expect(line).toMatch(
        /^\[\d\d-\d\d-\d\d \d\d:\d\d:\d\d\]\[(DEBUG|INFO|WARN|ERROR)\]\[worker\] \S/,
      );
    }
    expect(workerLines).toContainEqual(
      expect.stringMatching(
        /\]\[INFO\]\[worker\] worker started with 1 mirror\(s\).* worker="w-text"/,
      ),
    );
    const managerLines = lines(out.m);
    expect(managerLines.length).toBeGreaterThan(1);
    for (const line of managerLines) expect(line).toMatch(SYSTEMD_TEXT);
    expect(managerLines).toContainEqual(
      expect.stringMatching(/^\[INFO\] tunasync-manager \S+ listening on http:/),
    );
  });

  it('--log-format json: one object per line with time, level, component and message', async () => {
    const out = await pair('m-json', ['--log-format', 'json', '--with-systemd'], 'w-json', [
      '--log-format',
      'json',
    ]);

    const fromManager = jsonLines(out.m);
    expect(fromManager.length).toBeGreaterThan(1);
    for (const line of fromManager) {
      expect(line).toEqual(
        expect.objectContaining({ level: expect.any(String), component: 'manager' }),
      );
      expect(line.time).toBeUndefined(); // --with-systemd
      expect(typeof line.message).toBe('string');
    }
    expect(fromManager.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^tunasync-manager \S+ listening on http:/),
    );

    const fromWorker = jsonLines(out.w);
    expect(fromWorker.length).toBeGreaterThan(1);
    for (const line of fromWorker) {
      expect(line).toEqual(expect.objectContaining({ component: 'worker', worker: 'w-json' }));
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(new Date(line.time!).toISOString()).toBe(line.time);
    }
    expect(fromWorker.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^worker started with 1 mirror\(s\)/),
    );
  });

  it.each([
    [MANAGER, 'tunasync-manager'],
    [WORKER, 'tunasync-worker'],
  ])('%s refuses an unknown --log-format in one line, exit 2', async (bin) => {
    const failure = await execFileAsync(process.execPath, [bin, '--log-format', 'xml'], {
      env: env(),
    }).catch((err: { code: number; stderr: string }) => err);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr.split('\n')[0]).toMatch(
      /^tunasync-(manager|worker): --log-format: must be "text" or "json", got "xml"$/,
    );
  });
});
