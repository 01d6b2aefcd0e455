import { runDurationSeconds } from '../src/run-duration';

describe('runDurationSeconds', () => {
  test('seconds from start to end, milliseconds as decimals, whatever the offsets', () => {
    expect(runDurationSeconds('2026-01-02T15:00:00+08:00', '2026-01-02T07:01:30.5Z')).toBe(90.5);
    expect(runDurationSeconds('2026-01-02T15:00:00Z', '2026-01-02T15:00:00Z')).toBe(0);
  });

  test('unknown when either time is zero or missing, or the end is before the start', () => {
    expect(runDurationSeconds('0001-01-01T00:00:00Z', '2026-01-02T15:00:00Z')).toBeUndefined();
    expect(runDurationSeconds('2026-01-02T15:00:00Z', '0001-01-01T00:00:00Z')).toBeUndefined();
    expect(runDurationSeconds('', '2026-01-02T15:00:00Z')).toBeUndefined();
    expect(runDurationSeconds('2026-01-02T15:00:01Z', '2026-01-02T15:00:00Z')).toBeUndefined();
  });
});
