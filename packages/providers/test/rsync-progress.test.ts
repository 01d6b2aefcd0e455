import { execFile } from 'node:child_process';
import { appendFile, mkdir, open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TempDirs, writeTree } from '@tunasync/test-utils';
import { LogFollower } from '../src/log-scan';
import { RsyncProgressTracker } from '../src/rsync-progress';

const run = promisify(execFile);
const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

async function setup(): Promise<{ log: string; dest: string }> {
  const dir = await dirs.make('progress-');
  const dest = join(dir, 'data');
  await mkdir(dest);
  return { log: join(dir, 'run.log'), dest };
}

const STATS = [
  '',
  'Number of files: 9 (reg: 6, dir: 2, link: 1)',
  'Number of regular files transferred: 5',
  'Total file size: 1.00K bytes',
  '',
  'sent 135 bytes  received 240.38K bytes  68.72K bytes/sec',
  'total size is 240.01K  speedup is 1.00',
];

describe('RsyncProgressTracker on a written log and tree', () => {
  it('counts the regular files rsync listed and sums their sizes in the tree', async () => {
    const { log, dest } = await setup();
    await writeTree(dest, {
      'Welcome.txt': 'a MOTD line that names a file',
      README: 'hello mirror\n', // 13 bytes
      'pool/a.deb': Buffer.alloc(50), // the old version, at the final path
      'pool/.~tmp~/a.deb': Buffer.alloc(100), // received, waiting for the end (--delay-updates)
      'pool/b.deb': Buffer.alloc(30),
      'pool/b.hardlink.deb': { hardlink: 'pool/b.deb' },
      latest: { symlink: 'pool/a.deb' },
      'docs/arrow -> thing.txt': 'x'.repeat(7),
      'new\nline.txt': 'abc',
      'after-stats.txt': 'not listed as transferred',
    });
    await run('mkfifo', [join(dest, 'fifo')]);
    await writeFile(
      log,
      [
        'Welcome to the test mirror!',
        'Welcome.txt',
        'receiving file list ... done',
        'created directory data',
        './',
        'README',
        'latest -> pool/a.deb',
        'docs/',
        'docs/arrow -> thing.txt',
        'fifo',
        'gone.txt',
        'new\\#012line.txt',
        'pool/',
        'pool/a.deb',
        'pool/b.deb',
        'pool/b.hardlink.deb => pool/b.deb',
        'a/../../etc/passwd',
        'deleting old.txt',
        ...STATS,
        'after-stats.txt',
        '',
      ].join('\n'),
    );
    const tracker = new RsyncProgressTracker({ logFile: log, workingDir: dest });
    // README 13, arrow 7, gone.txt 0 (found nowhere), new\nline 3, pool/a.deb 100 (.~tmp~),
    // pool/b.deb 30; not: MOTD, dirs, symlink, fifo, hard link, `..`, deletion, after stats.
    expect(await tracker.read()).toEqual({ files: 6, bytes: 13 + 7 + 0 + 3 + 100 + 30 });
    expect(await tracker.read()).toEqual({ files: 6, bytes: 153 });
  });

  it('follows a growing log: partial lines wait, the newest file is looked at again', async () => {
    const { log, dest } = await setup();
    const tracker = new RsyncProgressTracker({ logFile: log, workingDir: dest });
    expect(await tracker.read()).toEqual({ files: 0, bytes: 0 }); // no log yet
    await writeFile(log, 'receiving incremental file list\nREADME\npool/a.d');
    expect(await tracker.read()).toEqual({ files: 1, bytes: 0 }); // README in transfer
    await writeTree(dest, { '.~tmp~/README': 'x'.repeat(13) });
    expect(await tracker.read()).toEqual({ files: 1, bytes: 13 });
    await appendFile(log, 'eb\n'); // README is complete once pool/a.deb is named
    await writeTree(dest, { 'pool/.~tmp~/a.deb': Buffer.alloc(20) });
    expect(await tracker.read()).toEqual({ files: 2, bytes: 33 });
    // The end of --delay-updates: files move to their final paths.
    await rename(join(dest, '.~tmp~', 'README'), join(dest, 'README'));
    await rename(join(dest, 'pool', '.~tmp~', 'a.deb'), join(dest, 'pool', 'a.deb'));
    await appendFile(log, `${STATS.join('\n')}\n`);
    expect(await tracker.read()).toEqual({ files: 2, bytes: 33 });
  });

  it('keeps counting when a second stage appends its own list to the log', async () => {
    const { log, dest } = await setup();
    await writeTree(dest, { 'pool/a.deb': 'aaaa', 'dists/Release': 'rr', 'dists/InRelease': 'i' });
    const tracker = new RsyncProgressTracker({ logFile: log, workingDir: dest });
    await writeFile(log, ['receiving file list ... done', 'pool/a.deb', ...STATS, ''].join('\n'));
    expect(await tracker.read()).toEqual({ files: 1, bytes: 4 });
    await appendFile(
      log,
      ['receiving file list ... done', 'dists/Release', 'dists/InRelease', ...STATS, ''].join('\n'),
    );
    expect(await tracker.read()).toEqual({ files: 3, bytes: 7 });
  });

  it('an `a -> b` line left waiting counts only once a file of that whole name exists', async () => {
    const { log, dest } = await setup();
    const tracker = new RsyncProgressTracker({ logFile: log, workingDir: dest });
    await writeFile(log, 'receiving incremental file list\nodd -> name.txt\n');
    expect(await tracker.read()).toEqual({ files: 0, bytes: 0 });
    await writeTree(dest, { 'odd -> name.txt': 'five!' });
    expect(await tracker.read()).toEqual({ files: 1, bytes: 5 });
  });

  it('reads a huge log a bounded chunk per call, with bounded lstat calls', async () => {
    const { log, dest } = await setup();
    const names = 20_000;
    const lines = ['receiving incremental file list'];
    for (let i = 0; i < names; i += 1) lines.push(`pool/main/p/package-${i}/package_${i}.deb`);
    await writeFile(log, `${lines.join('\n')}\n${STATS.join('\n')}\n`);
    const chunkBytes = 64 * 1024;
    const statsPerCall = 1000;
    const tracker = new RsyncProgressTracker({
      logFile: log,
      workingDir: dest,
      chunkBytes,
      statsPerCall,
    });
    let previous = { files: 0, bytes: 0 };
    let calls = 0;
    while (previous.files < names) {
      const [bytesBefore, statsBefore] = [tracker.bytesRead, tracker.statCalls];
      const progress = await tracker.read();
      calls += 1;
      expect(tracker.bytesRead - bytesBefore).toBeLessThanOrEqual(chunkBytes);
      expect(tracker.statCalls - statsBefore).toBeLessThanOrEqual(statsPerCall);
      expect(progress.files).toBeGreaterThan(previous.files); // always moving on
      previous = progress;
      if (calls > 200) throw new Error(`no end after ${calls} calls: ${JSON.stringify(progress)}`);
    }
    expect(previous).toEqual({ files: names, bytes: 0 }); // none of them exists: 0 bytes each
    expect(calls).toBeGreaterThanOrEqual(names / (statsPerCall / 2));
  });

  it('skips an endless line (64 MiB without a newline) reading one chunk per call', async () => {
    const { log, dest } = await setup();
    await writeTree(dest, { before: 'b', after: 'aa' });
    const handle = await open(log, 'w');
    await handle.write('receiving incremental file list\nbefore\n');
    await handle.write('\nafter\n\n', 64 * 1024 * 1024); // a hole of zeros, then the rest
    await handle.close();
    const tracker = new RsyncProgressTracker({ logFile: log, workingDir: dest });
    expect(await tracker.read()).toEqual({ files: 1, bytes: 1 });
    let calls = 1;
    let progress = { files: 1, bytes: 1 };
    while (progress.files < 2 && calls < 100) {
      const before = tracker.bytesRead;
      progress = await tracker.read();
      calls += 1;
      expect(tracker.bytesRead - before).toBeLessThanOrEqual(1024 * 1024);
    }
    expect(progress).toEqual({ files: 2, bytes: 3 });
    expect(calls).toBeGreaterThanOrEqual(64);
  });

  it('never rejects: an unreadable log answers the last value and reports the error', async () => {
    const { dest } = await setup();
    const errors: unknown[] = [];
    const tracker = new RsyncProgressTracker({
      logFile: dest, // a directory: open works, read fails (EISDIR)
      workingDir: dest,
      onError: (err) => errors.push(err),
    });
    expect(await tracker.read()).toEqual({ files: 0, bytes: 0 });
    expect(errors).toHaveLength(1);
  });
});

describe('LogFollower', () => {
  it('returns complete lines only, strips CR, starts over when the file shrinks', async () => {
    const { log } = await setup();
    const follower = new LogFollower(log, { chunkSize: 4, maxLineLength: 8 });
    expect(await follower.readLines()).toEqual([]);
    await writeFile(log, 'ab\r\ncd');
    const text = async (): Promise<string[]> =>
      (await follower.readLines()).map((b) => b.toString());
    expect(await text()).toEqual(['ab']);
    expect(await text()).toEqual([]); // "cd" waits for its newline
    await appendFile(log, 'e\n123456789\nok\n');
    const seen: string[] = [];
    for (let i = 0; i < 10; i += 1) seen.push(...(await text()));
    expect(seen).toEqual(['cde', 'ok']); // 123456789 is longer than 8: skipped
    expect(follower.bytesRead).toBe(follower.position);
    await writeFile(log, 'new\n'); // truncated for a new run
    expect(await text()).toEqual(['new']);
  });
});
