import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listProcessGroup, TempDirs } from '@tunasync/test-utils';
import type { Provider } from '@tunasync/core';
import { CommandProvider } from '../src/command-provider';
import type { CommandProviderOptions } from '../src/command-provider';
import { NO_LOG } from '../src/process-runner';
import { waitFor } from './helpers';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

async function makeProvider(extra: Partial<CommandProviderOptions> & { command: string }) {
  const dir = await dirs.make('cmd-');
  return new CommandProvider({
    name: 'pypi',
    upstream: 'https://pypi.example.org/',
    workingDir: join(dir, 'data'),
    logDir: join(dir, 'log'),
    interval: 60,
    retry: 1,
    timeout: 0,
    ...extra,
  });
}

describe('command provider', () => {
  it('splits the command like a shell and passes the TUNASYNC_* variables and env', async () => {
    const provider = await makeProvider({
      command: `sh -c 'echo "$1|$TUNASYNC_MIRROR_NAME|$TUNASYNC_WORKING_DIR|$TUNASYNC_UPSTREAM_URL|$TUNASYNC_LOG_DIR|$TUNASYNC_LOG_FILE|$MY_VAR|$TUNASYNC_MIRROR_NAME"; pwd' sh "a b\\"c"`,
      env: { MY_VAR: 'mine' },
    });
    await provider.run();
    const log = await readFile(provider.logFile(), 'utf8');
    expect(log).toBe(
      [
        `a b"c|pypi|${provider.workingDir}|https://pypi.example.org/|${provider.logDir}|${provider.logFile()}|mine|pypi`,
        provider.workingDir,
        '',
      ].join('\n'),
    );
    expect(provider.dataSize()).toBeUndefined();
  });

  it('the mirror env wins over the TUNASYNC_* variables, as in the Go program', async () => {
    const provider = await makeProvider({
      command: 'sh -c "echo $TUNASYNC_UPSTREAM_URL"',
      env: { TUNASYNC_UPSTREAM_URL: 'override' },
    });
    await provider.run();
    expect(await readFile(provider.logFile(), 'utf8')).toBe('override\n');
  });

  it('fail_on_match fails the run with the number of matches, streaming the log', async () => {
    const provider = await makeProvider({
      command: `sh -c 'echo "ok"; echo "ERROR: one"; echo "fine"; echo "ERROR: two ERROR: three"'`,
      failOnMatch: 'ERROR: \\w+',
    });
    await expect(provider.run()).rejects.toThrow('Fail-on-match regexp found 3 matches');
    const clean = await makeProvider({ command: 'echo all good', failOnMatch: '(?i)error' });
    await clean.run();
  });

  it('size_pattern: the first group of the last match is the size', async () => {
    const provider = await makeProvider({
      command: `sh -c 'echo "size-sum: 1.5G"; echo other; echo "size-sum: 2.25T (final)"'`,
      sizePattern: 'size-sum: ([0-9.]+[KMGTP])',
    });
    await provider.run();
    expect(provider.dataSize()).toBe('2.25T');
    const none = await makeProvider({ command: 'echo nothing', sizePattern: 'size-sum: (\\S+)' });
    await none.run();
    expect(none.dataSize()).toBeUndefined();
  });

  it('without a log, patterns are not applied', async () => {
    const provider = await makeProvider({
      command: 'echo ERROR',
      failOnMatch: 'ERROR',
      sizePattern: '(x)',
      logFile: NO_LOG,
    });
    await provider.run();
    expect(provider.dataSize()).toBeUndefined();
  });

  it('a non-zero exit fails unless it is a success code; a missing program is a clear failure', async () => {
    await expect((await makeProvider({ command: 'sh -c "exit 3"' })).run()).rejects.toThrow(
      'sh exited with code 3',
    );
    await (await makeProvider({ command: 'sh -c "exit 3"', successExitCodes: [3] })).run();
    await expect(
      (await makeProvider({ command: '/no/such/tool --x' })).run(),
    ).rejects.toMatchObject({
      code: 'TUNASYNC_E_SPAWN',
    });
  });

  it('has no live progress (only rsync kinds have one)', async () => {
    const provider: Provider = await makeProvider({ command: 'true' });
    expect(provider.progress).toBeUndefined();
  });

  it('runs once at a time', async () => {
    const provider = await makeProvider({ command: 'sleep 300', killGraceMs: 200 });
    const first = provider.run().catch((err: Error) => err);
    await expect(provider.run()).rejects.toMatchObject({ code: 'TUNASYNC_E_ALREADY_RUNNING' });
    await waitFor(() => provider.isRunning());
    await provider.terminate();
    expect(await first).toMatchObject({ code: 'TUNASYNC_E_TERMINATED' });
  });

  it("terminate stops `sh -c 'sleep 300 & sleep 300'`: no process of its group remains", async () => {
    const provider = await makeProvider({
      command: `sh -c 'echo "pid $$"; sleep 300 & sleep 300'`,
    });
    const outcome = provider.run().catch((err: Error) => err);
    let pgid = 0;
    await waitFor(async () => {
      const log = await readFile(provider.logFile(), 'utf8').catch(() => '');
      pgid = Number(/pid (\d+)/.exec(log)?.[1] ?? 0);
      return pgid > 0 && listProcessGroup(pgid).filter((p) => p.command === 'sleep').length === 2;
    });
    await provider.terminate();
    expect(listProcessGroup(pgid)).toEqual([]);
    expect(await outcome).toMatchObject({ message: 'pypi: terminated' });
  });

  it('config errors name the mirror and the key', async () => {
    await expect(makeProvider({ command: `sh -c 'unbalanced` })).rejects.toThrow(
      /^mirror pypi: command: cannot split command line .*unbalanced single quote/,
    );
    await expect(makeProvider({ command: '  ' })).rejects.toThrow(
      'mirror pypi: command: must not be empty',
    );
    await expect(makeProvider({ command: 'true', failOnMatch: '(' })).rejects.toThrow(
      'mirror pypi: fail_on_match: invalid regular expression: Unterminated group',
    );
    await expect(makeProvider({ command: 'true', sizePattern: 'no group' })).rejects.toThrow(
      'mirror pypi: size_pattern: must have a capture group holding the size',
    );
    await expect(makeProvider({ command: 'true', sizePattern: '(?U)(x)' })).rejects.toThrow(
      /size_pattern: invalid regular expression: the \(\?U\) flag/,
    );
  });
});
