import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { MirrorJob, createExecHook, mergeExecCommands } from '../../src';
import { tempDir } from '../helpers/fake-tool';
import { runHook } from '../helpers/run-hook';
import { ControlledProvider } from '../helpers/test-provider';

describe('exec hooks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const provider = (retry = 1) =>
    new ControlledProvider({
      name: 'archlinux',
      workingDir: path.join(dir, 'data'),
      logDir: path.join(dir, 'log'),
      logFile: path.join(dir, 'log', 'latest.log'),
      retry,
    });

  it('runs the commands in order, without a shell, with the TUNASYNC_* variables', async () => {
    const out = path.join(dir, 'out.txt');
    const dump = `node -e "require('fs').appendFileSync(process.argv[1], JSON.stringify([process.argv[2], Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TUNASYNC_')))]) + '\\\\n')" ${out}`;
    const hook = createExecHook({
      kind: 'success',
      commands: [`${dump} first`, `${dump} 'second; echo not-a-shell $HOME'`],
    });
    await runHook(hook, 'post-success', provider());
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const env = {
      TUNASYNC_MIRROR_NAME: 'archlinux',
      TUNASYNC_WORKING_DIR: path.join(dir, 'data'),
      TUNASYNC_UPSTREAM_URL: 'rsync://example.invalid/test/',
      TUNASYNC_LOG_DIR: path.join(dir, 'log'),
      TUNASYNC_LOG_FILE: path.join(dir, 'log', 'latest.log'),
      TUNASYNC_JOB_EXIT_STATUS: 'success',
    };
    expect(lines).toEqual([
      ['first', env],
      ['second; echo not-a-shell $HOME', env],
    ]);
  });

  it('a failing command fails the hook with its exit code and stops the list', async () => {
    const marker = path.join(dir, 'never');
    const hook = createExecHook({ kind: 'failure', commands: ['false', `touch ${marker}`] });
    await expect(runHook(hook, 'post-fail', provider())).rejects.toMatchObject({
      code: 'TUNASYNC_E_EXEC_COMMAND',
      message: 'command "false" exited with code 1',
    });
    await expect(readFile(marker)).rejects.toThrow();
  });

  it('a missing program is a clear error', async () => {
    const hook = createExecHook({ kind: 'success', commands: ['/nonexistent/tool --flag'] });
    await expect(runHook(hook, 'post-success', provider())).rejects.toThrow(
      /\/nonexistent\/tool --flag cannot be run: \/nonexistent\/tool is not installed or not on PATH/,
    );
  });

  it('in a job: exec-on-failure runs after each failed attempt and its failure fails the job', async () => {
    const out = path.join(dir, 'status.txt');
    const p = provider(2);
    p.auto = async () => 'upstream gone';
    const commands = mergeExecCommands([`sh -c 'echo global >> ${out}'`], undefined, [
      `sh -c 'echo "$TUNASYNC_JOB_EXIT_STATUS" >> ${out}'`,
    ]);
    p.addHook(createExecHook({ kind: 'success', commands: [`sh -c 'echo success >> ${out}'`] }));
    p.addHook(createExecHook({ kind: 'failure', commands }));
    const job = new MirrorJob(p);
    const messages: string[] = [];
    job.on('status', (e) => e.status === 'failed' && messages.push(e.message));
    await job.start();
    await job.whenIdle();
    expect(await readFile(out, 'utf8')).toBe('global\nfailure\nglobal\nfailure\n');
    expect(messages).toEqual(['upstream gone', 'upstream gone']);

    p.addHook(createExecHook({ kind: 'failure', commands: ['sh -c "exit 3"'] }));
    await job.start();
    await job.whenIdle();
    expect(messages.at(-1)).toBe(
      'error exec hook post-fail: command "sh -c \\"exit 3\\"" exited with code 3',
    );
  });
});
