/** Every status a mirror can have on the wire (SPEC §2.1). */
export const SYNC_STATUSES = [
  'none',
  'failed',
  'success',
  'syncing',
  'pre-syncing',
  'paused',
  'disabled',
] as const;

export type SyncStatus = (typeof SYNC_STATUSES)[number];

export function isSyncStatus(value: unknown): value is SyncStatus {
  return typeof value === 'string' && (SYNC_STATUSES as readonly string[]).includes(value);
}
