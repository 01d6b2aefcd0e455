import { mkdir } from 'node:fs/promises';
import { Level } from 'level';
import { finishedRun, silentLogger } from '@tunasync/api-types';
import type { Logger, MirrorStatus, Rfc3339, WorkerStatus } from '@tunasync/api-types';
import { ChangeListeners } from './change-listeners';
import { checkDatabaseLocation } from './database-location';
import { StoreError, STORE_ERRORS } from './errors';
import { KeyedMutex } from './keyed-mutex';
import {
  LAYOUT_VERSION,
  STATUS_RANGE,
  VERSION_KEY,
  WORKER_RANGE,
  historyKey,
  mirrorHistoryRange,
  parseHistorySeq,
  parseStatusKey,
  statusKey,
  workerHistoryRange,
  workerKey,
  workerStatusRange,
} from './key-layout';
import type { KeyRange } from './key-layout';
import {
  decodeMirrorStatus,
  decodeRunRecord,
  decodeWorkerStatus,
  isTerminal,
  runRecordOf,
} from './records';
import type {
  DeleteWorkerOptions,
  MirrorStatusEntry,
  RunRecord,
  StatusUpdater,
  Store,
  StoreChange,
  StoreListener,
  WriteOptions,
} from './store';

export interface LevelStoreOptions {
  /**
   * The database directory; created (with its parents) when missing. Only a missing or empty
   * directory or an intact LevelDB is opened (`checkDatabaseLocation`).
   */
  location: string;
  logger?: Logger;
}

type Db = Level<string, string>;

