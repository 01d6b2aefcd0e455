import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hardLinkGroups, snapshotTree, writeTree } from '../src/file-tree';
import { TempDirs } from '../src/temp-dir';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

describe('file trees', () => {
  it('writes files, links and dirs and snapshots them', async () => {
    const root = await dirs.make();
    const mtime = new Date('2020-01-02T03:04:05Z');
    await writeTree(root, {
      'a/b/c.txt': 'hello',
      'bin.dat': Buffer.from([0, 1, 2]),
      'mode.txt': { content: 'm', mode: 0o600, mtime },
      link: { symlink: 'a/b/c.txt' },
      'a/hard': { hardlink: 'a/b/c.txt' },
      empty: { dir: true },
    });
    expect(await readFile(join(root, 'a/b/c.txt'), 'utf8')).toBe('hello');
    expect(await readlink(join(root, 'link'))).toBe('a/b/c.txt');
    expect((await stat(join(root, 'mode.txt'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'mode.txt'))).mtime.getTime()).toBe(mtime.getTime());
    expect((await lstat(join(root, 'empty'))).isDirectory()).toBe(true);

    const snap = await snapshotTree(root);
    expect(Object.keys(snap)).toEqual([
      'a',
      'a/b',
      'a/b/c.txt',
      'a/hard',
      'bin.dat',
      'empty',
      'link',
      'mode.txt',
    ]);
    expect(snap['link']).toEqual({ type: 'symlink', target: 'a/b/c.txt' });
    expect(snap['a/hard']).toEqual(snap['a/b/c.txt']);
    expect(snap['a/b/c.txt']).toMatchObject({ type: 'file', size: 5 });
    expect(await snapshotTree(root, (p) => p.startsWith('a'))).not.toHaveProperty('a/b');
    expect(await hardLinkGroups(root)).toEqual([['a/b/c.txt', 'a/hard']]);
  });
});
