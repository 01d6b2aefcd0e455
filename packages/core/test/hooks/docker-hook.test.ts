import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MirrorJob, createDockerHook, dockerContainerName, dockerEnvFile } from '../../src';
import { EventLog } from '../helpers/events';
import { FakeBin, tempDir } from '../helpers/fake-tool';
import { ProcessProvider } from '../helpers/test-provider';

/**
 * A fake `docker`: `ps` prints the status of the container named in the filter while the
 * marker file `<dir>/.running` exists; `run` copies its env file aside (to check it), then
 * runs the command after the image in the foreground; `stop` and `rm` remove the marker.
 */
const FAKE_DOCKER = (dir: string, image: string) => `
const path = require('node:path');
const running = ${JSON.stringify(path.join(dir, '.running'))};
const verb = argv[0];
if (verb === 'ps') { if (fs.existsSync(running)) process.stdout.write('Up 2 seconds\\n'); }
else if (verb === 'stop' || verb === 'rm') { fs.rmSync(running, { force: true }); }
else if (verb === 'run') {
  const envFile = argv[argv.indexOf('--env-file') + 1];
  fs.copyFileSync(envFile, ${JSON.stringify(path.join(dir, 'env-copy'))});
  fs.writeFileSync(${JSON.stringify(path.join(dir, 'env-mode'))}, (fs.statSync(envFile).mode & 0o777).toString(8));
  fs.writeFileSync(running, '');
  const cmd = argv.slice(argv.indexOf(${JSON.stringify(image)}) + 1);
  const child = require('node:child_process').spawn(cmd[0], cmd.slice(1), { stdio: 'inherit' });
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('close', (code) => { fs.rmSync(running, { force: true }); process.exitCode = code ?? 1; });
}
`;

