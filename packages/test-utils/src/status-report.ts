import type { MirrorStatusReport, SyncStatus } from '@tunasync/api-types';

/**
 * A worker's status report, the body of `POST /workers/:id/jobs/:job` (SPEC §3), as tests
 * send it: every time `2000-01-01T00:00:00Z` (the manager ignores them), upstream
 * `rsync://example.org/x/`, size `unknown`; `extra` overrides any field.
 */
export function statusReport(
  worker: string,
  name: string,
  status: SyncStatus,
  extra: Partial<MirrorStatusReport> = {},
): MirrorStatusReport {
  return {
    name,
    worker,
    is_master: true,
    status,
    last_update: '2000-01-01T00:00:00Z',
    last_started: '2000-01-01T00:00:00Z',
    last_ended: '2000-01-01T00:00:00Z',
    next_schedule: '2000-01-01T00:00:00Z',
    upstream: 'rsync://example.org/x/',
    size: 'unknown',
    error_msg: '',
    ...extra,
  };
}
