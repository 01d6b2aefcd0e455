import { sizeBytes } from '../src/human-size';

test('sizeBytes: K M G T as powers of 1000 (rsync -h), Ki Mi Gi as powers of 1024', () => {
  expect(sizeBytes('1.5G')).toBe(1.5e9);
  expect(sizeBytes('300M')).toBe(300e6);
  expect(sizeBytes('65.21M')).toBe(65.21e6);
  expect(sizeBytes('12KiB')).toBe(12 * 1024);
  expect(sizeBytes('2GiB')).toBe(2 * 1024 ** 3);
  expect(sizeBytes('1.5 GB')).toBe(1.5e9);
  expect(sizeBytes('42')).toBe(42);
  expect(sizeBytes('unknown')).toBe(-1);
  expect(sizeBytes('')).toBe(-1);
});
