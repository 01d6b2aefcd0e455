import { isRunResult, isSyncStatus, ZERO_TIME_RFC3339 } from '@tunasync/api-types';
import type { MirrorStatus, RunResult, WorkerStatus } from '@tunasync/api-types';
import type { RunRecord } from './store';

/** Why a decoded record cannot be used, or undefined. */
export type RecordProblem = string;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function time(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : ZERO_TIME_RFC3339;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * A stored MirrorStatus with Go zero values for missing fields (records written by an
 * older layout keep working); a string describing the problem when it is not a status.
 */
export function decodeMirrorStatus(raw: unknown): MirrorStatus | RecordProblem {
  const o = asObject(raw);
  if (!o) return 'not a JSON object';
  const status = o.status === undefined || o.status === '' ? 'none' : o.status;
  if (!isSyncStatus(status)) return `unknown status ${JSON.stringify(o.status)}`;
  return {
    ...o,
    name: str(o.name),
    worker: str(o.worker),
    is_master: o.is_master === true,
    status,
    last_update: time(o.last_update),
    last_started: time(o.last_started),
    last_ended: time(o.last_ended),
    next_schedule: time(o.next_schedule),
    upstream: str(o.upstream),
    size: str(o.size),
    error_msg: str(o.error_msg),
  };
}

export function decodeWorkerStatus(raw: unknown): WorkerStatus | RecordProblem {
  const o = asObject(raw);
  if (!o) return 'not a JSON object';
  return {
    ...o,
    id: str(o.id),
    url: str(o.url),
    token: str(o.token),
    last_online: time(o.last_online),
    last_register: time(o.last_register),
  };
}

/** A stored run record with zero values for missing fields; a problem when it is not one. */
export function decodeRunRecord(raw: unknown): RunRecord | RecordProblem {
  const o = asObject(raw);
  if (!o) return 'not a JSON object';
  if (!isRunResult(o.result)) return `unknown result ${JSON.stringify(o.result)}`;
  return {
    started: time(o.started),
    ended: time(o.ended),
    result: o.result,
    size: str(o.size),
    error_msg: str(o.error_msg),
  };
}

/** The run record of a status write that finishes a run with `result`. */
export function runRecordOf(status: MirrorStatus, result: RunResult): RunRecord {
  return {
    started: status.last_started,
    ended: status.last_ended,
    result,
    size: status.size,
    error_msg: status.error_msg,
  };
}

export function isTerminal(status: MirrorStatus): boolean {
  return isRunResult(status.status);
}
