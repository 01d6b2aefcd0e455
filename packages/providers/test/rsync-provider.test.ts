import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  hardLinkGroups,
  listProcessGroup,
  requireTool,
  snapshotTree,
  startRsyncDaemon,
  TempDirs,
  writeTree,
  recordingLogger,
} from '@tunasync/test-utils';
import type { RsyncDaemon } from '@tunasync/test-utils';
import { parseRsyncTotalSize } from '../src/log-scan';
import { RsyncProvider } from '../src/rsync-provider';
import type { RsyncProviderOptions } from '../src/rsync-provider';
import { holdingRsync, waitFor } from './helpers';

requireTool('rsync', 'apt-get install -y rsync');

const run = promisify(execFile);
const dirs = new TempDirs();
let daemon: RsyncDaemon;
let upstream: string;
let secretTree: string;

beforeAll(async () => {
  upstream = await dirs.make('upstream-');
  secretTree = await dirs.make('secret-');
  await writeTree(secretTree, { 'only-for-alice.txt': 'secret data' });
  daemon = await startRsyncDaemon({
    modules: [
      { name: 'pub', path: upstream },
      { name: 'priv', path: secretTree, auth: { user: 'alice', password: 'Tr0ub4dor&3' } },
    ],
  });
});
afterAll(async () => {
  await daemon?.stop();
  await dirs.cleanup();
});

async function rsyncOwnTotal(url: string): Promise<string | undefined> {
  const empty = await dirs.make('empty-');
  const { stdout } = await run('rsync', [
    '-aHh',
    '--stats',
    '--exclude',
    '.~tmp~/',
    '--dry-run',
    url,
    empty,
  ]);
  return stdout
    .split('\n')
    .map(parseRsyncTotalSize)
    .find((s) => s !== undefined);
}

async function makeProvider(extra: Partial<RsyncProviderOptions> = {}): Promise<RsyncProvider> {
  const dir = await dirs.make('mirror-');
  return new RsyncProvider({
    name: 'pub',
    upstream: daemon.url('pub'),
    workingDir: join(dir, 'data'),
    logDir: join(dir, 'log'),
    interval: 60,
    retry: 1,
    timeout: 0,
    ...extra,
  });
}

