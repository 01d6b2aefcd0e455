import { parseRfc3339OrZero, toUnixSeconds } from '@tunasync/api-types';
import type { HistoryRecord } from '@tunasync/api-types';
import type { RunRecord } from '@tunasync/store';
import { runDurationSeconds } from './run-duration';

/**
 * What `GET /workers/:id/jobs/:job/history` shows for one stored run (SPEC §7.8): the stored
 * RFC 3339 times with their Unix seconds (as `/jobs` pairs them), and the duration in
 * seconds (0 when the start is unknown or after the end).
 */
export function toHistoryRecord(workerId: string, mirror: string, run: RunRecord): HistoryRecord {
  return {
    name: mirror,
    worker: workerId,
    started: run.started,
    ended: run.ended,
    started_ts: toUnixSeconds(parseRfc3339OrZero(run.started)),
    ended_ts: toUnixSeconds(parseRfc3339OrZero(run.ended)),
    duration: runDurationSeconds(run.started, run.ended) ?? 0,
    result: run.result,
    size: run.size,
    error_msg: run.error_msg,
  };
}
