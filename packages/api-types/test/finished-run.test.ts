import { RUN_RESULTS, SYNC_STATUSES, finishedRun, isRunResult } from '../src';
import type { SyncStatus } from '../src';

describe('finishedRun', () => {
  it('results are the two terminal statuses', () => {
    expect([...RUN_RESULTS]).toEqual(['success', 'failed']);
    expect(SYNC_STATUSES.filter(isRunResult)).toEqual(['failed', 'success']);
    expect(isRunResult('syncing')).toBe(false);
    expect(isRunResult(undefined)).toBe(false);
  });

  it.each([
    [undefined, 'success', 'success'],
    ['none', 'success', 'success'],
    ['syncing', 'success', 'success'],
    ['pre-syncing', 'failed', 'failed'],
    ['paused', 'failed', 'failed'],
    ['disabled', 'success', 'success'],
    ['failed', 'success', 'success'],
    ['success', 'failed', 'failed'],
    [undefined, 'failed', 'failed'],
  ] as const)('%s → %s finishes a %s run', (previous, next, result) => {
    expect(finishedRun(previous, next)).toBe(result);
  });

  it.each([
    ['success', 'success'],
    ['failed', 'failed'],
    [undefined, 'syncing'],
    ['syncing', 'pre-syncing'],
    ['success', 'syncing'],
    ['syncing', 'paused'],
    ['failed', 'disabled'],
    ['success', 'none'],
  ] as const)('%s → %s finishes no run', (previous, next) => {
    expect(finishedRun(previous, next)).toBeUndefined();
  });

  it('a terminal report delivered twice is one run; success after failed is a new one', () => {
    const reports: SyncStatus[] = ['pre-syncing', 'syncing', 'success', 'success', 'failed'];
    let stored: SyncStatus | undefined;
    const runs = reports.flatMap((next) => {
      const run = finishedRun(stored, next);
      stored = next;
      return run === undefined ? [] : [run];
    });
    expect(runs).toEqual(['success', 'failed']);
  });
});
