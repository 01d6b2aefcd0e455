import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { MirrorConfigFile } from '@tunasync/api-types';
import type { HookContext } from '@tunasync/core';
import { TempDirs, recordingLogger } from '@tunasync/test-utils';
import { CommandProvider } from '../src/command-provider';
import { checkMirrorConfig, createProvider } from '../src/create-provider';
import type { ProviderGlobalConfig } from '../src/create-provider';
import { ProviderConfigError } from '../src/errors';
import { expandLogDirTemplate, logDirTemplateProblem } from '../src/log-dir-template';
import { RsyncProvider } from '../src/rsync-provider';
import { TwoStageRsyncProvider } from '../src/two-stage-rsync-provider';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

const GLOBAL: ProviderGlobalConfig = {
  global: {
    log_dir: '/var/log/tunasync/{{.Name}}',
    mirror_dir: '/srv/mirror',
    interval: 120,
    retry: 2,
  },
};

function problemsOf(mirror: MirrorConfigFile, config: ProviderGlobalConfig = GLOBAL): string[] {
  try {
    createProvider(mirror, config);
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderConfigError);
    return (err as ProviderConfigError).problems.map((p) => `${p.mirror} ${p.key}: ${p.reason}`);
  }
  return [];
}

describe('createProvider', () => {
  it('builds each kind with the common fields resolved from mirror and global', () => {
    const rsync = createProvider(
      { name: 'debian', provider: 'rsync', upstream: 'rsync://u/debian/' },
      GLOBAL,
    );
    expect(rsync).toBeInstanceOf(RsyncProvider);
    expect(rsync).toMatchObject({
      name: 'debian',
      type: 'rsync',
      upstream: 'rsync://u/debian/',
      workingDir: '/srv/mirror/debian',
      logDir: '/var/log/tunasync/debian',
      interval: 120,
      retry: 2,
      timeout: 0,
      isMaster: true,
    });
    expect(rsync.logFile()).toBe('/var/log/tunasync/debian/latest.log');

    const two = createProvider(
      {
        name: 'ubuntu',
        provider: 'two-stage-rsync',
        upstream: 'rsync://u/ubuntu/',
        stage1_profile: 'debian',
        mirror_subdir: 'linux',
        interval: 30,
        retry: 5,
        timeout: 3600,
        role: 'slave',
        log_dir: '/logs/{{ .Provider }}/{{.Name}}-{{.Interval}}',
      },
      GLOBAL,
    );
    expect(two).toBeInstanceOf(TwoStageRsyncProvider);
    expect(two).toMatchObject({
      workingDir: '/srv/mirror/linux/ubuntu',
      logDir: '/logs/two-stage-rsync/ubuntu-30',
      interval: 30,
      retry: 5,
      timeout: 3600,
      isMaster: false,
    });

    const cmd = createProvider(
      {
        name: 'pypi',
        provider: 'command',
        command: 'bandersnatch mirror',
        mirror_dir: '/data/pypi',
      },
      { global: { log_dir: '/logs' } },
    );
    expect(cmd).toBeInstanceOf(CommandProvider);
    expect(cmd).toMatchObject({
      workingDir: '/data/pypi',
      logDir: '/logs',
      interval: 120,
      retry: 2,
    });
  });

  it('passes global and mirror rsync options through', () => {
    const provider = createProvider(
      {
        name: 'd',
        provider: 'rsync',
        upstream: 'rsync://u/d/',
        command: '/usr/local/bin/rsync',
        rsync_options: ['--m'],
        rsync_timeout: 30,
        use_ipv4: true,
        exclude_file: '/etc/excl',
      },
      { global: { ...GLOBAL.global, rsync_options: ['--g'] } },
    ) as RsyncProvider;
    expect(provider.argv()).toEqual([
      '/usr/local/bin/rsync',
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
      '--timeout=30',
      '-4',
      '--exclude-from',
      '/etc/excl',
      '--g',
      '--m',
      'rsync://u/d/',
      '/srv/mirror/d',
    ]);
  });

  it('attaches hooks in the order of SPEC §4.5', () => {
    const config: ProviderGlobalConfig = {
      global: {
        ...GLOBAL.global,
        exec_on_success: ['echo global-ok'],
        exec_on_failure: ['echo bad'],
      },
      zfs: { enable: true, zpool: 'tank' },
      btrfs_snapshot: { enable: true, snapshot_path: '/snap' },
      docker: { enable: true, volumes: ['/a:/a'] },
      cgroup: { enable: true },
    };
    const names = (m: MirrorConfigFile): string[] =>
      createProvider(m, config)
        .hooks()
        .map((h) => h.name);
    const base: MirrorConfigFile = { name: 'm', provider: 'rsync', upstream: 'rsync://u/m/' };
    expect(names({ ...base, docker_image: 'alpine', memory_limit: '256M' })).toEqual([
      'log-limiter',
      'zfs',
      'btrfs-snapshot',
      'docker',
      'exec-on-success',
      'exec-on-failure',
    ]);
    expect(names({ ...base, memory_limit: '1G' })).toEqual([
      'log-limiter',
      'zfs',
      'btrfs-snapshot',
      'cgroup',
      'exec-on-success',
      'exec-on-failure',
    ]);
    expect(names({ ...base, exec_on_success: [], exec_on_failure_extra: ['echo x'] })).toEqual([
      'log-limiter',
      'zfs',
      'btrfs-snapshot',
      'cgroup',
      'exec-on-failure',
    ]);
    expect(
      createProvider(base, GLOBAL)
        .hooks()
        .map((h) => h.name),
    ).toEqual(['log-limiter']);
  });

  it('the attached log limiter gives each run its own log file', async () => {
    const dir = await dirs.make();
    const provider = createProvider(
      { name: 'echo', provider: 'command', command: 'echo hello', mirror_dir: join(dir, 'data') },
      { global: { log_dir: join(dir, 'logs/{{.Name}}') } },
      { logLimiter: { now: () => new Date(2026, 0, 2, 15, 4) } },
    );
    const [limiter] = provider.hooks();
    const ctx = {
      provider,
      logger: recordingLogger(),
      attempt: 1,
      phase: 'pre-exec',
    } as HookContext;
    await limiter?.handlers['pre-exec']?.(ctx);
    await provider.run();
    await limiter?.handlers['post-success']?.({ ...ctx, phase: 'post-success' } as HookContext);
    const logFile = join(dir, 'logs/echo/echo_2026-01-02_15_04.log');
    expect(await readFile(logFile, 'utf8')).toBe('hello\n');
    expect(await readlink(join(dir, 'logs/echo/latest'))).toBe('echo_2026-01-02_15_04.log');
  });

  it('merges and de-duplicates success codes; rsync codes only for rsync kinds, with a warning otherwise', () => {
    const config: ProviderGlobalConfig = {
      global: {
        ...GLOBAL.global,
        dangerous_global_success_exit_codes: [10, 20],
        dangerous_global_rsync_success_exit_codes: [24, 20],
      },
    };
    const rsync = createProvider(
      {
        name: 'r',
        provider: 'rsync',
        upstream: 'rsync://u/r/',
        success_exit_codes: [20, 30],
        rsync_success_exit_codes: [23, 24],
      },
      config,
    );
    expect(rsync.successExitCodes).toEqual([10, 20, 30, 24, 23]);
    const logger = recordingLogger();
    const cmd = createProvider(
      {
        name: 'c',
        provider: 'command',
        command: 'true',
        success_exit_codes: [30],
        rsync_success_exit_codes: [23],
      },
      config,
      { logger },
    );
    expect(cmd.successExitCodes).toEqual([10, 20, 30]);
    expect(logger.lines).toContain(
      'warn: mirror c: rsync_success_exit_codes is ignored for a command mirror (use success_exit_codes)',
    );
    expect(
      checkMirrorConfig(
        { name: 'c', provider: 'command', command: 'x', rsync_success_exit_codes: [1] },
        GLOBAL,
      ),
    ).toEqual({
      problems: [],
      warnings: [expect.stringContaining('rsync_success_exit_codes is ignored')],
    });
  });

  it('every config error names the mirror and the key', () => {
    expect(problemsOf({ name: 'bad name', provider: 'rsync', upstream: 'rsync://u/x/' })).toEqual([
      expect.stringMatching(/^<unnamed>|^bad name name: must start/),
    ]);
    expect(problemsOf({ name: 'x', provider: 'ftp' as 'rsync' })).toEqual([
      'x provider: must be one of rsync, two-stage-rsync, command',
    ]);
    expect(problemsOf({ name: 'x', provider: 'rsync', upstream: 'rsync://u/x' })).toEqual([
      'x upstream: must end with "/" for an rsync mirror (got "rsync://u/x")',
    ]);
    expect(
      problemsOf({
        name: 'x',
        provider: 'rsync',
        upstream: 'rsync://u/x/',
        rsync_override_only: true,
        rsync_timeout: -1,
      }),
    ).toEqual([
      'x rsync_timeout: must be a non-negative integer (seconds)',
      'x rsync_override_only: is set but rsync_override is not',
    ]);
    expect(
      problemsOf({ name: 'x', provider: 'two-stage-rsync', upstream: 'rsync://u/x/' }),
    ).toEqual([
      'x stage1_profile: must be set for a two-stage-rsync mirror (debian or debian-oldstyle)',
    ]);
    expect(problemsOf({ name: 'x', provider: 'command' })).toEqual([
      'x command: must be set for a command mirror',
    ]);
    expect(problemsOf({ name: 'x', provider: 'command', command: "a 'b" })).toEqual([
      expect.stringMatching(/^x command: cannot split command line/),
    ]);
    expect(problemsOf({ name: 'x', provider: 'command', command: 'true' }, { global: {} })).toEqual(
      [
        'x global.mirror_dir: must be set when the mirror sets no mirror_dir',
        'x global.log_dir: must be set when the mirror sets no log_dir',
      ],
    );
    expect(
      problemsOf({ name: 'x', provider: 'command', command: 'true', log_dir: '/l/{{.Password}}' }),
    ).toEqual([expect.stringMatching(/^x log_dir: unknown template field \{\{\.Password\}\}/)]);
    expect(
      problemsOf({
        name: 'x',
        provider: 'command',
        command: 'true',
        exec_on_success_extra: ['ok', '"bad'],
      }),
    ).toEqual([expect.stringMatching(/^x exec_on_success_extra\[1\]: cannot split/)]);
    expect(
      problemsOf(
        { name: 'x', provider: 'command', command: 'true' },
        { global: { ...GLOBAL.global, exec_on_failure: ["'"] } },
      ),
    ).toEqual([expect.stringMatching(/^x global\.exec_on_failure\[0\]: cannot split/)]);
    expect(
      problemsOf(
        {
          name: 'x',
          provider: 'command',
          command: 'true',
          memory_limit: 'lots',
          docker_image: 'img',
        },
        { ...GLOBAL, docker: { enable: true } },
      ),
    ).toEqual([expect.stringMatching(/^x memory_limit: invalid memory limit "lots"/)]);
    // A global exec list is checked even for a mirror that replaces it.
    expect(
      problemsOf(
        { name: 'x', provider: 'command', command: 'true', exec_on_failure: [] },
        { global: { ...GLOBAL.global, exec_on_failure: ["'"] } },
      ),
    ).toEqual([expect.stringMatching(/^x global\.exec_on_failure\[0\]: cannot split/)]);
    // Keys this mirror does not use are still checked.
    expect(
      problemsOf({ name: 'x', provider: 'command', command: 'true', memory_limit: 'lots' }),
    ).toEqual([expect.stringMatching(/^x memory_limit: invalid memory limit "lots"/)]);
    expect(
      problemsOf({
        name: 'x',
        provider: 'two-stage-rsync',
        upstream: 'rsync://u/x/',
        stage1_profile: 'debian',
        fail_on_match: '(',
        size_pattern: 'no group',
        rsync_override_only: true,
      }),
    ).toEqual([
      'x fail_on_match: invalid regular expression: Unterminated group',
      'x size_pattern: must have a capture group holding the size, e.g. "size: ([0-9.]+[KMGTP]?)"',
      'x rsync_override_only: is set but rsync_override is not',
    ]);
    expect(problemsOf({ provider: 'command', command: 'true', mirror_dir: '/m' })).toEqual([
      '<unnamed> name: is required',
    ]);
    expect(
      problemsOf(
        { name: 'x', provider: 'command', command: 'true' },
        { ...GLOBAL, zfs: { enable: true }, btrfs_snapshot: { enable: true } },
      ),
    ).toEqual([
      'x zfs.zpool: must be set when zfs is enabled',
      'x btrfs_snapshot.snapshot_path: must be set when btrfs_snapshot is enabled (or snapshot_path on the mirror)',
    ]);
    expect(
      problemsOf({
        name: 'x',
        provider: 'command',
        command: 'true',
        success_exit_codes: [1.5],
        role: 'boss' as 'master',
      }),
    ).toEqual([
      'x role: must be "master" or "slave"',
      'x success_exit_codes: must be a list of exit codes (integers 0-255)',
    ]);
    expect(() => createProvider({ name: 'x', provider: 'rsync', upstream: 'u' }, GLOBAL)).toThrow(
      'mirror x: upstream: must end with "/" for an rsync mirror',
    );
  });
});

