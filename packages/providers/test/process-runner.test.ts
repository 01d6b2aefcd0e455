import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandWrapper } from '@tunasync/core';
import { listProcessGroup, TempDirs, recordingLogger } from '@tunasync/test-utils';
import { describeProcessExit, NO_LOG, startProcess } from '../src/process-runner';
import { processGroupAlive } from '../src/process-group';
import { waitFor } from './helpers';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

describe('startProcess', () => {
  it('runs without a shell in a created cwd, env = base + job, output to the log', async () => {
    const dir = await dirs.make();
    const cwd = join(dir, 'a/b');
    const logFile = join(dir, 'logs/run.log');
    const proc = await startProcess({
      argv: ['sh', '-c', 'pwd; echo "$BASE $JOB $OVER"; echo err >&2', 'ignored $HOME'],
      cwd,
      env: { JOB: 'job', OVER: 'job-wins' },
      baseEnv: { PATH: process.env.PATH, BASE: 'base', OVER: 'base' },
      logFile,
    });
    expect(proc.pid).toBeGreaterThan(0);
    expect(await proc.wait()).toEqual({ code: 0, signal: null });
    expect(await readFile(logFile, 'utf8')).toBe(`${cwd}\nbase job job-wins\nerr\n`);
    expect(existsSync(cwd)).toBe(true);
  });

  it('truncates the log by default and appends when asked; /dev/null discards', async () => {
    const dir = await dirs.make();
    const logFile = join(dir, 'run.log');
    await writeFile(logFile, 'old content that is long\n');
    await (await startProcess({ argv: ['echo', 'one'], cwd: dir, env: {}, logFile })).wait();
    await (
      await startProcess({ argv: ['echo', 'two'], cwd: dir, env: {}, logFile, appendLog: true })
    ).wait();
    expect(await readFile(logFile, 'utf8')).toBe('one\ntwo\n');
    const quiet = await startProcess({ argv: ['echo', 'x'], cwd: dir, env: {}, logFile: NO_LOG });
    expect(await quiet.wait()).toEqual({ code: 0, signal: null });
  });

  it('reports exit codes', async () => {
    const dir = await dirs.make();
    const proc = await startProcess({
      argv: ['sh', '-c', 'exit 23'],
      cwd: dir,
      env: {},
      logFile: NO_LOG,
    });
    const exit = await proc.wait();
    expect(exit).toEqual({ code: 23, signal: null });
    expect(describeProcessExit(exit)).toBe('exited with code 23');
    expect(describeProcessExit({ code: null, signal: 'SIGKILL' })).toBe(
      'was killed by signal SIGKILL',
    );
  });

  it('a missing program or an unusable cwd is a clear failure, not a crash', async () => {
    const dir = await dirs.make();
    await expect(
      startProcess({ argv: ['/no/such/program'], cwd: dir, env: {}, logFile: NO_LOG }),
    ).rejects.toMatchObject({
      code: 'TUNASYNC_E_SPAWN',
      message: expect.stringMatching(/^cannot start \/no\/such\/program: .*no such file/),
    });
    await writeFile(join(dir, 'file'), '');
    await expect(
      startProcess({ argv: ['true'], cwd: join(dir, 'file/sub'), env: {}, logFile: NO_LOG }),
    ).rejects.toMatchObject({ code: 'TUNASYNC_E_SPAWN' });
    await expect(
      startProcess({ argv: [], cwd: dir, env: {}, logFile: NO_LOG }),
    ).rejects.toMatchObject({
      code: 'TUNASYNC_E_SPAWN',
    });
    await expect(
      startProcess({ argv: ['true'], cwd: dir, env: {}, logFile: join(dir, 'file/x.log') }),
    ).rejects.toMatchObject({ code: 'TUNASYNC_E_SPAWN' });
  });

  it('terminate stops a command and its grandchildren: no process of the group remains', async () => {
    const dir = await dirs.make();
    const proc = await startProcess({
      argv: ['sh', '-c', 'sleep 300 & sleep 300'],
      cwd: dir,
      env: {},
      logFile: NO_LOG,
    });
    await waitFor(
      () => listProcessGroup(proc.pid).filter((p) => p.command === 'sleep').length === 2,
    );
    await proc.terminate();
    expect(listProcessGroup(proc.pid)).toEqual([]);
    expect(processGroupAlive(proc.pid)).toBe(false);
    expect((await proc.wait()).signal).toBe('SIGTERM');
    await proc.terminate(); // idempotent
  });

  it('SIGKILLs what ignores SIGTERM after the grace time', async () => {
    const dir = await dirs.make();
    const logger = recordingLogger();
    const proc = await startProcess({
      argv: ['sh', '-c', 'trap "" TERM; sleep 300 & sleep 300; true'],
      cwd: dir,
      env: {},
      logFile: NO_LOG,
      killGraceMs: 100,
      logger,
    });
    await waitFor(
      () => listProcessGroup(proc.pid).filter((p) => p.command === 'sleep').length === 2,
    );
    await proc.terminate();
    expect(listProcessGroup(proc.pid)).toEqual([]);
    expect((await proc.wait()).signal).toBe('SIGKILL');
    expect(logger.lines.some((l) => /SIGKILL sent/.test(l))).toBe(true);
  });

  it('stops what a command leaves behind in its group when it exits', async () => {
    const dir = await dirs.make();
    const proc = await startProcess({
      argv: ['sh', '-c', 'sleep 300 & exit 0'],
      cwd: dir,
      env: {},
      logFile: NO_LOG,
    });
    expect(await proc.wait()).toEqual({ code: 0, signal: null });
    expect(listProcessGroup(proc.pid)).toEqual([]);
  });

  it('applies the command wrapper and calls its terminate before signalling', async () => {
    const dir = await dirs.make();
    const logFile = join(dir, 'run.log');
    const calls: string[] = [];
    const wrapper: CommandWrapper = {
      name: 'test-wrapper',
      wrap: (spec) => {
        calls.push(`wrap ${spec.argv.join(' ')} ${spec.env.X}`);
        return {
          argv: ['sh', '-c', 'echo wrapped "$@" "$Y"; sleep 300', 'sh', ...spec.argv],
          cwd: spec.cwd,
          env: { Y: 'y' },
        };
      },
      terminate: async () => {
        calls.push('terminate');
        throw new Error('cannot');
      },
    };
    const proc = await startProcess({
      argv: ['rsync', '-a'],
      cwd: dir,
      env: { X: 'x' },
      logFile,
      wrapper,
    });
    expect(proc.argv[0]).toBe('sh');
    await waitFor(async () => (await readFile(logFile, 'utf8')).includes('wrapped'));
    await proc.terminate();
    expect(calls).toEqual(['wrap rsync -a x', 'terminate']);
    expect(await readFile(logFile, 'utf8')).toBe('wrapped rsync -a y\n');
    expect(listProcessGroup(proc.pid)).toEqual([]);
  });
});
