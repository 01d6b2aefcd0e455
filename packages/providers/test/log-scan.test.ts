import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs } from '@tunasync/test-utils';
import { captureGroupCount, compileGoRegexp, goRegexpProblem } from '../src/go-regexp';
import { findLastLine, findRsyncSize, parseRsyncTotalSize, scanLines } from '../src/log-scan';
import { RSYNC_EXIT_CODES, rsyncExitLogLine, rsyncExitMeaning } from '../src/rsync-exit-codes';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

const STATS = (size: string): string =>
  [
    'Number of files: 3 (reg: 2, dir: 1)',
    `Total file size: ${size} bytes`,
    'Total transferred file size: 0 bytes',
    'sent 20 bytes  received 120 bytes  280.00 bytes/sec',
    'total size is 1.00K  speedup is 7.31',
    '',
  ].join('\n');

describe('rsync size from the end of the log', () => {
  it('parses the stats line like the Go program (digit-group commas dropped)', () => {
    expect(parseRsyncTotalSize('Total file size: 1.23G bytes')).toBe('1.23G');
    expect(parseRsyncTotalSize('Total file size: 512 bytes')).toBe('512');
    expect(parseRsyncTotalSize('Total file size: 1,234,567 bytes')).toBe('1234567');
    expect(parseRsyncTotalSize(' Total file size: 1G bytes')).toBeUndefined();
    expect(parseRsyncTotalSize('Total transferred file size: 5 bytes')).toBeUndefined();
  });

  it('finds the last stats block in a big log reading a bounded tail only', async () => {
    const file = join(await dirs.make(), 'big.log');
    const handle = await open(file, 'w');
    await handle.write(STATS('9.99T'));
    // 64 MiB of sparse zeros then lines: the size is read without reading the middle
    await handle.write('\nfile-a\n' + STATS('4.56G'), 64 * 1024 * 1024);
    await handle.close();
    const result = await findRsyncSize(file);
    expect(result.value).toBe('4.56G');
    expect(result.bytesRead).toBeLessThanOrEqual(64 * 1024);
    const bounded = await findRsyncSize(file, { maxBytes: 100 });
    expect(bounded).toEqual({ value: undefined, bytesRead: 100 });
  });

  it('handles lines across chunk boundaries, CRLF, no final newline, first-line matches', async () => {
    const dir = await dirs.make();
    const file = join(dir, 'a.log');
    await writeFile(
      file,
      `Total file size: 7K bytes\r\n${'x'.repeat(100)}\nTotal file size: 8K bytes`,
    );
    for (const chunkSize of [1, 3, 7, 64, 1000]) {
      expect((await findRsyncSize(file, { chunkSize })).value).toBe('8K');
    }
    await writeFile(file, `Total file size: 7K bytes\r\n${'x'.repeat(100)}\n`);
    for (const chunkSize of [1, 5, 1000]) {
      expect((await findRsyncSize(file, { chunkSize })).value).toBe('7K');
    }
    await writeFile(file, '');
    expect(await findRsyncSize(file)).toEqual({ value: undefined, bytesRead: 0 });
  });

  it('skips lines longer than the limit, even when one starts like a stats line', async () => {
    const file = join(await dirs.make(), 'long.log');
    await writeFile(
      file,
      `Total file size: 1K bytes\nTotal file size: 2K bytes ${'y'.repeat(500)}\nend\n`,
    );
    const found = await findLastLine(file, parseRsyncTotalSize, {
      chunkSize: 16,
      maxLineLength: 64,
    });
    expect(found.value).toBe('1K');
    await writeFile(file, `Total file size: 2K bytes ${'y'.repeat(500)}\nend\n`);
    expect(
      (await findLastLine(file, parseRsyncTotalSize, { chunkSize: 16, maxLineLength: 64 })).value,
    ).toBe(undefined);
  });
});

describe('scanLines', () => {
  it('streams lines, cutting very long ones', async () => {
    const file = join(await dirs.make(), 's.log');
    await writeFile(file, `a\r\nb\n${'z'.repeat(10)}\nlast`);
    const lines: string[] = [];
    await scanLines(file, (l) => lines.push(l), { maxLineLength: 4 });
    expect(lines).toEqual(['a', 'b', 'zzzz', 'zzzz', 'zz', 'last']);
  });
});

describe('Go regular expressions', () => {
  it('translates inline flags and named groups', () => {
    expect(compileGoRegexp('(?i)error').test('ERROR')).toBe(true);
    expect(compileGoRegexp('(?P<size>\\d+)K').exec('12K')?.groups?.size).toBe('12');
    expect(compileGoRegexp('(?s)(?m)a.b').flags).toBe('gms');
    expect(() => compileGoRegexp('(?U)a+')).toThrow(SyntaxError);
    expect(() => compileGoRegexp('(')).toThrow(SyntaxError);
  });

  it('counts capture groups', () => {
    expect(captureGroupCount(compileGoRegexp('size: ([0-9.]+)([KMG])?'))).toBe(2);
    expect(captureGroupCount(compileGoRegexp('(?P<size>\\d+)'))).toBe(1);
    expect(captureGroupCount(compileGoRegexp('(?:x)y\\(z\\)'))).toBe(0);
  });

  it('says why a pattern cannot be used, without repeating the pattern', () => {
    expect(goRegexpProblem('(?i)size: ([0-9.]+)', true)).toBeUndefined();
    expect(goRegexpProblem('no group')).toBeUndefined();
    expect(goRegexpProblem('no group', true)).toBe(
      'must have a capture group holding the size, e.g. "size: ([0-9.]+[KMGTP]?)"',
    );
    expect(goRegexpProblem('(')).toBe('invalid regular expression: Unterminated group');
    expect(goRegexpProblem('(?U)a+')).toBe(
      'invalid regular expression: the (?U) flag (ungreedy) is not supported',
    );
  });
});

describe('rsync exit codes', () => {
  it('has the whole documented table', () => {
    expect(Object.keys(RSYNC_EXIT_CODES).map(Number)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 25, 30, 35,
    ]);
    expect(rsyncExitMeaning(23)).toBe('Partial transfer due to error');
    expect(rsyncExitMeaning(24)).toBe('Partial transfer due to vanished source files');
    expect(rsyncExitMeaning(99)).toBeUndefined();
    expect(rsyncExitLogLine(30)).toBe('rsync error: Timeout in data send/receive');
    expect(rsyncExitLogLine(99)).toBe('rsync error: exit code 99 (not documented by rsync)');
  });
});
