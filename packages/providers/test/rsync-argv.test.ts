import { join } from 'node:path';
import { createFakeCommand, TempDirs, recordingLogger } from '@tunasync/test-utils';
import type { FakeCommand } from '@tunasync/test-utils';
import { ProviderConfigError } from '../src/errors';
import { NO_LOG } from '../src/process-runner';
import { RsyncProvider } from '../src/rsync-provider';
import type { RsyncProviderOptions } from '../src/rsync-provider';
import { TwoStageRsyncProvider } from '../src/two-stage-rsync-provider';

const DEFAULTS = [
  '-aHvh',
  '--no-o',
  '--no-g',
  '--stats',
  '--filter',
  'risk .~tmp~/',
  '--exclude',
  '.~tmp~/',
  '--delete',
  '--delete-after',
  '--delay-updates',
  '--safe-links',
];
const STAGE1 = [
  '-aHvh',
  '--no-o',
  '--no-g',
  '--stats',
  '--filter',
  'risk .~tmp~/',
  '--exclude',
  '.~tmp~/',
  '--safe-links',
];
const DEBIAN = [
  '--include=*.diff/',
  '--include=by-hash/',
  '--exclude=*.diff/Index',
  '--exclude=Contents*',
  '--exclude=Packages*',
  '--exclude=Sources*',
  '--exclude=Release*',
  '--exclude=InRelease',
  '--exclude=i18n/*',
  '--exclude=dep11/*',
  '--exclude=installer-*/current',
  '--exclude=ls-lR*',
];
const DEBIAN_OLDSTYLE = [
  '--exclude=Packages*',
  '--exclude=Sources*',
  '--exclude=Release*',
  '--exclude=InRelease',
  '--exclude=i18n/*',
  '--exclude=ls-lR*',
  '--exclude=dep11/*',
];
const UPSTREAM = 'rsync://mirror.example.org/debian/';

const dirs = new TempDirs();
let fake: FakeCommand;
let workingDir: string;
let base: Omit<RsyncProviderOptions, 'name'> & { name: string };

