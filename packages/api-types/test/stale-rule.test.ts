import { inferredIntervalSeconds, isStaleMirror, staleLimitMs } from '../src';
import type { StaleRuleInput } from '../src';

const ZERO = '0001-01-01T00:00:00Z';
const HOUR = 3600;

/** A mirror that succeeded at 00:00 and ended then, next run at 02:00 (interval 2 h). */
function mirror(over: Partial<StaleRuleInput> = {}): StaleRuleInput {
  return {
    status: 'success',
    last_update: '2026-01-01T00:00:00Z',
    last_ended: '2026-01-01T00:00:00Z',
    next_schedule: '2026-01-01T02:00:00Z',
    ...over,
  };
}
const at = (hours: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + hours * HOUR * 1000);

describe('the stale rule', () => {
  it('infers the interval from next_schedule − last_ended', () => {
    expect(inferredIntervalSeconds(mirror())).toBe(2 * HOUR);
    expect(inferredIntervalSeconds(mirror({ next_schedule: ZERO }))).toBeUndefined();
    expect(inferredIntervalSeconds(mirror({ last_ended: ZERO }))).toBeUndefined();
    expect(inferredIntervalSeconds(mirror({ next_schedule: '2025-12-31T23:00:00Z' }))).toBe(
      undefined,
    );
  });

  it("'auto' is 3 × the interval plus the timeout", () => {
    expect(staleLimitMs(mirror(), 'auto')).toBe(6 * HOUR * 1000);
    expect(staleLimitMs(mirror(), 'auto', { timeoutSeconds: HOUR })).toBe(7 * HOUR * 1000);
    expect(staleLimitMs(mirror(), 'auto', { intervalSeconds: HOUR })).toBe(3 * HOUR * 1000);
    expect(isStaleMirror(mirror(), at(6), 'auto')).toBe(false);
    expect(isStaleMirror(mirror(), at(6.01), 'auto')).toBe(true);
    expect(isStaleMirror(mirror(), at(6.01), 'auto', { timeoutSeconds: HOUR })).toBe(false);
  });

  it('a fixed number of seconds, and 0 for off', () => {
    expect(isStaleMirror(mirror(), at(1.01), HOUR)).toBe(true);
    expect(isStaleMirror(mirror(), at(0.99), HOUR)).toBe(false);
    expect(isStaleMirror(mirror(), at(1000), 0)).toBe(false);
    expect(staleLimitMs(mirror(), 0)).toBeUndefined();
  });

  it('a failed or syncing mirror is aged by its last success too', () => {
    const failed = mirror({ status: 'failed', last_ended: '2026-01-01T10:00:00Z' });
    expect(isStaleMirror(failed, at(11), HOUR)).toBe(true);
    expect(isStaleMirror(mirror({ status: 'syncing' }), at(2), HOUR)).toBe(true);
    expect(isStaleMirror(mirror({ status: 'paused' }), at(2), HOUR)).toBe(true);
  });

  it('never for a disabled mirror, one that never succeeded, or an unknown interval', () => {
    expect(isStaleMirror(mirror({ status: 'disabled' }), at(100), HOUR)).toBe(false);
    expect(isStaleMirror(mirror({ last_update: ZERO }), at(100), HOUR)).toBe(false);
    expect(isStaleMirror(mirror({ next_schedule: ZERO }), at(100), 'auto')).toBe(false);
  });
});
