import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { silentLogger } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { EXIT, runCli, USAGE, version, type StartWorker } from '../src/cli';
import { createWorkerLogger, REDACTED } from '../src/logging';
import { defaultStateDir } from '../src/runtime/state-dir';

const SITE = path.join(__dirname, 'fixtures/site');
const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  return { io: { stdout, stderr }, out: () => out.join(''), err: () => err.join('') };
}

test('--help and --version', async () => {
  const a = io();
  expect(await runCli(['--help'], a.io)).toBe(EXIT.ok);
  expect(a.out()).toBe(USAGE);
  const b = io();
  expect(await runCli(['--version'], b.io)).toBe(EXIT.ok);
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as {
    version: string;
  };
  expect(b.out()).toBe(`tunasync-worker ${pkg.version}\n`);
  expect(version()).toBe(pkg.version);
});

test('the built bin/tunasync-worker.js prints `tunasync-worker VERSION`, as the manager and tunasynctl do', () => {
  const bin = path.join(__dirname, '..', 'bin', 'tunasync-worker.js');
  const result = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
    status: 0,
    stdout: `tunasync-worker ${version()}\n`,
    stderr: '',
  });
});

test('usage errors exit 2 with the reason and the usage', async () => {
  const a = io();
  expect(await runCli(['--bogus'], a.io)).toBe(EXIT.usage);
  expect(a.err()).toMatch(/^tunasync-worker: Unknown option '--bogus'/);
  expect(a.err()).toContain('Usage: tunasync-worker');
  const b = io();
  expect(await runCli([], b.io)).toBe(EXIT.usage);
  expect(b.err()).toMatch(/^tunasync-worker: --config FILE is required/);
});

test('--check-config on a good file prints a summary and exits 0', async () => {
  const cwd = process.cwd();
  process.chdir(SITE);
  try {
    const a = io();
    expect(await runCli(['--check-config', 'worker.conf', '--strict'], a.io)).toBe(EXIT.ok);
    expect(a.out()).toBe('worker.conf: OK, 106 mirror(s) (2 included file(s)), 0 warning(s)\n');
    expect(a.err()).toBe('');
  } finally {
    process.chdir(cwd);
  }
});

test('--check-config prints every problem and exits 2; --strict turns warnings into errors', async () => {
  const dir = await dirs.make('worker-cli-');
  const file = path.join(dir, 'worker.conf');
  writeFileSync(
    file,
    '[global]\nname = "w"\nlog_dir = "/l"\nmirror_dir = "/m"\nextra = 1\n[manager]\napi_base = "http://127.0.0.1:1"\n[[mirrors]]\nname = "a"\nprovider = "rsync"\nupstream = "rsync://x/a"\n',
  );
  const a = io();
  expect(await runCli(['--check-config', file], a.io)).toBe(EXIT.usage);
  expect(a.err()).toBe(
    `error: ${file}:11:mirrors[a].upstream: must end with "/" for an rsync mirror (got "rsync://x/a")\n` +
      `warning: ${file}:5:global.extra: unknown key\n` +
      `${file}: 1 error(s), 1 warning(s)\n`,
  );
  writeFileSync(file, readFileSync(file, 'utf8').replace('rsync://x/a"', 'rsync://x/a/"'));
  const b = io();
  expect(await runCli(['--check-config', file], b.io)).toBe(EXIT.ok);
  expect(b.out()).toBe(`${file}: OK, 1 mirror(s), 1 warning(s)\n`);
  const c = io();
  expect(await runCli(['--check-config', file, '--strict'], c.io)).toBe(EXIT.usage);
  expect(c.err()).toContain(`error: ${file}:5:global.extra: unknown key (--strict)`);
  // --config with a bad file: the same problems, exit 2, nothing started
  const started: string[] = [];
  const d = io();
  expect(
    await runCli(['--config', file, '--strict'], d.io, {
      startWorker: async () => {
        started.push('x');
        return { finished: Promise.resolve() };
      },
    }),
  ).toBe(EXIT.usage);
  expect(started).toEqual([]);
  expect(d.err()).toContain('has 1 error(s); nothing started');
});

test('--config starts the worker with the state dir and pid file, and removes the pid file after', async () => {
  const dir = await dirs.make('worker-cli-');
  const pidfile = path.join(dir, 'worker.pid');
  let seen: Parameters<StartWorker> | undefined;
  let pidDuringRun = '';
  const a = io();
  const cwd = process.cwd();
  process.chdir(SITE); // relative paths of the fixture are read from the working directory
  const code = await runCli(
    ['--config', 'worker.conf', '--pidfile', pidfile, '--state-dir', dir],
    a.io,
    {
      logger: silentLogger,
      startWorker: async (...args) => {
        seen = args;
        pidDuringRun = readFileSync(pidfile, 'utf8');
        return { finished: Promise.resolve() };
      },
    },
  );
  const b = io();
  const failing = await runCli(['--config', 'worker.conf'], b.io, {
    logger: silentLogger,
    startWorker: async () => {
      throw new Error('port in use');
    },
  });
  process.chdir(cwd);
  expect(code).toBe(EXIT.ok);
  expect(failing).toBe(EXIT.failure);
  expect(pidDuringRun).toBe(`${process.pid}\n`);
  expect(existsSync(pidfile)).toBe(false);
  expect(seen?.[0].global.name).toBe('mirror_worker');
  expect(seen?.[1].stateDir).toBe(dir);
});

test('log lines carry fields and never a secret', async () => {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (c: Buffer) => lines.push(c.toString()));
  const logger = createWorkerLogger({ stream, withSystemd: true, secrets: ['tok3n', 'rsync-pw'] });
  logger
    .child({ worker: 'w1' })
    .child({ mirror: 'debian' })
    .info('sending tok3n', { env: { RSYNC_PASSWORD: 'rsync-pw' } });
  logger.debug('hidden at the default level');
  await new Promise((r) => setImmediate(r));
  expect(lines.join('')).toBe(
    `[INFO] sending ${REDACTED} worker="w1" mirror="debian" env={"RSYNC_PASSWORD":"${REDACTED}"}\n`,
  );
});

test('the default state directory is next to the logs', () => {
  const global = (log_dir: string) =>
    ({ global: { name: 'w1', log_dir } }) as Parameters<typeof defaultStateDir>[0];
  expect(defaultStateDir(global('/srv/log/tunasync/{{.Name}}'))).toBe(
    '/srv/log/tunasync/.tunasync-worker/w1',
  );
  expect(defaultStateDir(global('/srv/log/tunasync/mirror-{{.Name}}'))).toBe(
    '/srv/log/tunasync/.tunasync-worker/w1',
  );
  expect(defaultStateDir(global('/var/log/tunasync'))).toBe(
    '/var/log/tunasync/.tunasync-worker/w1',
  );
});
