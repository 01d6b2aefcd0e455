import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireTool, snapshotTree, startRsyncDaemon, TempDirs } from '@tunasync/test-utils';
import type { RsyncDaemon } from '@tunasync/test-utils';
import { parseTraceFile } from '../src/debian-trace';
import { TwoStageRsyncProvider } from '../src/two-stage-rsync-provider';
import type { TwoStageRsyncProviderOptions } from '../src/two-stage-rsync-provider';
import { poolPath, writeDebianTree } from './debian-tree';

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

/** A clock that moves 7 s each time it is read, from 2026-12-03 18:00:00 UTC. */
function steppingClock(): () => Date {
  let t = Date.UTC(2026, 11, 3, 18, 0, 0);
  return () => {
    const now = new Date(t);
    t += 7000;
    return now;
  };
}

async function makeProvider(extra: Partial<TwoStageRsyncProviderOptions> = {}) {
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

const trace = {
  hostname: 'mirror.example.org',
  maintainer: 'Admins <admins@example.org>',
  sponsor: 'Example <https://example.org>',
  country: 'DE',
  runningOnHost: 'box1.example.org',
};

describe('trace files (ftpsync format)', () => {
  it('a sync writes project/trace/<trace_hostname> and _hierarchy, parsed back', async () => {
    await writeDebianTree(upstream, { serial: '2026120301', packages: ['apt', 'bash'] });
    const provider = await makeProvider({ trace, now: steppingClock() });
    await provider.run();
    const data = provider.workingDir;
    const text = await readFile(join(data, 'project/trace/mirror.example.org'), 'utf8');
    const parsed = parseTraceFile(text);
    // started at 18:00:00; 4 reads of the clock for the stages, then the end: 18:00:35
    expect(parsed.date).toBe('Thu Dec  3 18:00:35 UTC 2026');
    expect(parsed.fields).toMatchObject({
      Date: 'Thu, 03 Dec 2026 18:00:35 +0000',
      'Date-Started': 'Thu, 03 Dec 2026 18:00:00 +0000',
      'Archive serial': '2026120301',
      Creator: 'tunasync-ts',
      'Running on host': 'box1.example.org',
      Maintainer: 'Admins <admins@example.org>',
      Sponsor: 'Example <https://example.org>',
      Country: 'DE',
      Architectures: 'amd64 arm64 source',
      'Architectures-Configuration': 'ALL',
      'Upstream-mirror': '127.0.0.1',
      'Total time spent in stage1 rsync': '7',
      'Total time spent in stage2 rsync': '7',
      'Total time spent in rsync': '14',
    });
    expect(parsed.fields).not.toHaveProperty('Location'); // unset keys are left out
    const bytes = Number(parsed.fields['Total bytes received in rsync']);
    expect(bytes).toBeGreaterThan(0);
    expect(parsed.fields['Average rate']).toBe(`${Math.floor(bytes / 14)} B/s`);
    // every line after the first is what Debian's mirror checker accepts
    for (const line of text.trimEnd().split('\n').slice(1)) expect(line).toMatch(/^[\w -]+:.*$/);

    expect(await readFile(join(data, 'project/trace/_hierarchy'), 'utf8')).toBe(
      'master master ftp-master.debian.org \n' +
        'mirror.example.org mirror.example.org box1.example.org 127.0.0.1\n',
    );
    expect(await readFile(join(data, 'project/trace/_hierarchy.mirror'), 'utf8')).toBe(
      'master master ftp-master.debian.org \n',
    );
    expect(await readFile(join(data, poolPath('apt', '2026120301')), 'utf8')).toBe(
      'apt 2026120301',
    );

    // a second run keeps one line of ours (the upstream's hierarchy comes back first)
    await writeDebianTree(upstream, { serial: '2026120302', packages: ['apt'] });
    await provider.run();
    const again = parseTraceFile(
      await readFile(join(data, 'project/trace/mirror.example.org'), 'utf8'),
    );
    expect(again.fields['Archive serial']).toBe('2026120302');
    const hierarchy = await readFile(join(data, 'project/trace/_hierarchy'), 'utf8');
    expect(hierarchy.match(/mirror\.example\.org/g)).toHaveLength(2);
    const tree = await snapshotTree(data);
    expect(Object.keys(tree).filter((p) => /\.new-/.test(p))).toEqual([]); // no temp files left
    expect(tree).not.toHaveProperty([poolPath('bash', '2026120301')]);
  });

  it('without trace_hostname no trace file is written', async () => {
    await writeDebianTree(upstream, { serial: '2026120303', packages: ['apt'] });
    const provider = await makeProvider();
    await provider.run();
    expect(await snapshotTree(provider.workingDir)).toEqual(await snapshotTree(upstream));
  });

  it('a bad trace_hostname is a config error naming the key', async () => {
    await expect(makeProvider({ trace: { hostname: '../etc' } })).rejects.toThrow(
      /mirror debian: trace_hostname: must be a host name/,
    );
  });
});

describe('trace helpers', () => {
  it('reads rsync -h byte counts and upstream hosts', async () => {
    const { parseRsyncBytes, upstreamHost } = await import('../src/debian-trace');
    expect(parseRsyncBytes('75')).toBe(75);
    expect(parseRsyncBytes('4,096')).toBe(4096);
    expect(parseRsyncBytes('1.23K')).toBe(1230);
    expect(parseRsyncBytes('2.5G')).toBe(2_500_000_000);
    expect(parseRsyncBytes('lots')).toBeUndefined();
    expect(upstreamHost('rsync://user@ftp.de.debian.org:873/debian/')).toBe('ftp.de.debian.org');
    expect(upstreamHost('syncproxy.eu.debian.org::debian/')).toBe('syncproxy.eu.debian.org');
    expect(upstreamHost('rsync://[::1]:873/debian/')).toBe('::1');
  });
});