/** One operation of an atomic LevelDB batch. */
type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function messageOf(value: unknown): string | undefined {
  const message = (value as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** The most specific message of an error (LevelDB puts the real reason in `cause`). */
function describe(err: unknown): string {
  const cause = (err as { cause?: unknown } | null | undefined)?.cause;
  return messageOf(cause) ?? messageOf(err) ?? String(err);
}

/** Turns a failure of LevelDB's open into a StoreError; never repairs or deletes anything. */
function openError(location: string, err: unknown): StoreError {
  switch (causeCode(err)) {
    case 'LEVEL_LOCKED':
      return STORE_ERRORS.locked.withCause(err, location);
    case 'LEVEL_CORRUPTION':
      return STORE_ERRORS.corrupt.withCause(err, location, describe(err));
    default:
      return STORE_ERRORS.openFailed.withCause(err, location, describe(err));
  }
}

/**
 * The LevelDB store (layout in `key-layout.ts` and the README). One process at a time:
 * LevelDB's lock makes a second opener fail with `TUNASYNC_E_STORE_LOCKED`.
 */
export class LevelStore implements Store {
  readonly location: string;
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly mutex = new KeyedMutex();
  private readonly listeners: ChangeListeners;
  private readonly inflight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  private constructor(db: Db, location: string, logger: Logger) {
    this.db = db;
    this.location = location;
    this.logger = logger;
    this.listeners = new ChangeListeners(logger);
  }

  /** Opens (creating when missing) the database at `options.location`. */
  static async open(options: LevelStoreOptions): Promise<LevelStore> {
    const { location } = options;
    const logger = (options.logger ?? silentLogger).child({ component: 'store' });
    // Nothing is handed to LevelDB that it could "recover" by deleting or rewriting files.
    const kind = await checkDatabaseLocation(location);
    if (kind === 'missing') {
      await mkdir(location, { recursive: true }).catch((err: unknown) => {
        throw STORE_ERRORS.openFailed.withCause(err, location, describe(err));
      });
    }
    const fresh = kind !== 'leveldb';
    const db: Db = new Level<string, string>(location, {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
      createIfMissing: fresh,
      errorIfExists: fresh,
    });
    try {
      await db.open();
    } catch (err) {
      throw openError(location, err);
    }
    try {
      await LevelStore.checkVersion(db, location);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err instanceof StoreError
        ? err
        : STORE_ERRORS.openFailed.withCause(err, location, describe(err));
    }
    logger.debug(`database ${location} opened`);
    return new LevelStore(db, location, logger);
  }

  private static async checkVersion(db: Db, location: string): Promise<void> {
    const version = await db.get(VERSION_KEY);
    if (version === undefined) {
      for await (const key of db.keys({ limit: 1 })) {
        throw STORE_ERRORS.corrupt(location, `it holds data (${key}) but no ${VERSION_KEY}`);
      }
      await db.put(VERSION_KEY, LAYOUT_VERSION, { sync: true });
      return;
    }
    if (!/^\d+$/.test(version)) {
      throw STORE_ERRORS.corrupt(location, `${VERSION_KEY} is ${JSON.stringify(version)}`);
    }
    if (Number(version) > Number(LAYOUT_VERSION)) {
      throw STORE_ERRORS.unsupportedVersion(location, version);
    }
  }

  // ---- plumbing -------------------------------------------------------------------------

  /** Runs an operation unless closed, and lets `close()` wait for it. */
  private track<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(STORE_ERRORS.closed(this.location));
    const running = operation();
    this.inflight.add(running);
    const forget = () => this.inflight.delete(running);
    running.then(forget, forget);
    return running;
  }

  private async io<T>(operation: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw STORE_ERRORS.io.withCause(err, this.location, operation, err);
    }
  }

  private emit(change: StoreChange): void {
    this.listeners.emit(change);
  }

  private parse(key: string, text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw STORE_ERRORS.badRecord(this.location, key, 'not JSON');
    }
  }

  /** One record, `undefined` when absent; an undecodable one throws `badRecord`. */
  private async read<T>(key: string, decode: (raw: unknown) => T | string): Promise<T | undefined> {
    const text = await this.io(`get ${key}`, () => this.db.get(key));
    if (text === undefined) return undefined;
    const value = decode(this.parse(key, text));
    if (typeof value === 'string') throw STORE_ERRORS.badRecord(this.location, key, value);
    return value;
  }

  /** Every decodable record of a range, in key order; unreadable ones are logged and skipped. */
  private async scan<T>(
    range: KeyRange & { reverse?: boolean; limit?: number },
    decode: (raw: unknown) => T | string,
  ): Promise<Array<{ key: string; value: T }>> {
    const out: Array<{ key: string; value: T }> = [];
    await this.io('list', async () => {
      for await (const [key, text] of this.db.iterator(range)) {
        let value: T | string;
        try {
          value = decode(JSON.parse(text) as unknown);
        } catch {
          value = 'not JSON';
        }
        if (typeof value === 'string') {
          this.logger.warn(`skipping unreadable record ${key}: ${value}`);
          continue;
        }
        out.push({ key, value });
      }
    });
    return out;
  }

  /** Every key of a range, in key order. */
  private async keysOf(range: KeyRange): Promise<string[]> {
    return this.io('list', () => this.db.keys(range).all());
  }

  /**
   * The history operations of a status write (`WriteOptions.history`): when it finishes a
   * run, append the run's record after the newest one, and delete every record beyond the
   * newest `keep`. Reads two bounded ranges: the newest key, and the keys below the window
   * (normally none or one; more only once after `keep` was lowered).
   */
  private async historyOps(
    workerId: string,
    mirror: string,
    previous: MirrorStatus | undefined,
    status: MirrorStatus,
    keep: number,
  ): Promise<BatchOp[]> {
    const result = finishedRun(previous?.status, status.status);
    if (result === undefined) return [];
    const range = mirrorHistoryRange(workerId, mirror);
    const [newest] = await this.io('list', () =>
      this.db.keys({ ...range, reverse: true, limit: 1 }).all(),
    );
    const last = newest === undefined ? 0 : parseHistorySeq(newest);
    if (last === undefined) {
      throw STORE_ERRORS.badRecord(this.location, newest as string, 'not a history key');
    }
    const seq = last + 1;
    const ops: BatchOp[] = [];
    if (keep > 0) {
      const key = historyKey(workerId, mirror, seq);
      ops.push({ type: 'put', key, value: JSON.stringify(runRecordOf(status, result)) });
    }
    // Records older than the window [seq - keep + 1, seq] go.
    const oldest = seq - Math.max(keep, 0) + 1;
    if (oldest > 1) {
      const stale = await this.keysOf({ gte: range.gte, lt: historyKey(workerId, mirror, oldest) });
      for (const key of stale) ops.push({ type: 'del', key });
    }
    return ops;
  }

  /** Writes a status (with its history operations, atomically) and tells the listeners. */
  private async writeStatus(
    key: string,
    workerId: string,
    mirror: string,
    status: MirrorStatus,
    previous: MirrorStatus | undefined,
    options: WriteOptions | undefined,
  ): Promise<MirrorStatus> {
    const sync = options?.sync ?? isTerminal(status);
    const value = JSON.stringify(status);
    const history =
      options?.history === undefined
        ? []
        : await this.historyOps(workerId, mirror, previous, status, options.history);
    await this.io(`put ${key}`, () =>
      history.length === 0
        ? this.db.put(key, value, { sync })
        : this.db.batch([{ type: 'put', key, value }, ...history], { sync }),
    );
    const stored = structuredClone(status);
    this.emit({ kind: 'status-put', workerId, mirror, status: structuredClone(stored) });
    return stored;
  }

  private async writeWorker(
    worker: WorkerStatus,
    options: WriteOptions | undefined,
  ): Promise<WorkerStatus> {
    const key = workerKey(worker.id);
    await this.io(`put ${key}`, () =>
      this.db.put(key, JSON.stringify(worker), { sync: options?.sync ?? false }),
    );
    this.emit({ kind: 'worker-put', worker: structuredClone(worker) });
    return structuredClone(worker);
  }

  // ---- workers ----------------------------------------------------------------------------

  listWorkers(): Promise<WorkerStatus[]> {
    return this.track(async () =>
      (await this.scan(WORKER_RANGE, decodeWorkerStatus)).map((r) => r.value),
    );
  }

  getWorker(workerId: string): Promise<WorkerStatus | undefined> {
    return this.track(() => this.read(workerKey(workerId), decodeWorkerStatus));
  }

  putWorker(worker: WorkerStatus, options?: WriteOptions): Promise<WorkerStatus> {
    const copy = structuredClone(worker);
    return this.track(() =>
      this.mutex.run(workerKey(copy.id), () => this.writeWorker(copy, options)),
    );
  }

  deleteWorker(workerId: string, options?: DeleteWorkerOptions): Promise<boolean> {
    const key = workerKey(workerId);
    return this.track(() =>
      this.mutex.run(key, async () => {
        const existing = await this.io(`get ${key}`, () => this.db.get(key));
        const history = await this.keysOf(workerHistoryRange(workerId));
        const statuses =
          options?.purge === true ? await this.keysOf(workerStatusRange(workerId)) : [];
        const ops: BatchOp[] = [...history, ...statuses].map((k) => ({ type: 'del', key: k }));
        if (existing !== undefined) ops.push({ type: 'del', key });
        if (ops.length > 0) await this.io(`del ${key}`, () => this.db.batch(ops));
        for (const status of statuses) {
          const ids = parseStatusKey(status);
          /* istanbul ignore next: every key of a status range parses */
          if (ids) this.emit({ kind: 'status-delete', workerId: ids[0], mirror: ids[1] });
        }
        if (existing === undefined) return false;
        this.emit({ kind: 'worker-delete', workerId });
        return true;
      }),
    );
  }

  refreshWorker(workerId: string, lastOnline: Rfc3339): Promise<WorkerStatus | undefined> {
    const key = workerKey(workerId);
    return this.track(() =>
      this.mutex.run(key, async () => {
        const current = await this.read(key, decodeWorkerStatus);
        if (!current) return undefined;
        return this.writeWorker({ ...current, last_online: lastOnline }, undefined);
      }),
    );
  }

  // ---- mirror statuses ------------------------------------------------------------------

  getMirrorStatus(workerId: string, mirror: string): Promise<MirrorStatus | undefined> {
    return this.track(() => this.read(statusKey(workerId, mirror), decodeMirrorStatus));
  }

  putMirrorStatus(
    workerId: string,
    mirror: string,
    status: MirrorStatus,
    options?: WriteOptions,
  ): Promise<MirrorStatus> {
    const key = statusKey(workerId, mirror);
    const copy = structuredClone(status);
    return this.track(() =>
      this.mutex.run(key, async () => {
        // The stored status decides whether this write finishes a run; read only when needed.
        const previous =
          options?.history === undefined ? undefined : await this.read(key, decodeMirrorStatus);
        return this.writeStatus(key, workerId, mirror, copy, previous, options);
      }),
    );
  }

  updateMirrorStatus(
    workerId: string,
    mirror: string,
    update: StatusUpdater,
    options?: WriteOptions,
  ): Promise<MirrorStatus | undefined> {
    const key = statusKey(workerId, mirror);
    return this.track(() =>
      this.mutex.run(key, async () => {
        const current = await this.read(key, decodeMirrorStatus);
        const next = update(current);
        if (next === undefined) return current;
        return this.writeStatus(key, workerId, mirror, structuredClone(next), current, options);
      }),
    );
  }

  listMirrorStatuses(workerId: string): Promise<MirrorStatus[]> {
    return this.track(async () =>
      (await this.scan(workerStatusRange(workerId), decodeMirrorStatus)).map((r) => r.value),
    );
  }

  listAllMirrorStatuses(): Promise<MirrorStatus[]> {
    return this.track(async () =>
      (await this.scan(STATUS_RANGE, decodeMirrorStatus)).map((r) => r.value),
    );
  }

  listAllMirrorStatusEntries(): Promise<MirrorStatusEntry[]> {
    return this.track(async () =>
      (await this.scan(STATUS_RANGE, decodeMirrorStatus)).flatMap(({ key, value }) => {
        const ids = parseStatusKey(key);
        /* istanbul ignore next: every key of STATUS_RANGE parses */
        if (!ids) return [];
        return [{ workerId: ids[0], mirror: ids[1], status: value }];
      }),
    );
  }

  flushDisabled(): Promise<number> {
    const flushable = (s: MirrorStatus) => s.status === 'disabled' || s.name === '';
    return this.track(async () => {
      const candidates = (await this.scan(STATUS_RANGE, decodeMirrorStatus)).filter((r) =>
        flushable(r.value),
      );
      let removed = 0;
      for (const { key } of candidates) {
        const ids = parseStatusKey(key);
        /* istanbul ignore next: every key of STATUS_RANGE parses */
        if (!ids) continue;
        // Re-check under the lock: a report may have changed it since the scan.
        const deleted = await this.mutex.run(key, async () => {
          const current = await this.read(key, decodeMirrorStatus);
          if (!current || !flushable(current)) return false;
          const history = await this.keysOf(mirrorHistoryRange(ids[0], ids[1]));
          const ops: BatchOp[] = [key, ...history].map((k) => ({ type: 'del', key: k }));
          await this.io(`del ${key}`, () => this.db.batch(ops));
          this.emit({ kind: 'status-delete', workerId: ids[0], mirror: ids[1] });
          return true;
        });
        if (deleted) removed += 1;
      }
      return removed;
    });
  }

  // ---- run history -----------------------------------------------------------------------

  listRunHistory(workerId: string, mirror: string, limit?: number): Promise<RunRecord[]> {
    return this.track(async () => {
      // LevelDB reads a negative limit as "no limit": anything below 1 is no record.
      if (limit !== undefined && !(limit >= 1)) return [];
      const range = {
        ...mirrorHistoryRange(workerId, mirror),
        reverse: true,
        ...(limit === undefined ? {} : { limit: Math.floor(limit) }),
      };
      return (await this.scan(range, decodeRunRecord)).map((r) => r.value);
    });
  }

  // ---- lifecycle -------------------------------------------------------------------------

  onChange(listener: StoreListener): () => void {
    return this.listeners.add(listener);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        await Promise.allSettled([...this.inflight]);
        this.listeners.clear();
        await this.db.close();
        this.logger.debug(`database ${this.location} closed`);
      })();
    }
    return this.closing;
  }
}
