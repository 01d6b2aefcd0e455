import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WORKER_DEFAULTS } from '@tunasync/api-types';
import { checkWorkerConfig, loadWorkerConfig } from '../../src/config/load-worker-config';
import { WorkerConfigError } from '../../src/errors';

const SITE = path.join(__dirname, '../fixtures/site');

/** Every `[[mirrors]]` key of SPEC §5 (plus `cron` of §7.7). */
const MIRROR_KEYS = [
  'name',
  'provider',
  'upstream',
  'interval',
  'retry',
  'timeout',
  'mirror_dir',
  'mirror_subdir',
  'log_dir',
  'env',
  'role',
  'exec_on_success',
  'exec_on_failure',
  'exec_on_success_extra',
  'exec_on_failure_extra',
  'success_exit_codes',
  'rsync_success_exit_codes',
  'command',
  'fail_on_match',
  'size_pattern',
  'use_ipv6',
  'use_ipv4',
  'exclude_file',
  'username',
  'password',
  'rsync_no_timeout',
  'rsync_timeout',
  'rsync_options',
  'rsync_override',
  'rsync_override_only',
  'stage1_profile',
  'memory_limit',
  'docker_image',
  'docker_volumes',
  'docker_options',
  'snapshot_path',
  'cron',
];

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'worker-config-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(tmp, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

const HEAD = `
[global]
name = "w1"
log_dir = "/var/log/tunasync/{{.Name}}"
mirror_dir = "/srv/mirrors"
[manager]
api_base = "http://127.0.0.1:14242"
`;

