import { decodeComponent, encodeComponent, historyKey, statusKey, workerKey } from '../src/index';
import { parseHistorySeq } from '../src/key-layout';

describe('key layout', () => {
  test('valid names are kept as they are', () => {
    expect(encodeComponent('debian-security_2.x+1')).toBe('debian-security_2.x+1');
    expect(statusKey('w1', 'debian')).toBe('status/w1/debian');
    expect(workerKey('w1')).toBe('worker/w1');
  });

  test('everything else is escaped, never producing a separator, and decodes back', () => {
    const samples = ['a/b', '~', '~002f', ' ', '\u00e9', '\ud800', '%2F', '', 'a\u0000b'];
    for (const sample of samples) {
      const encoded = encodeComponent(sample);
      expect(encoded).not.toContain('/');
      expect(decodeComponent(encoded)).toBe(sample);
    }
    expect(new Set(samples.map(encodeComponent)).size).toBe(samples.length);
    expect(encodeComponent('a/b')).toBe('a~002fb');
  });

  test('history keys: zero-padded run numbers, so key order is run order', () => {
    expect(historyKey('w1', 'debian', 1)).toBe('history/w1/debian/0000000000000001');
    expect(historyKey('b/c', 'a', 12)).toBe('history/b~002fc/a/0000000000000012');
    const keys = [1, 2, 9, 10, 11, 99, 100, 12345].map((n) => historyKey('w', 'm', n));
    expect([...keys].sort()).toEqual(keys);
    expect(keys.map(parseHistorySeq)).toEqual([1, 2, 9, 10, 11, 99, 100, 12345]);
    for (const other of ['history/w/m/1', 'history/w/m', 'status/w/m', 'history/w/m/x/1']) {
      expect(parseHistorySeq(other)).toBeUndefined();
    }
  });
});