describe('Debian archive keys', () => {
  it('two-stage-rsync gets the trace and upstream-in-progress settings; other kinds warn', () => {
    const debian: MirrorConfigFile = {
      name: 'debian',
      provider: 'two-stage-rsync',
      upstream: 'rsync://u/debian/',
      stage1_profile: 'debian',
      trace_hostname: 'mirror.example.org',
      trace_maintainer: 'Admins <a@example.org>',
      uip_sleep: 60,
    };
    const two = createProvider(debian, GLOBAL) as TwoStageRsyncProvider;
    expect(two.trace).toEqual({
      hostname: 'mirror.example.org',
      maintainer: 'Admins <a@example.org>',
      sponsor: undefined,
      country: undefined,
      location: undefined,
      throughput: undefined,
      architecturesConfiguration: undefined,
    });
    expect(two.upstreamInProgress).toEqual({ retries: 3, sleepSeconds: 60 });
    expect(two.argv(2)).toContain('--exclude=/project/trace/mirror.example.org');
    expect(two.argv(1)).toContain('--exclude=/Archive-Update-in-Progress-mirror.example.org');
    const plain = createProvider(
      { ...debian, trace_hostname: undefined, uip_sleep: undefined },
      GLOBAL,
    ) as TwoStageRsyncProvider;
    expect(plain.upstreamInProgress).toBeUndefined();
    expect(plain.argv(2).join(' ')).not.toContain('project/trace');

    expect(problemsOf({ ...debian, trace_hostname: 'a b' })).toEqual([
      expect.stringMatching(/^debian trace_hostname: must be a host name/),
    ]);
    const logger = recordingLogger();
    createProvider(
      { name: 'x', provider: 'rsync', upstream: 'rsync://u/x/', uip_retries: 1 },
      GLOBAL,
      { logger },
    );
    expect(logger.lines).toContain(
      'warn: mirror x: uip_retries is ignored (only two-stage-rsync uses it)',
    );
  });
});

