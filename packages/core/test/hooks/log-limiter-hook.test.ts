import { lstat, readdir, readlink, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MirrorJob, createLogLimiterHook, defineHook, logFileStamp } from '../../src';
import { tempDir } from '../helpers/fake-tool';
import { runHook } from '../helpers/run-hook';
import { ControlledProvider, ProcessProvider } from '../helpers/test-provider';

describe('log limiter hook', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names files like the Go program (local time)', () => {
    expect(logFileStamp(new Date(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02_03_04');
  });

  it("keeps the newest 9 of this mirror's own logs, plus the current one", async () => {
    const own: string[] = [];
    for (let i = 0; i < 12; i++) {
      const name = `debian_2026-01-${String(i + 1).padStart(2, '0')}_00_00.log${i % 3 === 0 ? '.fail' : ''}`;
      own.push(name);
      await writeFile(path.join(dir, name), `run ${i}`);
      await utimes(path.join(dir, name), 1_700_000_000 + i * 100, 1_700_000_000 + i * 100);
    }
    const others = [
      'debian-security_2026-01-01_00_00.log',
      'debian-security_2026-01-02_00_00.log.fail',
      'debian.conf',
      'debian_notes.txt',
    ];
    for (const name of others) await writeFile(path.join(dir, name), 'not ours');

    const provider = new ControlledProvider({
      name: 'debian',
      logDir: dir,
      logFile: path.join(dir, 'latest.log'),
    });
    const now = new Date(2026, 1, 3, 4, 5);
    const hook = createLogLimiterHook({ now: () => now });
    await runHook(hook, 'pre-exec', provider);

    const current = 'debian_2026-02-03_04_05.log';
    expect(provider.logFile()).toBe(path.join(dir, current));
    expect(await readlink(path.join(dir, 'latest'))).toBe(current);
    const left = (await readdir(dir)).sort();
    expect(left).toEqual([...others, ...own.slice(3), 'latest'].sort());

    await runHook(hook, 'post-success', provider);
    expect(provider.logFile()).toBe(path.join(dir, 'latest.log'));
    expect(provider.context.depth).toBe(0);
  });

  it('renames a failed log to .fail and points latest at it', async () => {
    const provider = new ControlledProvider({ name: 'm', logDir: path.join(dir, 'sub', 'm') });
    (provider.context as { set(k: 'logFile', v: string): void }).set(
      'logFile',
      path.join(dir, 'latest.log'),
    );
    const hook = createLogLimiterHook({ now: () => new Date(2026, 4, 6, 7, 8) });
    await runHook(hook, 'pre-exec', provider);
    const logFile = provider.logFile();
    await writeFile(logFile, 'output');
    await runHook(hook, 'post-fail', provider, { error: 'x' });
    const failed = `${logFile}.fail`;
    expect((await lstat(failed)).isFile()).toBe(true);
    expect(await readlink(path.join(dir, 'sub', 'm', 'latest'))).toBe(path.basename(failed));
    expect(provider.context.depth).toBe(0);
    // post-fail again (nothing entered) is harmless
    await runHook(hook, 'post-fail', provider);
    expect(provider.context.depth).toBe(0);
  });

  it('leaves a provider that logs to /dev/null alone', async () => {
    const provider = new ControlledProvider({
      name: 'quiet',
      logDir: path.join(dir, 'never'),
      logFile: '/dev/null',
    });
    const hook = createLogLimiterHook();
    await runHook(hook, 'pre-exec', provider);
    await runHook(hook, 'post-fail', provider);
    expect(provider.logFile()).toBe('/dev/null');
    await expect(readdir(path.join(dir, 'never'))).rejects.toThrow();
  });

  it('gives each attempt of a real job its log and keeps the failed one', async () => {
    let minute = 0;
    const provider = new ProcessProvider(
      {
        name: 'real',
        workingDir: dir,
        logDir: path.join(dir, 'log'),
        logFile: path.join(dir, 'log', 'latest.log'),
        retry: 2,
      },
      ['sh', '-c', 'echo attempt; test -e "$0"', path.join(dir, 'second')],
    );
    provider.addHook(
      createLogLimiterHook({
        now: () => new Date(2026, 0, 1, 0, minute++),
      }),
    );
    // After the first failure, make the second attempt succeed.
    provider.addHook(
      defineHook('marker', { 'post-fail': () => writeFile(path.join(dir, 'second'), '') }),
    );
    const job = new MirrorJob(provider);
    const statuses: string[] = [];
    job.on('status', (e) => statuses.push(e.status));
    await job.start();
    await job.whenIdle();
    expect(statuses).toEqual(['pre-syncing', 'syncing', 'failed', 'syncing', 'success']);
    const logs = (await readdir(path.join(dir, 'log'))).sort();
    expect(logs).toEqual(['latest', 'real_2026-01-01_00_00.log.fail', 'real_2026-01-01_00_01.log']);
    expect(await readlink(path.join(dir, 'log', 'latest'))).toBe('real_2026-01-01_00_01.log');
  });
});