describe('rsync provider against a real rsync daemon', () => {
  beforeEach(async () => {
    await rm(upstream, { recursive: true, force: true });
    await writeTree(upstream, {
      README: 'hello mirror\n',
      'pool/main/a/a_1.0.deb': Buffer.alloc(20_000, 1),
      'pool/main/b/b_2.0.deb': Buffer.alloc(5_000, 2),
      'pool/main/b/b_2.0.hardlink.deb': { hardlink: 'pool/main/b/b_2.0.deb' },
      latest: { symlink: 'pool/main/a/a_1.0.deb' },
      'docs/deep/nested/file.txt': 'nested\n',
      '.~tmp~/leftover': 'partial file of an interrupted run',
    });
  });

  it('syncs a tree, then deletes and updates; the size matches rsync statistics', async () => {
    const provider = await makeProvider();
    await provider.run();
    const ignoreTmp = (p: string): boolean => p.startsWith('.~tmp~');
    expect(await snapshotTree(provider.workingDir)).toEqual(
      await snapshotTree(upstream, ignoreTmp),
    );
    expect(await hardLinkGroups(provider.workingDir)).toEqual([
      ['pool/main/b/b_2.0.deb', 'pool/main/b/b_2.0.hardlink.deb'],
    ]);
    expect(provider.dataSize()).toBeDefined();
    expect(provider.dataSize()).toBe(await rsyncOwnTotal(daemon.url('pub')));

    await rm(join(upstream, 'pool/main/a'), { recursive: true });
    await writeFile(join(upstream, 'README'), 'updated and longer content\n');
    await writeTree(upstream, { 'pool/main/c/c_3.0.deb': Buffer.alloc(70_000, 3) });
    await provider.run();
    expect(await snapshotTree(provider.workingDir)).toEqual(
      await snapshotTree(upstream, ignoreTmp),
    );
    expect(provider.dataSize()).toBe(await rsyncOwnTotal(daemon.url('pub')));
    const log = await readFile(provider.logFile(), 'utf8');
    expect(log).toMatch(/deleting pool\/main\/a\/a_1\.0\.deb/);
  });

  it('authenticates with username and password; the password is in no log and no argv', async () => {
    const password = 'Tr0ub4dor&3';
    const logger = recordingLogger();
    const provider = await makeProvider({
      name: 'priv',
      upstream: daemon.url('priv'),
      username: 'alice',
      password,
      logger,
    });
    expect(provider.argv().join(' ')).not.toContain(password);
    await provider.run();
    expect(await readFile(join(provider.workingDir, 'only-for-alice.txt'), 'utf8')).toBe(
      'secret data',
    );
    expect(await readFile(provider.logFile(), 'utf8')).not.toContain(password);
    expect(logger.lines.join('\n')).not.toContain(password);
    expect(daemon.readLog()).not.toContain(password);

    const wrong = await makeProvider({
      name: 'priv',
      upstream: daemon.url('priv'),
      username: 'alice',
      password: 'wrong',
    });
    await expect(wrong.run()).rejects.toThrow(
      'rsync exited with code 5 (Error starting client-server protocol)',
    );
    const log = await readFile(wrong.logFile(), 'utf8');
    expect(log).toMatch(/auth failed/);
    expect(log.trimEnd().split('\n').pop()).toBe(
      'rsync error: Error starting client-server protocol',
    );
  });

  it('a partial transfer (exit 23) fails by default and succeeds when 23 is a success code', async () => {
    await writeTree(upstream, { 'unreadable.bin': { content: 'no', mode: 0o000 } });
    const strict = await makeProvider();
    await expect(strict.run()).rejects.toThrow(
      'rsync exited with code 23 (Partial transfer due to error)',
    );
    expect(strict.dataSize()).toBeUndefined();
    const log = await readFile(strict.logFile(), 'utf8');
    expect(log.trimEnd().split('\n').pop()).toBe('rsync error: Partial transfer due to error');

    const lenient = await makeProvider({ successExitCodes: [23] });
    await lenient.run();
    expect(lenient.dataSize()).toBeDefined();
    expect(await readFile(join(lenient.workingDir, 'README'), 'utf8')).toBe('hello mirror\n');
  });

  it('terminate stops a running rsync: no process of its group remains', async () => {
    await writeTree(upstream, { 'big.iso': Buffer.alloc(4 * 1024 * 1024, 7) });
    const bin = await dirs.make('bin-');
    const rsyncCommand = join(bin, 'rsync-with-pid');
    await writeFile(rsyncCommand, '#!/bin/sh\necho "pid $$"\nexec rsync "$@"\n', { mode: 0o755 });
    const provider = await makeProvider({
      rsyncCommand,
      rsyncOptions: ['--bwlimit=64'],
      killGraceMs: 300,
    });
    const outcome = provider.run().catch((err: Error) => err);
    let pgid = 0;
    await waitFor(async () => {
      const log = await readFile(provider.logFile(), 'utf8').catch(() => '');
      pgid = Number(/^pid (\d+)/.exec(log)?.[1] ?? 0);
      return pgid > 0 && log.includes('big.iso');
    });
    await waitFor(() => listProcessGroup(pgid).length >= 2); // rsync forks a receiver
    await provider.terminate();
    expect(listProcessGroup(pgid)).toEqual([]);
    expect(await outcome).toMatchObject({
      code: 'TUNASYNC_E_TERMINATED',
      message: 'pub: terminated',
    });
    expect(provider.isRunning()).toBe(false);
    await provider.terminate(); // nothing running: no-op
  });
});

