import { ZERO_TIME_RFC3339, formatRfc3339, parseRfc3339 } from '@tunasync/api-types';
import type { MirrorStatus, Rfc3339 } from '@tunasync/api-types';

/** A size worth keeping: not empty and not `unknown`. */
export function isMeaningfulSize(size: string): boolean {
  return size !== '' && size !== 'unknown';
}

/** Any RFC 3339 text, re-written in the manager's local offset (SPEC §2.2). */
export function normalizeTime(text: Rfc3339): Rfc3339 {
  const date = parseRfc3339(text);
  return date ? formatRfc3339(date) : ZERO_TIME_RFC3339;
}

/**
 * The status to store for a worker's report (SPEC §3): timestamps come from the manager's
 * clock (`now`), never from the body; a meaningless size keeps the stored one;
 * `next_schedule` stays as stored (it comes from `/schedules`).
 */
export function applyStatusReport(
  current: MirrorStatus | undefined,
  report: MirrorStatus,
  workerId: string,
  now: Date,
): MirrorStatus {
  const at = formatRfc3339(now);
  const kept = (field: 'last_started' | 'last_update' | 'last_ended' | 'next_schedule') =>
    current?.[field] ?? ZERO_TIME_RFC3339;
  const entersPreSyncing = report.status === 'pre-syncing' && current?.status !== 'pre-syncing';
  const ended = report.status === 'success' || report.status === 'failed';
  const keepSize =
    current !== undefined && isMeaningfulSize(current.size) && !isMeaningfulSize(report.size);
  return {
    name: report.name,
    worker: workerId,
    is_master: report.is_master,
    status: report.status,
    last_update: report.status === 'success' ? at : kept('last_update'),
    last_started: entersPreSyncing ? at : kept('last_started'),
    last_ended: ended ? at : kept('last_ended'),
    next_schedule: kept('next_schedule'),
    upstream: report.upstream,
    size: keepSize ? current.size : report.size,
    error_msg: report.error_msg,
  };
}
