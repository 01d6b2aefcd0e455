import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../src';
import { tempDir } from './helpers/fake-tool';

describe('writeFileDurably', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await tempDir('tunasync-core-durable-');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates and then replaces the file, leaving no temporary file', async () => {
    const file = path.join(dir, 'state.json');
    await writeFileDurably(file, 'one');
    await writeFileDurably(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('creates the file with the given mode', async () => {
    const file = path.join(dir, 'jobs.json');
    await writeFileDurably(file, '{}', { mode: 0o600 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('two writers at once: one wins whole, no temporary file is left', async () => {
    const file = path.join(dir, 'cursor');
    await Promise.all(
      ['a'.repeat(10_000), 'b'.repeat(10_000)].map((t) => writeFileDurably(file, t)),
    );
    expect(['a'.repeat(10_000), 'b'.repeat(10_000)]).toContain(await readFile(file, 'utf8'));
    expect(await readdir(dir)).toEqual(['cursor']);
  });

  it('a failed rename keeps what was there and removes the temporary file', async () => {
    const target = path.join(dir, 'busy');
    await mkdir(target);
    await writeFile(path.join(target, 'inside'), 'kept');
    await expect(writeFileDurably(target, 'x')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect((await readdir(dir)).sort()).toEqual(['busy']);
    expect(await readFile(path.join(target, 'inside'), 'utf8')).toBe('kept');
  });

  it('a missing directory rejects with the system error', async () => {
    await expect(writeFileDurably(path.join(dir, 'no', 'file'), 'x')).rejects.toThrow(/ENOENT/);
  });
});
