import { isTunasyncError } from '@tunasync/api-types';
import { parseMemoryLimit } from '../src';
import { memoryLimitBytes } from '../src/memory-limit';

describe('parseMemoryLimit', () => {
  it.each([
    ['1048576', 1048576],
    ['0', 0],
    ['512k', 512 * 1024],
    ['512K', 512 * 1024],
    ['256M', 256 * 1024 ** 2],
    ['256m', 256 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['2T', 2 * 1024 ** 4],
    ['1P', 1024 ** 5],
    ['64MB', 64 * 1024 ** 2],
    ['64MiB', 64 * 1024 ** 2],
    ['64 M', 64 * 1024 ** 2],
    [' 128M ', 128 * 1024 ** 2],
    ['100b', 100],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseMemoryLimit(text)).toBe(bytes);
  });

  it.each(['', 'M', '-1M', '1X', '1.2.3G', 'lots', '1 G B', '12ib', '99999999999P'])(
    'rejects %j with TUNASYNC_E_MEMORY_LIMIT',
    (text) => {
      let caught: unknown;
      try {
        parseMemoryLimit(text);
      } catch (err) {
        caught = err;
      }
      expect(isTunasyncError(caught, 'TUNASYNC_E_MEMORY_LIMIT')).toBe(true);
      expect((caught as Error).message).toContain(JSON.stringify(text));
    },
  );
});

describe('memoryLimitBytes', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    [4096, 4096],
    ['256M', 256 * 1024 ** 2],
  ])('reads %j as %j', (limit, bytes) => {
    expect(memoryLimitBytes(limit)).toBe(bytes);
  });

  it('rejects a bad string with TUNASYNC_E_MEMORY_LIMIT', () => {
    let caught: unknown;
    try {
      memoryLimitBytes('lots');
    } catch (err) {
      caught = err;
    }
    expect(isTunasyncError(caught, 'TUNASYNC_E_MEMORY_LIMIT')).toBe(true);
  });
});
