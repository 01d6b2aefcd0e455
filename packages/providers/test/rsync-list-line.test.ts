import { classifyRsyncListLine, unescapeRsyncName } from '../src/rsync-list-line';

const kind = (line: string): string => classifyRsyncListLine(Buffer.from(line, 'latin1')).kind;
const path = (line: string): string | undefined => {
  const c = classifyRsyncListLine(Buffer.from(line, 'latin1'));
  return c.kind === 'file' || c.kind === 'maybe-file' ? c.path.toString('utf8') : undefined;
};

describe('classifyRsyncListLine (lines of rsync 3.x -v and -i output)', () => {
  it('knows the headers that start a file list and the empty line that ends it', () => {
    expect(kind('receiving incremental file list')).toBe('header');
    expect(kind('receiving file list ... done')).toBe('header');
    expect(kind('sending incremental file list')).toBe('header');
    expect(kind('building file list ... done')).toBe('header');
    expect(kind('')).toBe('end');
  });

  it('counts names as files, and leaves directories, deletions and messages out', () => {
    expect(kind('README')).toBe('file');
    expect(path('docs/deep/with space.txt')).toBe('docs/deep/with space.txt');
    for (const line of [
      './',
      'docs/',
      'deleting pool/main/a/a_1.0.deb',
      'created directory /srv/mirror/debian',
      'rsync: [sender] send_files failed to open "/x": Permission denied (13)',
      'rsync error: some files/attrs were not transferred (see previous errors) (code 23)',
      'rsync warning: some files vanished before they could be transferred (code 24)',
      'file has vanished: "/pool/x.deb"',
      'IO error encountered -- skipping file deletion',
      'cannot delete non-empty directory: pool/old',
      'could not make way for new symlink: latest',
      'skipping non-regular file "dev/null"',
      'README is uptodate',
      '         60.00K 100%   58.59kB/s    0:00:01 (xfr#1, to-chk=2/7)',
    ]) {
      expect([line, kind(line)]).toEqual([line, 'other']);
    }
  });

  it('leaves symlinks and hard links to the tree: a name may hold the arrow', () => {
    expect(classifyRsyncListLine(Buffer.from('latest -> pool/a.deb')).kind).toBe('maybe-file');
    expect(path('latest -> pool/a.deb')).toBe('latest -> pool/a.deb');
    expect(kind('pool/b.hardlink.deb => pool/b.deb')).toBe('maybe-file');
  });

  it('reads --itemize-changes: only received regular files count, names kept whole', () => {
    expect(path('>f+++++++++ docs/arrow -> thing.txt')).toBe('docs/arrow -> thing.txt');
    expect(kind('>f.st...... README')).toBe('file');
    for (const line of [
      'cd+++++++++ docs/',
      'cL+++++++++ latest -> pool/a/a.deb',
      'hf+++++++++ pool/a/a-hard.deb => pool/a/a.deb',
      '.f...p..... README',
      '.d..t...... ./',
      '*deleting   docs/old.txt',
    ]) {
      expect([line, kind(line)]).toEqual([line, 'other']);
    }
  });

  it('turns rsync escapes back into the bytes of the name', () => {
    expect(unescapeRsyncName('docs/new\\#012line.txt').toString()).toBe('docs/new\nline.txt');
    expect(unescapeRsyncName('caf\\#303\\#251').toString('utf8')).toBe('café');
    expect(unescapeRsyncName('back\\#134#slash').toString()).toBe('back\\#slash');
    expect(unescapeRsyncName('plain \\# not an escape').toString()).toBe('plain \\# not an escape');
    // bytes that are not UTF-8 stay bytes
    expect([...unescapeRsyncName('x\\#377')]).toEqual([0x78, 0xff]);
  });
});
