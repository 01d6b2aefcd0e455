import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  listProcessGroup,
  requireTool,
  snapshotTree,
  startRsyncDaemon,
  TempDirs,
  writeTree,
} from '@tunasync/test-utils';
import type { FileSpec, RsyncDaemon } from '@tunasync/test-utils';
import { TwoStageRsyncProvider } from '../src/two-stage-rsync-provider';
import { holdingRsync, waitFor } from './helpers';

requireTool('rsync', 'apt-get install -y rsync');

const dirs = new TempDirs();
let daemon: RsyncDaemon;
let upstream: string;

beforeAll(async () => {
  upstream = await dirs.make('debian-');
  daemon = await startRsyncDaemon({ modules: [{ name: 'debian', path: upstream }] });
});
afterAll(async () => {
  await daemon?.stop();
  await dirs.cleanup();
});

async function debianTree(version: string, packages: string[]): Promise<void> {
  await rm(upstream, { recursive: true, force: true });
  // Each version has its own mtime: rsync's quick check compares size and mtime (seconds).
  const mtime = new Date(Date.UTC(2024, 0, Number.parseInt(version, 10)));
  const file = (content: string): FileSpec => ({ content, mtime });
  const entries: Record<string, FileSpec> = {};
  for (const p of packages)
    entries[`pool/main/${p[0]}/${p}/${p}_${version}.deb`] = file(`${p} ${version}`);
  Object.assign(entries, {
    'dists/stable/Release': file(`Release ${version}`),
    'dists/stable/InRelease': file(`InRelease ${version}`),
    'dists/stable/main/binary-amd64/Packages': file(`Packages ${version} ${packages.join(' ')}`),
    'dists/stable/main/binary-amd64/Packages.gz': file(`Packages.gz ${version}`),
    'dists/stable/main/i18n/Translation-en': file(`i18n ${version}`),
    'ls-lR.gz': file(`listing ${version}`),
  });
  await writeTree(upstream, entries);
}

async function makeProvider(
  extra: Partial<ConstructorParameters<typeof TwoStageRsyncProvider>[0]> = {},
) {
  const dir = await dirs.make('mirror-');
  return new TwoStageRsyncProvider({
    name: 'debian',
    upstream: daemon.url('debian'),
    workingDir: join(dir, 'data'),
    logDir: join(dir, 'log'),
    interval: 60,
    retry: 1,
    timeout: 0,
    stage1Profile: 'debian',
    ...extra,
  });
}

describe('two-stage-rsync against a real rsync daemon', () => {
  it('stage 1 brings new pool files but keeps old indexes; stage 2 makes the tree equal', async () => {
    await debianTree('1.0', ['apt', 'bash']);
    const provider = await makeProvider();
    await provider.run();
    expect(await snapshotTree(provider.workingDir)).toEqual(await snapshotTree(upstream));
    const firstLog = await readFile(provider.logFile(), 'utf8');
    expect(firstLog.match(/Total file size:/g)).toHaveLength(2); // stage 2 appended
    expect(provider.dataSize()).toMatch(/^[0-9.]+[KMGTP]?$/);

    // New upstream version: run stage 1 alone (a stage-1-only provider with the same options).
    await debianTree('2.0', ['apt', 'curl']);
    const stage1Only = new TwoStageRsyncProvider({
      name: 'debian',
      upstream: daemon.url('debian'),
      workingDir: provider.workingDir,
      logDir: provider.logDir,
      interval: 60,
      retry: 1,
      timeout: 0,
      stage1Profile: 'debian',
      // a stage 2 that fails before touching anything: only stage 1 has an effect
      rsyncOptions: ['--no-such-option-for-stage-2'],
    });
    await expect(stage1Only.run()).rejects.toThrow(/exited with code 1 \(Syntax or usage error\)/);
    const data = provider.workingDir;
    const read = (p: string): Promise<string> => readFile(join(data, p), 'utf8');
    expect(await read('pool/main/c/curl/curl_2.0.deb')).toBe('curl 2.0');
    expect(await read('pool/main/a/apt/apt_2.0.deb')).toBe('apt 2.0');
    expect(await read('pool/main/b/bash/bash_1.0.deb')).toBe('bash 1.0'); // no deletion in stage 1
    expect(await read('dists/stable/Release')).toBe('Release 1.0');
    expect(await read('dists/stable/InRelease')).toBe('InRelease 1.0');
    expect(await read('dists/stable/main/binary-amd64/Packages')).toBe('Packages 1.0 apt bash');
    expect(await read('dists/stable/main/i18n/Translation-en')).toBe('i18n 1.0');
    expect(await read('ls-lR.gz')).toBe('listing 1.0');

    await provider.run();
    expect(await snapshotTree(data)).toEqual(await snapshotTree(upstream));
  });

  it('a stop during stage 1 ends it, leaves no process, and stage 2 never runs', async () => {
    await debianTree('3.0', ['big']);
    await writeTree(upstream, { 'pool/main/b/big/huge.deb': Buffer.alloc(4 * 1024 * 1024, 1) });
    const bin = await dirs.make('bin-');
    const slowRsync = join(bin, 'slow-rsync');
    await writeFile(slowRsync, '#!/bin/sh\necho "stage pid $$"\nexec rsync --bwlimit=64 "$@"\n', {
      mode: 0o755,
    });
    const provider = await makeProvider({ rsyncCommand: slowRsync, killGraceMs: 300 });
    const outcome = provider.run().catch((err: Error) => err);
    let pgid = 0;
    await waitFor(async () => {
      const log = await readFile(provider.logFile(), 'utf8').catch(() => '');
      pgid = Number(/stage pid (\d+)/.exec(log)?.[1] ?? 0);
      return pgid > 0 && log.includes('huge.deb');
    });
    await provider.terminate();
    expect(listProcessGroup(pgid)).toEqual([]);
    expect(await outcome).toMatchObject({ code: 'TUNASYNC_E_TERMINATED' });
    const log = await readFile(provider.logFile(), 'utf8');
    expect(log.match(/stage pid/g)).toHaveLength(1); // stage 2 never started
    expect(log).not.toMatch(/Total file size/);
  });

  it('progress keeps counting across the stages (stage 2 appends to the log)', async () => {
    await debianTree('4.0', ['apt', 'bash', 'curl']);
    const tree = await snapshotTree(upstream);
    const total = (filter: (path: string) => boolean) => {
      const files = Object.entries(tree).filter(([p, n]) => n.type === 'file' && filter(p));
      return {
        files: files.length,
        bytes: files.reduce((sum, [, n]) => sum + (n.type === 'file' ? n.size : 0), 0),
      };
    };
    const stage1 = total((p) => p.startsWith('pool/')); // the profile keeps indexes for stage 2
    const all = total(() => true);
    expect(stage1.files).toBe(3);
    expect(all.files).toBeGreaterThan(stage1.files);

    const hold = await holdingRsync(await dirs.make('hold-'));
    const provider = await makeProvider({ rsyncCommand: hold.command });
    const outcome = provider.run();
    await hold.finished(1);
    expect(await provider.progress()).toEqual(stage1);
    await hold.release(1);
    await hold.finished(2);
    expect(await provider.progress()).toEqual(all);
    await hold.release(2);
    await outcome;
    expect(await provider.progress()).toBeUndefined();
  });
});