describe('expandLogDirTemplate', () => {
  it('expands Go-style fields with Go zero values and refuses other actions', () => {
    expect(
      expandLogDirTemplate('/l/{{.Name}}/{{.MirrorSubDir}}/{{.Retry}}/{{ .Role }}', { name: 'a' }),
    ).toBe('/l/a//0/');
    expect(() => expandLogDirTemplate('{{if .Name}}x{{end}}', { name: 'a' })).toThrow(
      /only \{\{\.Field\}\} is supported/,
    );
    expect(() => expandLogDirTemplate('/l/{{.constructor}}', { name: 'a' })).toThrow(
      /unknown template field \{\{\.constructor\}\}/,
    );
  });

  it('logDirTemplateProblem applies the same rule without a mirror', () => {
    expect(logDirTemplateProblem('/var/log/{{.Name}}/{{ .Provider }}')).toBeUndefined();
    expect(logDirTemplateProblem('/var/log/plain')).toBeUndefined();
    expect(logDirTemplateProblem('/var/log/{{if .Name}}x{{end}}')).toBe(
      'unsupported template {{if .Name}}: only {{.Field}} is supported',
    );
    expect(logDirTemplateProblem('/var/log/{{.Nmae}}')).toBe(
      'unknown template field {{.Nmae}} (known: Name, Provider, Upstream, Interval, Retry, Timeout, MirrorDir, MirrorSubDir, LogDir, Role, Command, ExcludeFile, Username, Stage1Profile, MemoryLimit, DockerImage, SnapshotPath)',
    );
    expect(logDirTemplateProblem('/var/log/{{.Password}}')).toMatch(/^unknown template field/);
  });
});
