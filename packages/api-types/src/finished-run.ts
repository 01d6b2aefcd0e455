import type { SyncStatus } from './sync-status';

/** How a finished run ended: the two terminal statuses. */
export const RUN_RESULTS = ['success', 'failed'] as const;

export type RunResult = (typeof RUN_RESULTS)[number];

export function isRunResult(value: unknown): value is RunResult {
  return value === 'success' || value === 'failed';
}

/**
 * The one rule of what a finished run is (run counters of `/metrics`, SPEC §7.5, and run
 * history, §7.8): a status report that turns the stored status (`previous`, undefined when
 * there was none) into `success` or `failed` from another status. A terminal report repeated
 * with the same status — a worker's retrying outbox delivers one twice — is not a second run.
 * Returns the run's result, or undefined when the report finishes no run.
 */
export function finishedRun(
  previous: SyncStatus | undefined,
  next: SyncStatus,
): RunResult | undefined {
  if (!isRunResult(next) || previous === next) return undefined;
  return next;
}
