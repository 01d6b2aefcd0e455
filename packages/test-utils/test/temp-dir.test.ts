import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, TempDirs } from '../src/temp-dir';

describe('temp dirs', () => {
  it('makes unique dirs under the system temp dir and removes them', async () => {
    const a = await makeTempDir();
    const b = await makeTempDir('custom-');
    expect(a.startsWith(tmpdir())).toBe(true);
    expect(b).toContain('custom-');
    expect(a).not.toBe(b);
    await writeFile(join(a, 'f'), 'x');
    await removeTempDir(a);
    await removeTempDir(b);
    expect(existsSync(a)).toBe(false);
    await expect(removeTempDir(a)).resolves.toBeUndefined();
  });

  it('TempDirs removes everything it made', async () => {
    const dirs = new TempDirs();
    const made = [await dirs.make(), await dirs.make('x-')];
    made.forEach((d) => expect(existsSync(d)).toBe(true));
    await dirs.cleanup();
    made.forEach((d) => expect(existsSync(d)).toBe(false));
    await dirs.cleanup();
  });
});