describe('the site fixture (100+ mirrors, includes, nested templates)', () => {
  test('loads without a problem or a warning', async () => {
    const result = await checkWorkerConfig('worker.conf', { cwd: SITE, strict: true });
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.ok).toBe(true);
    const config = result.config!;
    expect(config.mirrors.length).toBeGreaterThanOrEqual(100);
    expect(new Set(config.mirrors.map((m) => m.name)).size).toBe(config.mirrors.length);
    const used = new Set(config.mirrors.flatMap((m) => Object.keys(m)));
    expect(MIRROR_KEYS.filter((k) => !used.has(k))).toEqual([]);
  });

  test('reads every section with its values', async () => {
    const { config } = await loadWorkerConfig('worker.conf', { cwd: SITE });
    expect(config.file).toBe(path.join(SITE, 'worker.conf'));
    expect(config.global).toEqual({
      name: 'mirror_worker',
      log_dir: '/srv/tunasync/log/tunasync/{{.Name}}',
      mirror_dir: '/srv/tunasync',
      concurrent: 10,
      interval: 120,
      retry: 3,
      timeout: 86400,
      rsync_options: ['--delete-excluded'],
      exec_on_success: ['/home/scripts/notify.sh success'],
      exec_on_failure: ['/home/scripts/notify.sh failure', '/home/scripts/page-oncall.sh'],
      progress_interval: 15, // the Go site's file has no such key: the default
      dangerous_global_success_exit_codes: [24],
      dangerous_global_rsync_success_exit_codes: [25],
    });
    // api_base_list wins over api_base; trailing slashes are dropped.
    expect(config.manager).toEqual({
      api_base_list: ['http://localhost:12345', 'https://manager2.example.org:14242'],
      ca_cert: 'certs/rootCA.crt',
      token: 'some_token',
      heartbeat_interval: 30, // the Go site's file has no such key: the default
    });
    expect(config.server).toEqual({
      hostname: 'worker1.example.org',
      listen_addr: '127.0.0.1',
      listen_port: 6000,
      ssl_cert: 'certs/worker.crt',
      ssl_key: 'certs/worker.key',
    });
    expect(config.cgroup).toEqual({
      enable: true,
      base_path: '/sys/fs/cgroup',
      group: 'tunasync',
      subsystem: 'memory',
    });
    expect(config.zfs).toEqual({ enable: true, zpool: 'tank' });
    expect(config.btrfs_snapshot).toEqual({ enable: true, snapshot_path: '/srv/snapshots' });
    expect(config.docker).toEqual({
      enable: true,
      volumes: ['/etc/misc/ssh:/root/.ssh:ro'],
      options: ['--cpus', '4'],
    });
    // The glob picks the .conf files, sorted, and not README.txt.
    expect(config.include.files.map((f) => path.basename(f))).toEqual([
      '10-debian-family.conf',
      '20-extra.conf',
    ]);
  });

  test('children inherit every key of their ancestors and override what they set', async () => {
    const { config } = await loadWorkerConfig('worker.conf', { cwd: SITE });
    const byName = new Map(config.mirrors.map((m) => [m.name, m]));
    expect(byName.get('debian')).toEqual({
      name: 'debian',
      provider: 'two-stage-rsync',
      stage1_profile: 'debian-oldstyle',
      upstream: 'rsync://ftp.debian.org/debian/',
      memory_limit: '512M',
      rsync_options: ['--delete-excluded'],
      interval: 240,
      mirror_subdir: 'debian-family',
      env: { RSYNC_PROXY: '127.0.0.1:8123' },
    });
    // env tables merge key by key.
    expect(byName.get('debian-security')?.env).toEqual({
      RSYNC_PROXY: '127.0.0.1:8123',
      EXTRA: 'child',
    });
    expect(byName.get('debian-security')?.stage1_profile).toBe('debian');
    // Three levels: AOSP inherits from the git template and the AOSP template.
    expect(byName.get('AOSP')).toMatchObject({
      provider: 'command',
      command: '/home/tunasync-scripts/aosp.sh',
      docker_image: 'tunathu/tunasync-scripts:latest',
      interval: 720,
      timeout: 72000,
      role: 'slave',
      env: { REPO: '/usr/local/bin/aosp-repo', USE_BITMAP_INDEX: '1' },
    });
    // A child's cron replaces the interval it would inherit.
    const chromiumos = byName.get('chromiumos')!;
    expect(chromiumos.cron).toBe('30 3 * * *');
    expect(chromiumos.interval).toBeUndefined();
    // Templates never become jobs.
    expect(config.mirrors.every((m) => typeof m.name === 'string')).toBe(true);
    expect(config.origins.AOSP).toBe(
      `${path.join(SITE, 'mirrors.d/10-debian-family.conf')}:mirrors[1].mirrors[6].mirrors[0]`,
    );
    expect(config.origins.alpine).toBe('worker.conf:mirrors[0]');
  });
});

test('a minimal file gets every default', async () => {
  const file = await write(
    'worker.conf',
    `${HEAD}\n[[mirrors]]\nname = "m"\nprovider = "rsync"\nupstream = "rsync://x/m/"\n`,
  );
  const { config, warnings } = await loadWorkerConfig(file, { defaultHostname: 'host.example' });
  expect(warnings).toEqual([]);
  expect(config.global).toMatchObject({
    concurrent: WORKER_DEFAULTS.concurrent,
    interval: WORKER_DEFAULTS.interval,
    retry: WORKER_DEFAULTS.retry,
    timeout: 0,
    rsync_options: [],
    exec_on_success: [],
    exec_on_failure: [],
    progress_interval: WORKER_DEFAULTS.progress_interval,
    dangerous_global_success_exit_codes: [],
    dangerous_global_rsync_success_exit_codes: [],
  });
  expect(config.global.progress_interval).toBe(15);
  expect(config.manager).toEqual({
    api_base_list: ['http://127.0.0.1:14242'],
    heartbeat_interval: WORKER_DEFAULTS.heartbeat_interval,
  });
  expect(config.manager.heartbeat_interval).toBe(30);
  expect(config.server).toEqual({ hostname: 'host.example', listen_addr: '', listen_port: 6000 });
  expect(config.cgroup).toEqual({
    enable: false,
    base_path: '/sys/fs/cgroup',
    group: 'tunasync',
    subsystem: 'cpu',
  });
  expect(config.zfs).toEqual({ enable: false, zpool: '' });
  expect(config.btrfs_snapshot).toEqual({ enable: false, snapshot_path: '' });
  expect(config.docker).toEqual({ enable: false, volumes: [], options: [] });
  expect(config.include).toEqual({ include_mirrors: '', files: [] });
  expect(config.mirrors).toEqual([{ name: 'm', provider: 'rsync', upstream: 'rsync://x/m/' }]);
});

