import { ZERO_TIME, ZERO_TIME_RFC3339, formatRfc3339, parseRfc3339 } from '@tunasync/api-types';
import type { MirrorStatus, MirrorStatusReport, Rfc3339 } from '@tunasync/api-types';

/** A size worth keeping: not empty and not `unknown`. */
export function isMeaningfulSize(size: string): boolean {
  return size !== '' && size !== 'unknown';
}

/** Any RFC 3339 text, re-written in the manager's local offset (SPEC §2.2). */
export function normalizeTime(text: Rfc3339): Rfc3339 {
  const date = parseRfc3339(text);
  return date ? formatRfc3339(date) : ZERO_TIME_RFC3339;
}

/** The latest of the run times stored for a mirror (the zero time for a new one). */
function latestStoredTime(current: MirrorStatus | undefined): number {
  let latest = ZERO_TIME.getTime();
  for (const text of [current?.last_update, current?.last_started, current?.last_ended]) {
    const time = text === undefined ? undefined : parseRfc3339(text)?.getTime();
    if (time !== undefined && time > latest) latest = time;
  }
  return latest;
}

/**
 * When the reported status was observed, on the manager's clock: `now − observed_ago_ms`
 * (the age the worker measured on its own clock, so clock skew between the hosts plays no
 * part), never earlier than the latest run time stored for the mirror (a report sent again
 * — re-registration, at-least-once delivery — differs from the first by the transit time
 * only, and must not move a time back nor fall to `now`) and never later than `now`. A
 * report without an age (fresh, from a Go worker), or with one reaching before 1970 (not a
 * real observation), is dated `now`.
 */
export function observedTime(
  current: MirrorStatus | undefined,
  report: MirrorStatusReport,
  now: Date,
): Date {
  const age = report.observed_ago_ms;
  if (age === undefined || age <= 0) return now;
  const observed = now.getTime() - age;
  if (observed < 0) return now;
  return new Date(Math.min(now.getTime(), Math.max(observed, latestStoredTime(current))));
}

/**
 * The status to store for a worker's report (SPEC §3): timestamps come from the manager's
 * clock (`now`), never from the body's time fields — moved back by the report's
 * `observed_ago_ms` when it waited in the worker's outbox (`observedTime`); a meaningless
 * size keeps the stored one; `next_schedule` stays as stored (it comes from `/schedules`).
 */
export function applyStatusReport(
  current: MirrorStatus | undefined,
  report: MirrorStatusReport,
  workerId: string,
  now: Date,
): MirrorStatus {
  const at = formatRfc3339(observedTime(current, report, now));
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
