import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  requireTool,
  snapshotTree,
  startRsyncDaemon,
  TempDirs,
  recordingLogger,
} from '@tunasync/test-utils';
import type { RsyncDaemon } from '@tunasync/test-utils';
import { parseRsyncBytes, parseTraceFile, upstreamHost } from '../src/debian-trace';
import { TwoStageRsyncProvider } from '../src/two-stage-rsync-provider';
import type { TwoStageRsyncProviderOptions } from '../src/two-stage-rsync-provider';
import { poolPath, writeDebianTree } from './debian-tree';
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
  it('reads rsync -h byte counts and upstream hosts', () => {
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

describe('upstream in progress (uip_retries / uip_sleep)', () => {
  const UIP = 'Archive-Update-in-Progress-upstream.example.org';

  it('stage 2 waits while the upstream updates, and runs once the file is gone', async () => {
    await writeDebianTree(upstream, {
      serial: '2026120310',
      packages: ['apt'],
      extra: { [UIP]: 'upstream.example.org' },
    });
    const waits: number[] = [];
    const provider = await makeProvider({
      upstreamInProgress: { retries: 3, sleepSeconds: 600 },
      waitFor: async (ms) => {
        waits.push(ms);
        // the upstream finishes during the second wait: new indexes, its flag gone
        if (waits.length === 2) {
          await writeDebianTree(upstream, { serial: '2026120311', packages: ['apt', 'curl'] });
        }
      },
    });
    await provider.run();
    expect(waits).toEqual([600_000, 600_000]);
    const data = provider.workingDir;
    expect(await snapshotTree(data)).toEqual(await snapshotTree(upstream)); // the flag copy too
    expect(await readFile(join(data, 'dists/stable/Release'), 'utf8')).toMatch(
      /^Release 2026120311\n/,
    );
    expect(await readFile(join(data, poolPath('curl', '2026120311')), 'utf8')).toBe(
      'curl 2026120311',
    );
    const log = await readFile(provider.logFile(), 'utf8');
    expect(log.match(/Total file size:/g)).toHaveLength(4); // three stage-1 rounds, one stage 2
    expect(log).toContain(`upstream is updating (${UIP}): stage 1 again in 600 s (retry 1 of 3)`);
    expect(log).toContain('(retry 2 of 3)');
    expect(log).not.toContain('(retry 3 of 3)');
  });

  it('after uip_retries the run fails and stage 2 never ran (old indexes kept)', async () => {
    await writeDebianTree(upstream, { serial: '2026120312', packages: ['apt'] });
    const provider = await makeProvider();
    await provider.run();
    await writeDebianTree(upstream, {
      serial: '2026120313',
      packages: ['curl'],
      extra: { [UIP]: '' },
    });
    const waits: number[] = [];
    const stuck = await makeProvider({
      workingDir: provider.workingDir,
      logDir: provider.logDir,
      upstreamInProgress: { retries: 2, sleepSeconds: 5 },
      waitFor: async (ms) => {
        waits.push(ms);
      },
    });
    await expect(stuck.run()).rejects.toMatchObject({
      code: 'TUNASYNC_E_UPSTREAM_UPDATING',
      message: `upstream still updating after 2 retries (${UIP}): stage 2 not run`,
    });
    expect(waits).toEqual([5000, 5000]);
    const data = provider.workingDir;
    expect(await readFile(join(data, 'dists/stable/Release'), 'utf8')).toMatch(
      /^Release 2026120312\n/,
    );
    expect(await readFile(join(data, poolPath('apt', '2026120312')), 'utf8')).toBe(
      'apt 2026120312',
    ); // nothing deleted
    expect(await readFile(join(data, poolPath('curl', '2026120313')), 'utf8')).toBe(
      'curl 2026120313',
    ); // stage 1 brought the new pool
    expect(await readFile(stuck.logFile(), 'utf8')).toContain('stage 2 not run');
  });

  it('a stop during the wait ends the run at once', async () => {
    await writeDebianTree(upstream, {
      serial: '2026120314',
      packages: ['apt'],
      extra: { [UIP]: '' },
    });
    // the real wait: 20 minutes, ended by the stop
    const provider = await makeProvider({ upstreamInProgress: { retries: 3, sleepSeconds: 1200 } });
    const outcome = provider.run().catch((err: Error) => err);
    await waitFor(async () =>
      (await readFile(provider.logFile(), 'utf8').catch(() => '')).includes('stage 1 again'),
    );
    await provider.terminate();
    expect(await outcome).toMatchObject({ code: 'TUNASYNC_E_TERMINATED' });
    expect(provider.isRunning()).toBe(false);
  });

  it('an upstream master trace that changed during stage 1 makes stage 1 run again', async () => {
    await writeDebianTree(upstream, { serial: '2026120315', packages: ['apt'] });
    // rsync as usual; the first call (stage 1) is followed by a new master trace upstream
    const bin = await dirs.make('bin-');
    const command = join(bin, 'rsync-then-new-master');
    await writeFile(
      command,
      [
        '#!/bin/sh',
        `n=$(( $(cat '${bin}/count' 2>/dev/null || echo 0) + 1 )); echo "$n" > '${bin}/count'`,
        'rsync "$@"; rc=$?',
        `[ "$n" = 1 ] && printf 'Thu Dec  3 11:00:00 UTC 2026\\nArchive serial: 2026120316\\n' > '${upstream}/project/trace/master'`,
        'exit $rc',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const provider = await makeProvider({
      rsyncCommand: command,
      trace,
      upstreamInProgress: { retries: 3, sleepSeconds: 600 },
      waitFor: () => Promise.reject(new Error('no wait expected for a changed trace')),
    });
    await provider.run();
    const log = await readFile(provider.logFile(), 'utf8');
    expect(log).toContain(
      'upstream master trace changed during stage 1: stage 1 again (retry 1 of 3)',
    );
    expect(log.match(/Total file size:/g)).toHaveLength(3); // two stage-1 rounds, one stage 2
    expect(await readFile(join(bin, 'count'), 'utf8')).toBe('5\n'); // + two master fetches
    const traced = parseTraceFile(
      await readFile(join(provider.workingDir, 'project/trace/mirror.example.org'), 'utf8'),
    );
    expect(traced.fields['Archive serial']).toBe('2026120316');
    expect(Object.keys(await snapshotTree(provider.workingDir))).not.toContain('.~tmp~');
  });
});

describe('deletion safety (max_delete, delete_delay)', () => {
  it('a stage 2 that would delete more than max_delete fails and deletes nothing', async () => {
    const packages = ['apt', 'bash', 'curl', 'dash', 'exim'];
    await writeDebianTree(upstream, { serial: '2026120320', packages });
    const first = await makeProvider();
    await first.run();
    const before = await snapshotTree(first.workingDir);
    // the new archive drops four packages: stage 2 would delete their pool files (and by-hash)
    await writeDebianTree(upstream, { serial: '2026120321', packages: ['apt'] });
    const limited = await makeProvider({
      workingDir: first.workingDir,
      logDir: first.logDir,
      maxDelete: 3,
      deleteDelay: true,
    });
    expect(limited.argv(2)).toEqual(expect.arrayContaining(['--delete-delay', '--max-delete=3']));
    expect(limited.argv(2)).not.toContain('--delete-after');
    await expect(limited.run()).rejects.toMatchObject({
      code: 'TUNASYNC_E_MAX_DELETE',
      message:
        'stage 2 would delete more than max_delete = 3 files: nothing deleted, stage 2 not run',
    });
    const after = await snapshotTree(first.workingDir);
    for (const path of Object.keys(before)) expect(after).toHaveProperty([path]); // nothing deleted
    expect(await readFile(join(first.workingDir, 'dists/stable/Release'), 'utf8')).toMatch(
      /^Release 2026120320\n/,
    ); // stage 2 never ran
    const log = await readFile(limited.logFile(), 'utf8');
    expect(log).toContain('Deletions stopped due to --max-delete limit');
    expect(log).toContain('nothing deleted, stage 2 not run');

    // a limit the change fits in: the run completes
    const enough = await makeProvider({
      workingDir: first.workingDir,
      logDir: first.logDir,
      maxDelete: 100,
      deleteDelay: true,
    });
    await enough.run();
    expect(await snapshotTree(first.workingDir)).toEqual(await snapshotTree(upstream));
  });

  it('a bad max_delete is a config error naming the key', async () => {
    await expect(makeProvider({ maxDelete: -1 })).rejects.toThrow(
      /mirror debian: max_delete: must be a non-negative integer \(got -1\)/,
    );
  });
});

describe('local lock (Archive-Update-in-Progress-<trace_hostname>)', () => {
  const LOCK = 'Archive-Update-in-Progress-mirror.example.org';

  /** The PID of a process that has exited. */
  async function deadPid(): Promise<number> {
    const child = spawn('true');
    await new Promise((resolve) => child.on('exit', resolve));
    return child.pid as number;
  }

  it('is in the mirror dir while a run is in progress, holding our PID, and gone after', async () => {
    await writeDebianTree(upstream, { serial: '2026120330', packages: ['apt'] });
    const hold = await holdingRsync(await dirs.make('hold-'));
    const provider = await makeProvider({ trace, rsyncCommand: hold.command });
    const outcome = provider.run();
    await hold.finished(1);
    expect(await readFile(join(provider.workingDir, LOCK), 'utf8')).toBe(`${process.pid}\n`);
    // the same mirror dir cannot be synced by a second provider meanwhile
    const second = await makeProvider({
      trace,
      workingDir: provider.workingDir,
      logDir: provider.logDir,
    });
    await expect(second.run()).rejects.toMatchObject({
      code: 'TUNASYNC_E_ARCHIVE_LOCK',
      message: `another sync holds ${join(provider.workingDir, LOCK)} (PID ${process.pid} is running): not synced`,
    });
    await hold.release(1);
    await hold.finished(2);
    await hold.release(2);
    await outcome;
    const tree = await snapshotTree(provider.workingDir);
    expect(tree).not.toHaveProperty([LOCK]);
    expect(tree).toHaveProperty(['project/trace/mirror.example.org']);
  });

  it('a lock whose PID is gone is taken over; a live one fails the run and is kept', async () => {
    await writeDebianTree(upstream, { serial: '2026120331', packages: ['apt'] });
    const logger = recordingLogger();
    const provider = await makeProvider({ trace, logger });
    await mkdir(provider.workingDir, { recursive: true });
    const lockFile = join(provider.workingDir, LOCK);
    const gone = await deadPid();
    await writeFile(lockFile, `${gone}\n`);
    await provider.run();
    expect(logger.lines).toContain(
      `warn: took over the stale lock ${lockFile} (PID ${gone} is gone)`,
    );
    expect(await snapshotTree(provider.workingDir)).not.toHaveProperty([LOCK]);

    const live = spawn('sleep', ['60']);
    try {
      await writeFile(lockFile, `${live.pid}\n`);
      await expect(provider.run()).rejects.toMatchObject({ code: 'TUNASYNC_E_ARCHIVE_LOCK' });
      expect(await readFile(lockFile, 'utf8')).toBe(`${live.pid}\n`);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('a lock without a PID is held until lock_timeout, then taken over', async () => {
    await writeDebianTree(upstream, { serial: '2026120332', packages: ['apt'] });
    const provider = await makeProvider({ trace, lockTimeoutSeconds: 3600 });
    await mkdir(provider.workingDir, { recursive: true });
    const lockFile = join(provider.workingDir, LOCK);
    await writeFile(lockFile, ''); // as `touch` makes it
    await expect(provider.run()).rejects.toThrow(/no PID in it; it is stale after lock_timeout/);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(lockFile, twoHoursAgo, twoHoursAgo);
    await provider.run();
    expect(await snapshotTree(provider.workingDir)).not.toHaveProperty([LOCK]);
  });
});

describe('index integrity', () => {
  /** Every file the indexes of the tree at `root` name, that is not there. */
  async function missingFromIndexes(root: string): Promise<string[]> {
    const missing: string[] = [];
    const exists = (p: string) =>
      stat(join(root, p)).then(
        () => true,
        () => false,
      );
    const dists = join(root, 'dists/stable');
    const release = await readFile(join(dists, 'Release'), 'utf8').catch(() => '');
    for (const line of release.split('\n')) {
      const named = /^ \S+ \S+ (\S+)$/.exec(line)?.[1];
      if (named && !(await exists(`dists/stable/${named}`))) missing.push(`dists/stable/${named}`);
    }
    for (const arch of ['amd64', 'arm64']) {
      const packages = await readFile(join(dists, `main/binary-${arch}/Packages`), 'utf8').catch(
        () => '',
      );
      for (const match of packages.matchAll(/^Filename: (.+)$/gm)) {
        if (!(await exists(match[1] as string))) missing.push(match[1] as string);
      }
    }
    return missing;
  }

  it('30 syncs killed (SIGKILL) at random points of stage 1 or 2 never leave an index naming a missing file', async () => {
    const seed = Number(process.env.INTEGRITY_SEED ?? Date.now() % 100_000);
    let x = seed;
    const random = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return (x >>> 16) % n;
    };
    const bin = await dirs.make('bin-');
    const slowRsync = join(bin, 'slow-rsync');
    await writeFile(slowRsync, '#!/bin/sh\necho "stage pid $$"\nexec rsync --bwlimit=2000 "$@"\n', {
      mode: 0o755,
    });
    const names = Array.from({ length: 60 }, (_, i) => `pkg${i}`);
    const provider = await makeProvider({
      rsyncCommand: slowRsync,
      killGraceMs: 100,
      releaseLast: true,
    });
    expect(provider.indexesOptions).toEqual(
      expect.arrayContaining(['--delay-updates', '--exclude=Release*', '--exclude=InRelease']),
    );
    expect(provider.indexesOptions?.filter((o) => o.startsWith('--delete'))).toEqual([]);
    const killedIn = { done: 0, stage1: 0, stage2: 0 };
    for (let round = 0; round < 30; round += 1) {
      const serial = `2026120${(400 + round).toString()}`;
      const packages = names.filter(() => random(3) > 0);
      await writeDebianTree(upstream, {
        serial,
        packages,
        poolBytes: 8 * 1024,
        indexPadding: 64 * 1024,
      });
      const stage = 1 + random(2);
      const afterLines = random(stage === 1 ? 40 : 8);
      await rm(provider.logFile(), { force: true }); // the poll below reads this run's log only
      const outcome = provider.run().then(
        () => 'done',
        (err: Error) => err.message,
      );
      let finished = false;
      void outcome.then(() => (finished = true));
      let pgid = 0;
      await waitFor(async () => {
        if (finished) return true;
        const log = await readFile(provider.logFile(), 'utf8').catch(() => '');
        const parts = log.split(/^stage pid (\d+)$/m);
        // parts: [before, pid1, after1, pid2, after2]
        // stage 2 is two rsync runs here (release_last): the kill lands in either
        const runs = (parts.length - 1) / 2;
        if (runs < stage) return false;
        pgid = Number(parts[parts.length - 2]);
        return runs > stage || (parts[parts.length - 1] ?? '').split('\n').length > afterLines;
      }, 30_000);
      if (!finished && pgid > 0) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // the stage ended meanwhile
        }
      }
      const result = await outcome;
      killedIn[result === 'done' ? 'done' : stage === 1 ? 'stage1' : 'stage2'] += 1;
      const missing = await missingFromIndexes(provider.workingDir);
      if (missing.length > 0) {
        throw new Error(
          `seed ${seed}, round ${round} (stage ${stage}, ${result}): missing ${missing.join(', ')}`,
        );
      }
    }
    // the kills were real: most rounds ended killed, in both stages
    expect(killedIn.stage1).toBeGreaterThan(0);
    expect(killedIn.stage2).toBeGreaterThan(0);
    // and the mirror still converges
    await provider.run();
    expect(await missingFromIndexes(provider.workingDir)).toEqual([]);
    expect(await snapshotTree(provider.workingDir)).toEqual(await snapshotTree(upstream));
  }, 240_000);
});