test('progress_interval: 0 turns progress off (not "unset"); out of range is an error', async () => {
  const mirror = '[[mirrors]]\nname = "m"\nprovider = "rsync"\nupstream = "rsync://x/m/"\n';
  const withInterval = (value: string) =>
    write(
      'worker.conf',
      HEAD.replace('[manager]', `progress_interval = ${value}\n[manager]`) + mirror,
    );
  const off = await loadWorkerConfig(await withInterval('0'));
  expect(off.config.global.progress_interval).toBe(0);
  expect((await loadWorkerConfig(await withInterval('60'))).config.global.progress_interval).toBe(
    60,
  );
  const file = await withInterval('3601');
  const result = await checkWorkerConfig(file);
  expect(result.problems).toEqual([`${file}:6:global.progress_interval: must be <= 3600`]);
});

test('[manager] heartbeat_interval: 0 turns the heartbeat off; anything but 0–3600 seconds is an error', async () => {
  const mirror = '[[mirrors]]\nname = "m"\nprovider = "rsync"\nupstream = "rsync://x/m/"\n';
  const withInterval = (value: string) =>
    write('worker.conf', `${HEAD}heartbeat_interval = ${value}\n${mirror}`);
  expect((await loadWorkerConfig(await withInterval('0'))).config.manager.heartbeat_interval).toBe(
    0,
  );
  expect(
    (await loadWorkerConfig(await withInterval('300'))).config.manager.heartbeat_interval,
  ).toBe(300);
  for (const [value, reason] of [
    ['3601', 'must be <= 3600'],
    ['-5', 'must be >= 0'],
    ['"30"', 'must be an integer'],
    ['2.5', 'must be an integer'],
  ]) {
    const file = await withInterval(value as string);
    const result = await checkWorkerConfig(file);
    expect(result.problems).toEqual([`${file}:8:manager.heartbeat_interval: ${reason as string}`]);
  }
});

