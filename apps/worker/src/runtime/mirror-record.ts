import type { SyncStatus } from '@tunasync/api-types';

/** What the worker remembers of one mirror between two lives (the local state file). */
export interface MirrorRecord {
  /** The last status reported for it. */
  status: SyncStatus;
  /** The last known size (`1.5G`), if any. */
  size?: string;
  /** `error_msg` of the last report. */
  error_msg: string;
  /** When its last successful sync ended, by this worker's clock (ISO 8601). */
  last_success?: string;
  /** When the worker observed `status` (ISO 8601, its own clock); re-sent as its age. */
  changed_at?: string;
}

/** A size worth keeping: set and not `unknown`. */
export function meaningfulSize(size: string | undefined): string | undefined {
  return size !== undefined && size !== '' && size !== 'unknown' ? size : undefined;
}
