import type { HistoryRecord } from '@tunasync/api-types';
import { CTL_ERRORS } from './errors';
import type { CtlError } from './errors';
import type { ParsedTemplate } from './go-template';
import {
  buildFieldMap,
  checkTemplateFields,
  parseTemplate,
  renderTemplate,
  TemplateError,
} from './go-template';

/** The kinds of object `--format` applies to, with their Go field names → wire keys. */
export const GO_FIELDS = {
  /** `WebMirrorStatus` (list --all). */
  webMirrorStatus: {
    Name: 'name',
    IsMaster: 'is_master',
    Status: 'status',
    LastUpdate: 'last_update',
    LastUpdateTs: 'last_update_ts',
    LastStarted: 'last_started',
    LastStartedTs: 'last_started_ts',
    LastEnded: 'last_ended',
    LastEndedTs: 'last_ended_ts',
    Scheduled: 'next_schedule',
    ScheduledTs: 'next_schedule_ts',
    NextSchedule: 'next_schedule',
    NextScheduleTs: 'next_schedule_ts',
    Upstream: 'upstream',
    Size: 'size',
    // Live progress (SPEC §7.9): extra fields a tunasync-ts manager sends while a mirror
    // syncs; always known here, so a template may name them when no mirror has them.
    ProgressFiles: 'progress_files',
    ProgressBytes: 'progress_bytes',
    ProgressUpdated: 'progress_updated',
    ProgressUpdatedTs: 'progress_updated_ts',
  },
  /** `MirrorStatus` (list WORKER…). */
  mirrorStatus: {
    Name: 'name',
    Worker: 'worker',
    IsMaster: 'is_master',
    Status: 'status',
    LastUpdate: 'last_update',
    LastStarted: 'last_started',
    LastEnded: 'last_ended',
    Scheduled: 'next_schedule',
    NextSchedule: 'next_schedule',
    Upstream: 'upstream',
    Size: 'size',
    ErrorMsg: 'error_msg',
    ProgressFiles: 'progress_files',
    ProgressBytes: 'progress_bytes',
    ProgressUpdated: 'progress_updated',
  },
  /** `WorkerStatus` (workers). */
  workerStatus: {
    ID: 'id',
    URL: 'url',
    Token: 'token',
    LastOnline: 'last_online',
    LastRegister: 'last_register',
  },
  /** `HistoryRecord` (history). */
  historyRecord: {
    Name: 'name',
    Worker: 'worker',
    Started: 'started',
    StartedTs: 'started_ts',
    Ended: 'ended',
    EndedTs: 'ended_ts',
    Duration: 'duration',
    Result: 'result',
    Size: 'size',
    ErrorMsg: 'error_msg',
  } satisfies Record<string, keyof HistoryRecord>,
} as const;

export type ObjectKind = keyof typeof GO_FIELDS;

function templateError(err: TemplateError, usage: string): CtlError {
  return CTL_ERRORS.template.withCause(err, err.message, usage);
}

/** Parse `--format` before anything is fetched, so a typo costs no request. */
export function compileFormat(source: string, usage: string): ParsedTemplate {
  try {
    return parseTemplate(source);
  } catch (err) {
    if (err instanceof TemplateError) throw templateError(err, usage);
    throw err;
  }
}

/**
 * Every object through the template, one line each (like the Go client's `Execute` then
 * `Println`). Rendered completely before anything is printed: an error prints nothing.
 */
export function renderObjects(
  template: ParsedTemplate,
  kind: ObjectKind,
  items: readonly Record<string, unknown>[],
  usage: string,
): string {
  try {
    const fields = buildFieldMap(GO_FIELDS[kind], items);
    checkTemplateFields(template, fields);
    return items.map((item) => `${renderTemplate(template, item, fields)}\n`).join('');
  } catch (err) {
    if (err instanceof TemplateError) throw templateError(err, usage);
    throw err;
  }
}