test('every problem is reported at once as file:key: reason', async () => {
  const file = await write(
    'bad.conf',
    `
[global]
log_dir = "/var/log/{{.Nmae}}"
concurrent = "ten"
exec_on_failure = ["/bin/true", "notify 'unbalanced"]
[server]
ssl_cert = "/nonexistent/cert.pem"
[zfs]
enable = true
[btrfs_snapshot]
enable = true
[[mirrors]]
name = "dup"
provider = "rsync"
upstream = "rsync://example.org/dup"
[[mirrors]]
name = "dup"
provider = "command"
command = "/bin/true"
exec_on_success_extra = ['\\']
rsync_success_exit_codes = [23]
[[mirrors]]
name = "bad/name"
provider = "two-stage-rsync"
upstream = "rsync://example.org/x/"
[[mirrors]]
name = "ts"
provider = "two-stage-rsync"
upstream = "rsync://example.org/x/"
stage1_profile = "gentoo"
memory_limit = "lots"
fail_on_match = "("
size_pattern = "no group"
exclude_file = "/nonexistent/exclude.txt"
interval = 60
cron = "61 * * * *"
rsync_override_only = true
[[mirrors]]
provider = "command"
upstream = "https://example.org/"
`,
  );
  const result = await checkWorkerConfig(file);
  expect(result.ok).toBe(false);
  expect(result.config).toBeUndefined();
  const at = (s: string) => `${file}:${s}`;
  expect(result.problems.sort()).toEqual(
    [
      '10:btrfs_snapshot.snapshot_path: must be set when btrfs_snapshot is enabled (or snapshot_path on the mirror); mirror(s) dup, dup, bad/name, ts, <unnamed>',
      '4:global.concurrent: must be an integer',
      `5:global.exec_on_failure[1]: cannot split command line "notify 'unbalanced": unbalanced single quote at offset 7; mirror(s) dup, dup, bad/name, ts, <unnamed>`,
      `20:mirrors[dup].exec_on_success_extra[0]: cannot split command line "\\\\": trailing backslash`,
      '3:global.log_dir: unknown template field {{.Nmae}} (known: Name, Provider, Upstream, Interval, Retry, Timeout, MirrorDir, MirrorSubDir, LogDir, Role, Command, ExcludeFile, Username, Stage1Profile, MemoryLimit, DockerImage, SnapshotPath); mirror(s) dup, dup, bad/name, ts, <unnamed>',
      '2:global.mirror_dir: must be set when the mirror sets no mirror_dir; mirror(s) dup, dup, bad/name, ts, <unnamed>',
      '2:global.name: is required',
      'manager.api_base: is required (or manager.api_base_list)',
      '15:mirrors[dup].upstream: must end with "/" for an rsync mirror (got "rsync://example.org/dup")',
      `17:mirrors[dup].name: duplicate mirror name "dup" (first defined at ${file}:12:mirrors[dup])`,
      '23:mirrors[2].name: name must start with a letter or digit and contain only letters, digits, ".", "_", "+" and "-"',
      '22:mirrors[2].stage1_profile: must be set for a two-stage-rsync mirror (debian or debian-oldstyle)',
      '36:mirrors[ts].cron: invalid cron expression: Constraint error, got value 61 expected range 0-59',
      '36:mirrors[ts].cron: set either cron or interval, not both',
      '34:mirrors[ts].exclude_file: file "/nonexistent/exclude.txt" does not exist',
      '32:mirrors[ts].fail_on_match: invalid regular expression: Unterminated group',
      '31:mirrors[ts].memory_limit: invalid memory limit "lots": expected a number of bytes with an optional unit k, M, G, T or P (e.g. 256M)',
      '37:mirrors[ts].rsync_override_only: is set but rsync_override is not',
      '33:mirrors[ts].size_pattern: must have a capture group holding the size, e.g. "size: ([0-9.]+[KMGTP]?)"',
      '30:mirrors[ts].stage1_profile: must be one of "debian", "debian-oldstyle" (got "gentoo")',
      '38:mirrors[4].command: must be set for a command mirror',
      '38:mirrors[4].name: is required',
      '7:server.ssl_cert: file "/nonexistent/cert.pem" does not exist',
      '6:server.ssl_key: must be set together with server.ssl_cert',
      '8:zfs.zpool: must be set when zfs is enabled; mirror(s) dup, dup, bad/name, ts, <unnamed>',
    ]
      .map(at)
      .sort(),
  );
  // a warning, not a problem
  expect(result.warnings).toContain(
    at(
      '16:mirrors[dup]: rsync_success_exit_codes is ignored for a command mirror (use success_exit_codes)',
    ),
  );
});

describe('unknown keys', () => {
  const text = `${HEAD}colour = "blue"\n[[mirrors]]\nname = "m"\nprovider = "rsync"\nupstream = "rsync://x/m/"\nfrobnicate = "x"\n`;

  test('are warned about, naming file and key', async () => {
    const file = await write('worker.conf', text);
    const result = await checkWorkerConfig(file);
    expect(result.ok).toBe(true);
    expect(result.warnings.sort()).toEqual([
      `${file}:13:mirrors[m].frobnicate: unknown key`,
      `${file}:8:manager.colour: unknown key`,
    ]);
  });

  test('are errors with --strict', async () => {
    const file = await write('worker.conf', text);
    const result = await checkWorkerConfig(file, { strict: true });
    expect(result.ok).toBe(false);
    expect(result.problems.sort()).toEqual([
      `${file}:13:mirrors[m].frobnicate: unknown key (--strict)`,
      `${file}:8:manager.colour: unknown key (--strict)`,
    ]);
    await expect(loadWorkerConfig(file, { strict: true })).rejects.toBeInstanceOf(
      WorkerConfigError,
    );
  });

  test('one typo away from a known key: an error without --strict, saying which key', async () => {
    const file = await write(
      'worker.conf',
      `${HEAD}[[mirrors]]\nname = "m"\nprovider = "rsync"\nupstrem = "rsync://x/m/"\n`,
    );
    const result = await checkWorkerConfig(file);
    expect(result.ok).toBe(false);
    expect(result.problems).toContain(
      `${file}:11:mirrors[m].upstrem: unknown key, did you mean \`upstream\`?`,
    );
    await expect(loadWorkerConfig(file)).rejects.toBeInstanceOf(WorkerConfigError);
  });
});

