import { decodeComponent, encodeComponent, statusKey, workerKey } from '../src/index';

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
});
