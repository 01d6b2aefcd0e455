/** The wire shape of a worker's status report (SPEC §3), as the fault scenarios send it. */
export interface StatusReportBody {
  name: string;
  worker: string;
  is_master: boolean;
  status: string;
  last_update: string;
  last_started: string;
  last_ended: string;
  next_schedule: string;
  upstream: string;
  size: string;
  error_msg: string;
}

/** A worker's status report (the body of `POST /workers/:id/jobs/:job`). */
export function statusReport(
  worker: string,
  name: string,
  status: string,
  extra: Partial<StatusReportBody> = {},
): StatusReportBody {
  return {
    name,
    worker,
    is_master: true,
    status,
    last_update: '2000-01-01T00:00:00Z',
    last_started: '2000-01-01T00:00:00Z',
    last_ended: '2000-01-01T00:00:00Z',
    next_schedule: '2000-01-01T00:00:00Z',
    upstream: 'rsync://127.0.0.1/x/',
    size: 'unknown',
    error_msg: '',
    ...extra,
  };
}