test('a TOML syntax error names file, line and column', async () => {
  const file = await write('worker.conf', '[global]\nname = "w1"\nconcurrent = \n');
  const result = await checkWorkerConfig(file);
  expect(result.ok).toBe(false);
  expect(result.problems).toHaveLength(1);
  expect(result.problems[0]).toMatch(new RegExp(`^${file}:3:14: TOML syntax error: `));
});

test('a missing file is one clear problem', async () => {
  const file = path.join(tmp, 'absent.conf');
  const err = await loadWorkerConfig(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkerConfigError);
  expect((err as WorkerConfigError).code).toBe('TUNASYNC_E_WORKER_CONFIG');
  expect((err as WorkerConfigError).problems).toEqual([
    `${file}: cannot read file: ENOENT: no such file or directory, open '${file}'`,
  ]);
});

describe('[include] include_mirrors', () => {
  test('appends the mirrors of every matching file, relative to the working directory', async () => {
    await write(
      'worker.conf',
      `${HEAD}[include]\ninclude_mirrors = "conf.d/mirrors-[ab]?.conf"\n[[mirrors]]\nname = "main"\nprovider = "command"\ncommand = "true"\n`,
    );
    await write(
      'conf.d/mirrors-a1.conf',
      '[[mirrors]]\nname = "a1"\nprovider = "command"\ncommand = "true"\n',
    );
    await write(
      'conf.d/mirrors-b2.conf',
      '[[mirrors]]\nname = "b2"\nprovider = "command"\ncommand = "true"\n',
    );
    await write(
      'conf.d/mirrors-c3.conf',
      '[[mirrors]]\nname = "c3"\nprovider = "command"\ncommand = "true"\n',
    );
    await write(
      'conf.d/mirrors-a10.conf',
      '[[mirrors]]\nname = "a10"\nprovider = "command"\ncommand = "true"\n',
    );
    const { config } = await loadWorkerConfig('worker.conf', { cwd: tmp });
    expect(config.mirrors.map((m) => m.name)).toEqual(['main', 'a1', 'b2']);
  });

  test('problems of an included file name that file; other tables there are warned about', async () => {
    await write(
      'worker.conf',
      `${HEAD}[include]\ninclude_mirrors = "${tmp}/inc/*.conf"\n[[mirrors]]\nname = "same"\nprovider = "command"\ncommand = "true"\n`,
    );
    const inc = await write(
      'inc/x.conf',
      '[global]\nname = "ignored"\n[[mirrors]]\nname = "same"\nprovider = "command"\ncommand = "true"\nretry = -1\n',
    );
    const result = await checkWorkerConfig('worker.conf', { cwd: tmp });
    expect(result.problems).toEqual([
      `${inc}:7:mirrors[same].retry: must be >= 0`,
      `${inc}:4:mirrors[same].name: duplicate mirror name "same" (first defined at worker.conf:10:mirrors[same])`,
    ]);
    expect(result.warnings).toEqual([
      `${inc}:1:global: unknown key (an included file holds only [[mirrors]] tables)`,
    ]);
  });

  test('a glob that matches nothing is a warning; a malformed one a problem', async () => {
    await write('worker.conf', `${HEAD}[include]\ninclude_mirrors = "none/*.conf"\n`);
    expect((await checkWorkerConfig('worker.conf', { cwd: tmp })).warnings).toEqual([
      'worker.conf:9:include.include_mirrors: no file matches "none/*.conf"',
    ]);
    await write('worker.conf', `${HEAD}[include]\ninclude_mirrors = "conf.d/[a.conf"\n`);
    expect((await checkWorkerConfig('worker.conf', { cwd: tmp })).problems).toEqual([
      'worker.conf:9:include.include_mirrors: bad pattern "[a.conf": unclosed "["',
    ]);
  });
});

