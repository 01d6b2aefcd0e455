import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expandGlob, globSegmentToRegExp, hasGlobMagic } from '../../src/config/glob';
import { flattenMirrors } from '../../src/config/mirror-tree';
import { pathExists } from '../../src/config/path-exists';

describe('glob', () => {
  test('segment patterns follow Go filepath.Match', () => {
    const m = (p: string, name: string) => globSegmentToRegExp(p).test(name);
    expect(m('*.conf', 'a.conf')).toBe(true);
    expect(m('*.conf', '.hidden.conf')).toBe(true);
    expect(m('*.conf', 'a.conf.bak')).toBe(false);
    expect(m('?.conf', 'ab.conf')).toBe(false);
    expect(m('[a-c]x', 'bx')).toBe(true);
    expect(m('[!a-c]x', 'bx')).toBe(false);
    expect(m('[^a-c]x', 'dx')).toBe(true);
    expect(m('a\\*b', 'a*b')).toBe(true);
    expect(m('a\\*b', 'axb')).toBe(false);
    expect(m('a+b(c)', 'a+b(c)')).toBe(true);
    expect(() => globSegmentToRegExp('x\\')).toThrow('trailing "\\"');
    expect(() => globSegmentToRegExp('[]')).toThrow('unclosed "["');
    expect(hasGlobMagic('plain')).toBe(false);
  });

  test('wildcards in directory segments too, results sorted, missing dirs match nothing', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'worker-glob-'));
    try {
      for (const f of ['b/x.conf', 'a/y.conf', 'a/x.conf', 'a/z.txt', 'c/sub/x.conf']) {
        await mkdir(path.dirname(path.join(tmp, f)), { recursive: true });
        await writeFile(path.join(tmp, f), '');
      }
      expect(await expandGlob('*/*.conf', tmp)).toEqual(
        ['a/x.conf', 'a/y.conf', 'b/x.conf'].map((f) => path.join(tmp, f)),
      );
      expect(await expandGlob(path.join(tmp, 'c/sub/x.conf'))).toEqual([
        path.join(tmp, 'c/sub/x.conf'),
      ]);
      expect(await expandGlob('nope/*.conf', tmp)).toEqual([]);
      expect(await expandGlob('a/absent.conf', tmp)).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

test('mirror trees skip what is not a table', () => {
  expect(flattenMirrors('nope')).toEqual([]);
  expect(flattenMirrors([1, { name: 'a', mirrors: [2, { name: 'b' }] }])).toEqual([
    {
      values: { name: 'b' },
      path: 'mirrors[1].mirrors[1]',
      keyOrigins: { name: 'mirrors[1].mirrors[1]' },
    },
  ]);
});

describe('pathExists', () => {
  test('a file exists; a dangling link exists only when links are not followed', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'worker-exists-'));
    try {
      await writeFile(path.join(tmp, 'file'), '');
      await symlink(path.join(tmp, 'gone'), path.join(tmp, 'dangling'));
      expect(await pathExists(path.join(tmp, 'file'))).toBe(true);
      expect(await pathExists(path.join(tmp, 'file'), { followLinks: false })).toBe(true);
      expect(await pathExists(path.join(tmp, 'missing'))).toBe(false);
      expect(await pathExists(path.join(tmp, 'dangling'))).toBe(false);
      expect(await pathExists(path.join(tmp, 'dangling'), { followLinks: false })).toBe(true);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