describe('Docker hook', () => {
  let dir: string;
  let bin: FakeBin;
  beforeEach(async () => {
    dir = await tempDir();
    bin = await FakeBin.create();
  });
  afterEach(async () => {
    await bin.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('names containers per mirror and writes env files', () => {
    expect(dockerContainerName('debian')).toBe('tunasync-job-debian');
    expect(dockerContainerName('c++')).toBe('tunasync-job-c__');
    expect(dockerEnvFile({ A: '1', RSYNC_PASSWORD: 's3cr=t "x"' })).toBe(
      'A=1\nRSYNC_PASSWORD=s3cr=t "x"\n',
    );
    expect(() => dockerEnvFile({ BAD: 'two\nlines' })).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_DOCKER_ENV' }),
    );
  });

  it('runs the command inside docker run with the exact arguments, env in a private file', async () => {
    const docker = await bin.tool('docker', FAKE_DOCKER(dir, 'debian:bookworm'));
    const workingDir = path.join(dir, 'data', 'pypi');
    const logDir = path.join(dir, 'log');
    const logFile = path.join(logDir, 'latest.log');
    await import('node:fs/promises').then((fs) => fs.mkdir(logDir, { recursive: true }));
    const provider = new ProcessProvider(
      { name: 'pypi', workingDir, logDir, logFile },
      ['sh', '-c', 'echo synced "$@"', 'sh', 'one two'],
      { TUNASYNC_MIRROR_NAME: 'pypi', RSYNC_PASSWORD: 'hunter2' },
    );
    provider.addHook(
      createDockerHook({
        image: 'debian:bookworm',
        volumes: ['/etc/ssl:/etc/ssl:ro', '/srv/keys:/keys'],
        options: ['--cpus', '2'],
        memoryLimit: '256M',
        excludeFile: '/etc/excludes/pypi.txt',
      }),
    );
    const job = new MirrorJob(provider);
    const log = new EventLog(job);
    await job.start();
    await job.whenIdle();
    expect(log.statuses).toEqual(['pre-syncing', 'syncing', 'success']);
    expect(await readFile(logFile, 'utf8')).toBe('synced one two\n');

    const calls = await docker.calls();
    const envFile = calls[1]![calls[1]!.indexOf('--env-file') + 1]!;
    expect(envFile).toMatch(/tunasync-docker-[^/]+\/env$/);
    const filter = ['--filter', 'name=^tunasync-job-pypi$', '--format', '{{.Status}}'];
    expect(calls).toEqual([
      ['ps', '-a', ...filter],
      [
        'run',
        '--rm',
        '-a',
        'STDOUT',
        '-a',
        'STDERR',
        '--name',
        'tunasync-job-pypi',
        '-w',
        workingDir,
        '-u',
        `${process.getuid!()}:${process.getgid!()}`,
        '-v',
        '/etc/ssl:/etc/ssl:ro',
        '-v',
        '/srv/keys:/keys',
        '-v',
        '/etc/excludes/pypi.txt:/etc/excludes/pypi.txt:ro',
        '-v',
        `${logDir}:${logDir}`,
        '-v',
        `${logFile}:${logFile}`,
        '-v',
        `${workingDir}:${workingDir}`,
        '--env-file',
        envFile,
        '-m',
        String(256 * 1024 * 1024),
        '--cpus',
        '2',
        'debian:bookworm',
        'sh',
        '-c',
        'echo synced "$@"',
        'sh',
        'one two',
      ],
      ['ps', '-a', ...filter],
    ]);
    expect(await readFile(path.join(dir, 'env-copy'), 'utf8')).toBe(
      'TUNASYNC_MIRROR_NAME=pypi\nRSYNC_PASSWORD=hunter2\n',
    );
    expect(await readFile(path.join(dir, 'env-mode'), 'utf8')).toBe('600');
    await expect(stat(envFile)).rejects.toThrow(); // deleted after the run
    expect(provider.context.depth).toBe(0);
    expect(calls.flat().join(' ')).not.toContain('hunter2');
  });

  it('stopping the job is docker stop -t 2, and the container is gone afterwards', async () => {
    const docker = await bin.tool('docker', FAKE_DOCKER(dir, 'alpine'));
    const workingDir = path.join(dir, 'w');
    const provider = new ProcessProvider(
      { name: 'slow', workingDir, logDir: dir, logFile: '/dev/null' },
      ['sleep', '30'],
    );
    provider.addHook(createDockerHook({ image: 'alpine', removalTimeoutMs: 0 }));
    const job = new MirrorJob(provider);
    const log = new EventLog(job);
    await job.start();
    await log.next('syncing');
    for (let i = 0; i < 200 && !(await stat(path.join(dir, '.running')).catch(() => null)); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await job.stop();
    expect(log.statuses).toEqual(['pre-syncing', 'syncing', 'paused']);
    const calls = await docker.calls();
    expect(calls.map((c) => c[0])).toEqual(['ps', 'run', 'stop', 'ps']);
    expect(calls[2]).toEqual(['stop', '-t', '2', 'tunasync-job-slow']);

    await expect(stat(path.join(dir, '.running'))).rejects.toThrow(); // container gone
  });

  it('a leftover container, or one that does not go away, is removed with docker rm -f', async () => {
    const docker = await bin.tool(
      'docker',
      `if (argv[0] === 'ps') process.stdout.write('Exited (0)\\n');`,
    );
    const provider = new ProcessProvider(
      { name: 'sticky', workingDir: path.join(dir, 's'), logDir: dir, logFile: '/dev/null' },
      ['true'],
    );
    provider.addHook(createDockerHook({ image: 'alpine', removalTimeoutMs: 0 }));
    const job = new MirrorJob(provider);
    await job.start();
    await job.whenIdle();
    const calls = await docker.calls();
    expect(calls.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'ps -a',
      'rm -f',
      'run --rm',
      'ps -a',
      'rm -f',
    ]);
    expect(calls[1]).toEqual(['rm', '-f', 'tunasync-job-sticky']);
  });
});