describe('live progress of an rsync run (SPEC §7.9)', () => {
  // Regular files to transfer: pool/b.hardlink.deb is a hard link (made, not transferred),
  // `arrow -> name.txt` is a file whose name holds an arrow, `latest` a symlink.
  const TREE = {
    README: 'hello mirror\n',
    'pool/main/a/a_1.0.deb': Buffer.alloc(40_000, 1),
    'pool/main/b/b_2.0.deb': Buffer.alloc(30_000, 2),
    'pool/main/b/b_2.0.hardlink.deb': { hardlink: 'pool/main/b/b_2.0.deb' },
    'pool/main/c/c_3.0.deb': Buffer.alloc(35_000, 3),
    'docs/arrow -> name.txt': Buffer.alloc(25_000, 4),
    'docs/new\nline.txt': Buffer.alloc(20_000, 5),
    latest: { symlink: 'pool/main/a/a_1.0.deb' },
    'empty/': { dir: true as const },
  };
  const FILES = 6;
  const BYTES = 13 + 40_000 + 30_000 + 35_000 + 25_000 + 20_000;

  beforeEach(async () => {
    await rm(upstream, { recursive: true, force: true });
    await writeTree(upstream, TREE);
  });

  it('grows while rsync runs, never past the tree, and matches the tree at the end', async () => {
    const hold = await holdingRsync(await dirs.make('hold-'));
    const provider = await makeProvider({
      rsyncCommand: hold.command,
      rsyncOptions: ['--bwlimit=60'],
    });
    expect(await provider.progress()).toBeUndefined(); // not running
    const outcome = provider.run();
    const seen: Array<{ files: number; bytes: number }> = [];
    let finished = false;
    void hold.finished(1).then(() => (finished = true));
    await waitFor(async () => {
      const progress = await provider.progress();
      expect(progress).toBeDefined();
      seen.push(progress!);
      return finished;
    }, 30_000);
    const atEnd = await provider.progress();
    expect(atEnd).toEqual({ files: FILES, bytes: BYTES });
    const log = await readFile(provider.logFile(), 'utf8');
    expect(log).toContain(`Number of regular files transferred: ${FILES}`); // rsync agrees
    await hold.release(1);
    await outcome;
    expect(await provider.progress()).toBeUndefined();

    for (const [before, after] of seen.slice(1).map((p, i) => [seen[i]!, p] as const)) {
      expect(after.files).toBeGreaterThanOrEqual(before.files);
      expect(after.bytes).toBeGreaterThanOrEqual(before.bytes);
    }
    for (const p of seen) {
      expect(p.files).toBeLessThanOrEqual(FILES);
      expect(p.bytes).toBeLessThanOrEqual(BYTES);
    }
    const midway = seen.filter((p) => p.files > 0 && p.bytes > 0 && p.bytes < BYTES);
    expect(midway.length).toBeGreaterThan(0);
    expect(new Set(seen.map((p) => p.bytes)).size).toBeGreaterThanOrEqual(3);
  }, 40_000);

  it('a run with nothing to transfer reports 0 files', async () => {
    const hold = await holdingRsync(await dirs.make('hold-'));
    const provider = await makeProvider({ rsyncCommand: hold.command });
    const first = provider.run();
    await hold.finished(1);
    expect(await provider.progress()).toEqual({ files: FILES, bytes: BYTES });
    await hold.release(1);
    await first;
    const second = provider.run();
    await hold.finished(2);
    expect(await provider.progress()).toEqual({ files: 0, bytes: 0 });
    await hold.release(2);
    await second;
  });

  it('has no progress without a log', async () => {
    const hold = await holdingRsync(await dirs.make('hold-'));
    const provider = await makeProvider({ rsyncCommand: hold.command, logFile: '/dev/null' });
    const running = provider.run();
    await hold.finished(1);
    expect(provider.isRunning()).toBe(true);
    expect(await provider.progress()).toBeUndefined();
    await hold.release(1);
    await running;
  });
});