test('manager URLs, certificate files and cron/interval inheritance are checked', async () => {
  await write('ca.pem', 'x');
  await write(
    'worker.conf',
    `${HEAD.replace('api_base = "http://127.0.0.1:14242"', 'api_base_list = ["http://ok:1", "ftp://nope/", "::"]\nca_cert = "ca.pem"')}
[[mirrors]]
provider = "command"
command = "true"
cron = "*/5 * * * *"
  [[mirrors.mirrors]]
  name = "child-interval"
  interval = 30
  [[mirrors.mirrors]]
  name = "child-cron"
`,
  );
  const result = await checkWorkerConfig('worker.conf', { cwd: tmp });
  expect(result.problems).toEqual([
    'worker.conf:7:manager.api_base_list[1]: must be an http:// or https:// URL (got "ftp://nope/")',
    'worker.conf:7:manager.api_base_list[2]: must be an http:// or https:// URL (got "::")',
  ]);
  const text = await readFile(path.join(tmp, 'worker.conf'), 'utf8');
  await write('worker.conf', text.replace(', "ftp://nope/", "::"', ''));
  const { config } = await loadWorkerConfig('worker.conf', { cwd: tmp });
  expect(config.mirrors).toEqual([
    { name: 'child-interval', provider: 'command', command: 'true', interval: 30 },
    { name: 'child-cron', provider: 'command', command: 'true', cron: '*/5 * * * *' },
  ]);
  expect(config.manager.ca_cert).toBe('ca.pem');
});

test('what the providers factory would refuse or warn about is reported too', async () => {
  await write(
    'worker.conf',
    `${HEAD}[[mirrors]]\nname = "both"\nprovider = "rsync"\nupstream = "rsync://x/both/"\nuse_ipv4 = true\nuse_ipv6 = true\n`,
  );
  const result = await checkWorkerConfig('worker.conf', { cwd: tmp });
  expect(result.ok).toBe(true);
  expect(result.warnings).toEqual([
    'worker.conf:8:mirrors[both]: both use_ipv6 and use_ipv4 are set: use_ipv6 wins',
  ]);
});

test('a mirror-level problem of an inherited key names the table that set it, once, and the mirrors', async () => {
  await write(
    'worker.conf',
    `${HEAD}[[mirrors]]\nprovider = "command"\ncommand = "true"\nexec_on_success_extra = ["ok", "'open"]\nsize_pattern = "no group"\nretry = -1\n  [[mirrors.mirrors]]\n  name = "a"\n  [[mirrors.mirrors]]\n  name = "b"\n  memory_limit = "lots"\n`,
  );
  const result = await checkWorkerConfig('worker.conf', { cwd: tmp });
  expect(result.problems).toEqual([
    // The schema refused retry: reported by it alone, not again by the providers' check.
    'worker.conf:13:mirrors[0].retry: must be >= 0',
    'worker.conf:18:mirrors[0].mirrors[b].memory_limit: invalid memory limit "lots": expected a number of bytes with an optional unit k, M, G, T or P (e.g. 256M)',
    // Keys of the template: once, naming the mirrors that inherit them.
    `worker.conf:11:mirrors[0].exec_on_success_extra[1]: cannot split command line "'open": unbalanced single quote at offset 0; mirror(s) a, b`,
    'worker.conf:12:mirrors[0].size_pattern: must have a capture group holding the size, e.g. "size: ([0-9.]+[KMGTP]?)"; mirror(s) a, b',
  ]);
});
