import type { CmdVerb } from './cmd-verb';
import type { RunResult } from './finished-run';
import type { SyncStatus } from './sync-status';

/** RFC 3339 text as it travels in JSON (see `formatRfc3339`). */
export type Rfc3339 = string;

/** A mirror's status as the worker reports it and the manager stores it (SPEC §2.2). */
export interface MirrorStatus {
  name: string;
  worker: string;
  is_master: boolean;
  status: SyncStatus;
  last_update: Rfc3339;
  last_started: Rfc3339;
  last_ended: Rfc3339;
  next_schedule: Rfc3339;
  upstream: string;
  size: string;
  error_msg: string;
}

/**
 * The body of a status report, `POST /workers/:id/jobs/:job`: a MirrorStatus and, from a
 * tunasync-ts worker, how long ago the worker saw that status.
 */
export interface MirrorStatusReport extends MirrorStatus {
  /**
   * Milliseconds from the moment the worker observed this status (the job's transition) to
   * the moment it sent this request, both on the worker's own clock: the time the report
   * waited in the worker's outbox. A tunasync-ts manager dates the report `its now − age`
   * (clock skew between the hosts plays no part); a Go manager ignores the field. Absent from
   * Go workers and from reports queued by older tunasync-ts workers.
   */
  observed_ago_ms?: number;
}

/** What `GET /jobs` returns for each mirror (SPEC §2.3). */
export interface WebMirrorStatus {
  name: string;
  is_master: boolean;
  status: SyncStatus;
  last_update: string;
  last_update_ts: number;
  last_started: string;
  last_started_ts: number;
  last_ended: string;
  last_ended_ts: number;
  next_schedule: string;
  next_schedule_ts: number;
  upstream: string;
  size: string;
}

/**
 * One finished run of a mirror, as `GET /workers/:id/jobs/:job/history` lists it (SPEC §7.8)
 * and `tunasynctl history` prints it.
 */
export interface HistoryRecord {
  name: string;
  worker: string;
  /** `last_started` of the run (RFC 3339, as in MirrorStatus). */
  started: Rfc3339;
  /** `last_ended` of the run: when the manager received the finishing report. */
  ended: Rfc3339;
  /** Unix seconds of `started` (`-62135596800` for the zero time, as `/jobs`). */
  started_ts: number;
  /** Unix seconds of `ended`. */
  ended_ts: number;
  /** `ended − started` in seconds (decimals for milliseconds); 0 when the start is unknown. */
  duration: number;
  result: RunResult;
  /** The mirror's size after the run, as the status had it. */
  size: string;
  /** Why the run failed; empty after a success. */
  error_msg: string;
}

/** A registered worker (SPEC §2.4). */
export interface WorkerStatus {
  id: string;
  url: string;
  token: string;
  last_online: Rfc3339;
  last_register: Rfc3339;
}

/** Command options; `force` is the only one today. */
export type CmdOptions = Record<string, boolean>;

/** ctl → manager (SPEC §2.5). */
export interface ClientCmd {
  cmd: CmdVerb;
  mirror_id: string;
  worker_id: string;
  args: string[];
  options: CmdOptions;
}

/** manager → worker (SPEC §2.5). */
export interface WorkerCmd {
  cmd: CmdVerb;
  mirror_id: string;
  args: string[];
  options: CmdOptions;
}

export interface MirrorSchedule {
  name: string;
  next_schedule: Rfc3339;
  /**
   * tunasync-ts workers: the mirror's interval in seconds (absent for a `cron` mirror) and
   * the longest a run may take (timeout × retry, 0: no limit), for the stale rule's `'auto'`
   * (§7.13). A Go manager ignores them.
   */
  interval_seconds?: number;
  timeout_seconds?: number;
}

/** worker → manager: the whole schedule list (SPEC §2.5). */
export interface MirrorSchedules {
  schedules: MirrorSchedule[];
}

/** Body of `POST /workers/:id/jobs/:job/size`. */
export interface MirrorSizeMessage {
  name: string;
  size: string;
}

/**
 * Body of `POST /workers/:id/jobs/:job/progress` (SPEC §7.9, tunasync-ts only): how far the
 * running sync of a mirror has got. Ephemeral: the manager keeps it in memory only.
 */
export interface MirrorProgressMessage {
  /** The mirror; must equal the URL's `:job`. */
  name: string;
  /** Regular files transferred so far in this run. */
  files: number;
  /** Their size in bytes. */
  bytes: number;
}

/** `{"message": …}` success body of the manager. */
export interface MessageBody {
  message: string;
}

/** `{"error": …}` error body of the manager. */
export interface ErrorBody {
  error: string;
}

/** `{"msg": …}` body of the worker's control server. */
export interface WorkerAnswer {
  msg: string;
}