beforeEach(async () => {
  const dir = await dirs.make();
  fake = await createFakeCommand({
    dir: join(dir, 'bin'),
    name: 'rsync',
    recordEnv: ['USER', 'RSYNC_PASSWORD', 'EXTRA'],
  });
  workingDir = join(dir, 'data');
  base = {
    name: 'debian',
    upstream: UPSTREAM,
    workingDir,
    logDir: join(dir, 'log'),
    interval: 60,
    retry: 1,
    timeout: 0,
    baseEnv: { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` },
  };
});
afterEach(() => dirs.cleanup());

async function rsyncArgv(options: Partial<RsyncProviderOptions>): Promise<string[]> {
  const provider = new RsyncProvider({ ...base, ...options });
  await provider.run();
  const calls = await fake.calls();
  expect(calls).toHaveLength(1);
  const argv = calls[0]?.argv ?? [];
  expect(argv.slice(-2)).toEqual([UPSTREAM, workingDir]);
  expect(provider.argv()).toEqual(['rsync', ...argv]);
  return argv.slice(0, -2);
}

describe('rsync argv (SPEC §4.4.1), recorded by a fake rsync on PATH', () => {
  it('default options, then --timeout=120', async () => {
    expect(await rsyncArgv({})).toEqual([...DEFAULTS, '--timeout=120']);
  });

  it('rsync_timeout, rsync_no_timeout', async () => {
    expect(await rsyncArgv({ rsyncTimeout: 30 })).toEqual([...DEFAULTS, '--timeout=30']);
  });

  it('rsync_no_timeout drops --timeout', async () => {
    expect(await rsyncArgv({ rsyncNoTimeout: true, rsyncTimeout: 30 })).toEqual(DEFAULTS);
  });

  it('use_ipv6 / use_ipv4 (ipv6 wins)', async () => {
    expect(await rsyncArgv({ useIPv6: true, useIPv4: true })).toEqual([
      ...DEFAULTS,
      '--timeout=120',
      '-6',
    ]);
  });

  it('use_ipv4', async () => {
    expect(await rsyncArgv({ useIPv4: true })).toEqual([...DEFAULTS, '--timeout=120', '-4']);
  });

  it('exclude_file, global then mirror rsync_options, in this order', async () => {
    expect(
      await rsyncArgv({
        useIPv4: true,
        excludeFile: '/etc/excl',
        globalRsyncOptions: ['--global-a', '--global-b'],
        rsyncOptions: ['--mirror-a'],
      }),
    ).toEqual([
      ...DEFAULTS,
      '--timeout=120',
      '-4',
      '--exclude-from',
      '/etc/excl',
      '--global-a',
      '--global-b',
      '--mirror-a',
    ]);
  });

  it('rsync_override replaces the defaults and keeps the appended options', async () => {
    expect(
      await rsyncArgv({
        rsyncOverride: ['-a', '--custom'],
        rsyncTimeout: 5,
        useIPv6: true,
        excludeFile: '/x',
        globalRsyncOptions: ['--g'],
        rsyncOptions: ['--m'],
      }),
    ).toEqual(['-a', '--custom', '--timeout=5', '-6', '--exclude-from', '/x', '--g', '--m']);
  });

  it('rsync_override_only uses rsync_override alone', async () => {
    expect(
      await rsyncArgv({
        rsyncOverride: ['-a'],
        rsyncOverrideOnly: true,
        useIPv6: true,
        excludeFile: '/x',
        globalRsyncOptions: ['--g'],
        rsyncOptions: ['--m'],
      }),
    ).toEqual(['-a']);
  });

  it('an empty rsync_override is honoured', async () => {
    expect(await rsyncArgv({ rsyncOverride: [], rsyncNoTimeout: true })).toEqual([]);
  });

  it('USER and RSYNC_PASSWORD come in the environment, never in argv or the logs', async () => {
    const logger = recordingLogger();
    const provider = new RsyncProvider({
      ...base,
      username: 'alice',
      password: 'p@ss-w0rd',
      env: { EXTRA: 'e', USER: 'overridden' },
      logger,
    });
    await provider.run();
    const [call] = await fake.calls();
    expect(call?.env).toEqual({ USER: 'alice', RSYNC_PASSWORD: 'p@ss-w0rd', EXTRA: 'e' });
    expect(call?.argv.join(' ')).not.toContain('p@ss-w0rd');
    expect(logger.lines.join('\n')).not.toContain('p@ss-w0rd');
    expect(logger.lines.some((l) => l.includes('starting'))).toBe(true);
  });

  it('the mirror command replaces rsync', async () => {
    const provider = new RsyncProvider({ ...base, rsyncCommand: fake.path, logFile: NO_LOG });
    await provider.run();
    expect(provider.argv()[0]).toBe(fake.path);
    expect(await fake.calls()).toHaveLength(1);
  });

  it('config errors name the mirror and the key', () => {
    expect(() => new RsyncProvider({ ...base, upstream: 'rsync://x/debian' })).toThrow(
      'mirror debian: upstream: must end with "/" for an rsync mirror',
    );
    expect(() => new RsyncProvider({ ...base, rsyncOverrideOnly: true })).toThrow(
      'mirror debian: rsync_override_only: is set but rsync_override is not',
    );
    expect(() => new RsyncProvider({ ...base, upstream: '' })).toThrow(ProviderConfigError);
  });
});

describe('two-stage-rsync argv (SPEC §4.4.2)', () => {
  async function stages(options: Partial<ConstructorParameters<typeof TwoStageRsyncProvider>[0]>) {
    const provider = new TwoStageRsyncProvider({ ...base, stage1Profile: 'debian', ...options });
    await provider.run();
    const calls = await fake.calls();
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(call.argv.slice(-2)).toEqual([UPSTREAM, workingDir]);
    expect(provider.argv(1).slice(1, -2)).toEqual(calls[0]?.argv.slice(0, -2));
    return calls.map((c) => c.argv.slice(0, -2));
  }

  it('debian profile: stage 1 without deletion, stage 2 with the mirror options', async () => {
    expect(await stages({ rsyncOptions: ['--m'] })).toEqual([
      [...STAGE1, ...DEBIAN, '--timeout=120'],
      [...DEFAULTS, '--m', '--timeout=120'],
    ]);
  });

  it('debian-oldstyle with timeout, address family and exclude file in both stages', async () => {
    const tail = ['--timeout=9', '-6', '--exclude-from', '/excl'];
    expect(
      await stages({
        stage1Profile: 'debian-oldstyle',
        rsyncTimeout: 9,
        useIPv6: true,
        excludeFile: '/excl',
      }),
    ).toEqual([
      [...STAGE1, ...DEBIAN_OLDSTYLE, ...tail],
      [...DEFAULTS, ...tail],
    ]);
  });

  it('rsync_no_timeout and use_ipv4', async () => {
    expect(await stages({ rsyncNoTimeout: true, useIPv4: true })).toEqual([
      [...STAGE1, ...DEBIAN, '-4'],
      [...DEFAULTS, '-4'],
    ]);
  });

  it('credentials in the environment of both stages', async () => {
    await stages({ username: 'u', password: 'pw' });
    for (const call of await fake.calls())
      expect(call.env).toEqual({ USER: 'u', RSYNC_PASSWORD: 'pw' });
  });

  it('an unknown profile and a bad upstream are config errors naming the keys', () => {
    expect(
      () =>
        new TwoStageRsyncProvider({ ...base, upstream: 'x', stage1Profile: 'ubuntu' as 'debian' }),
    ).toThrow(
      /mirror debian: upstream: .*; mirror debian: stage1_profile: must be one of debian, debian-oldstyle/,
    );
  });

  it('stage 2 does not run when stage 1 fails', async () => {
    const failing = await createFakeCommand({
      dir: join(workingDir, '..', 'bin2'),
      name: 'rsync',
      exitCode: 12,
    });
    const provider = new TwoStageRsyncProvider({
      ...base,
      stage1Profile: 'debian',
      rsyncCommand: failing.path,
    });
    await expect(provider.run()).rejects.toThrow(
      `${failing.path} exited with code 12 (Error in rsync protocol data stream)`,
    );
    expect(await failing.calls()).toHaveLength(1);
  });
});
