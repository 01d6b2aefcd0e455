import type { MirrorStatus, Rfc3339, RunResult, WorkerStatus } from '@tunasync/api-types';
import type { AlertQueue } from './alert-queue';

/** Options of a write. */
export interface WriteOptions {
  /**
   * Flush to disk (fsync) before the promise resolves. Default: true for statuses
   * `success` and `failed`, false otherwise (a process crash never loses a resolved write;
   * `sync` also survives a power loss).
   */
  sync?: boolean;
  /**
   * Run history (SPEC §7.8) of a status write: keep the newest `history` finished runs of
   * this mirror. When the write finishes a run (`finishedRun(stored status, new status)` of
   * `@tunasync/api-types`), its `RunRecord` is appended, and every record beyond the newest
   * `history` is deleted, in the same atomic batch as the status. `0` records nothing (and
   * drops the mirror's older records at its next finished run). Undefined: the history is
   * not touched.
   */
  history?: number;
}

/**
 * One finished run of a mirror, taken from the status write that finished it. Times are
 * RFC 3339 text as in MirrorStatus.
 */
export interface RunRecord {
  /** The status's `last_started`. */
  started: Rfc3339;
  /** The status's `last_ended`. */
  ended: Rfc3339;
  result: RunResult;
  size: string;
  error_msg: string;
}

/**
 * Computes the next value of one mirror status from the stored one (`undefined` when none).
 * Returning `undefined` leaves the store unchanged. Runs while the status is locked, so it
 * must be synchronous and quick.
 */
export type StatusUpdater = (current: MirrorStatus | undefined) => MirrorStatus | undefined;

/** A stored status with the key it is stored under. */
export interface MirrorStatusEntry {
  workerId: string;
  mirror: string;
  status: MirrorStatus;
}

/** A change that a write made, told to listeners after it is stored. */
export type StoreChange =
  | { kind: 'status-put'; workerId: string; mirror: string; status: MirrorStatus }
  | { kind: 'status-delete'; workerId: string; mirror: string }
  | { kind: 'worker-put'; worker: WorkerStatus }
  | { kind: 'worker-delete'; workerId: string };

/**
 * Called once per stored change, in the order the changes were stored for any one key, before
 * the writing call resolves. A listener must not throw (what it throws is swallowed).
 */
export type StoreListener = (change: StoreChange) => void;

export interface DeleteWorkerOptions {
  /** Remove the worker's mirror statuses too (off `/jobs` and the status page). */
  purge?: boolean;
}

/**
 * The manager's persistent state: registered workers, and one MirrorStatus per (worker,
 * mirror) pair, and the pending alerts (`AlertQueue`). Every method may reject with a
 * `StoreError`. Returned objects are copies.
 */
export interface Store extends AlertQueue {
  /** Where the data lives (a directory for LevelDB), for messages. */
  readonly location: string;

  listWorkers(): Promise<WorkerStatus[]>;
  getWorker(workerId: string): Promise<WorkerStatus | undefined>;
  /** Creates or replaces a worker. */
  putWorker(worker: WorkerStatus, options?: WriteOptions): Promise<WorkerStatus>;
  /**
   * Removes a worker and the run history of its mirrors (its statuses stay, as in the Go
   * manager, unless `purge`); false when the worker was unknown (its history, and with
   * `purge` its statuses, are removed all the same), in one atomic batch.
   */
  deleteWorker(workerId: string, options?: DeleteWorkerOptions): Promise<boolean>;
  /** Sets `last_online` of a registered worker; undefined when the worker is unknown. */
  refreshWorker(workerId: string, lastOnline: Rfc3339): Promise<WorkerStatus | undefined>;

  getMirrorStatus(workerId: string, mirror: string): Promise<MirrorStatus | undefined>;
  putMirrorStatus(
    workerId: string,
    mirror: string,
    status: MirrorStatus,
    options?: WriteOptions,
  ): Promise<MirrorStatus>;
  /** Atomic read-modify-write of one status: no concurrent write to it is lost. */
  updateMirrorStatus(
    workerId: string,
    mirror: string,
    update: StatusUpdater,
    options?: WriteOptions,
  ): Promise<MirrorStatus | undefined>;
  /** One worker's statuses, ordered by mirror name. */
  listMirrorStatuses(workerId: string): Promise<MirrorStatus[]>;
  /** Every status, ordered by worker then mirror name. */
  listAllMirrorStatuses(): Promise<MirrorStatus[]>;
  /** Like `listAllMirrorStatuses`, with the (worker, mirror) each is stored under. */
  listAllMirrorStatusEntries(): Promise<MirrorStatusEntry[]>;
  /**
   * Deletes every status that is `disabled` or has an empty name, each with its mirror's run
   * history in one atomic batch; returns how many statuses.
   */
  flushDisabled(): Promise<number>;
  /**
   * The newest `limit` finished runs of one mirror (every stored one without `limit`), newest
   * first. A bounded range read of that mirror's records; a `limit` below 1 gives `[]`.
   */
  listRunHistory(workerId: string, mirror: string, limit?: number): Promise<RunRecord[]>;

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: StoreListener): () => void;
  /** Waits for running operations, then releases the database. Idempotent. */
  close(): Promise<void>;
}
