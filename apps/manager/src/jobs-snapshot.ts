import {
  isZeroTime,
  parseRfc3339OrZero,
  staleLimitMs,
  toWebMirrorStatus,
} from '@tunasync/api-types';
import type {
  MirrorStatus,
  StaleAfter,
  StaleRuleSchedule,
  WebMirrorStatus,
  WorkerStatus,
} from '@tunasync/api-types';
import type { MirrorStatusEntry, StoreChange } from '@tunasync/store';
import { KeyedBytes } from './keyed-bytes';
import { progressFields, webProgressFields } from './mirror-progress';
import type {
  MirrorProgress,
  MirrorProgressFields,
  WebMirrorProgressFields,
} from './mirror-progress';

/** A `/jobs` item: the compatible fields, plus progress while the mirror syncs (§7.9). */
export type WebJob = WebMirrorStatus & Partial<WebMirrorProgressFields>;

/**
 * A `/jobs` item with the worker fields added when a consumer asks for them (§7.3), and the
 * operator's extras: whether the mirror is stale (§7.13) and its last error.
 */
export type WebMirrorStatusWithWorker = WebJob & {
  worker: string;
  worker_online: boolean;
  stale: boolean;
  error_msg: string;
};

/**
 * A `/workers/:id/jobs` item: the stored status, progress when syncing, and `stale: true`
 * when stale (absent otherwise, so that a fresh mirror's item is its stored status).
 */
export type WorkerJob = MirrorStatus & Partial<MirrorProgressFields> & { stale?: true };

/** What the stale rule (§7.13) reads of a status, and what it was computed with. */
interface StaleInputs {
  generation: number;
  staleAfter: StaleAfter;
  /** Unix ms of the last success; undefined for none. */
  success: number | undefined;
  limit: number | undefined;
}

function keyOf(workerId: string, mirror: string): string {
  return JSON.stringify([workerId, mirror]);
}

/**
 * Every mirror status and worker in memory, kept coherent with the store by applying each
 * `StoreChange` as it is stored, and the live progress of syncing mirrors (§7.9, memory
 * only). `GET /jobs` is answered from a body rendered once per change, not from a store
 * scan per request.
 *
 * Progress is shown only while the mirror's status is `syncing`. It is dropped when a stored
 * status of that mirror changes its status (or is deleted) and when its worker is deleted.
 */
export class JobsSnapshot {
  private readonly statuses = new Map<string, MirrorStatus>();
  private readonly workers = new Map<string, WorkerStatus>();
  private readonly progress = new Map<string, MirrorProgress>();
  /** What workers said of their mirrors' schedules (interval, timeout: §7.13), memory only. */
  private readonly schedules = new Map<string, StaleRuleSchedule>();
  private scheduleGeneration = 0;
  private body: Buffer | undefined;
  /** The keys of `statuses` in `/jobs` order; kept while no status comes, goes or is renamed. */
  private sortedKeys: string[] | undefined;
  private sorted: MirrorStatus[] | undefined;
  /**
   * The `/jobs` body as the bytes of each status's item (the only copy of them): an item is
   * rendered again only when it changes.
   */
  private readonly items = new KeyedBytes(1, ',', '[', ']');
  private generation = 0;
  private statusGeneration = 0;
  private bodyRenders = 0;
  private readonly bootId = Date.now().toString(36);
  /** The last `/jobs?with_worker=1` body, its key and until when it holds. */
  private withWorkers: { key: string; until: number; body: Buffer } | undefined;

  /**
   * What the stale rule reads of each status object (a stored change replaces the object):
   * its last success and its limit, as of a schedule generation and `staleAfter`, so that
   * the rule costs no time parsing per mirror on every render.
   */
  private readonly staleInputs = new WeakMap<MirrorStatus, StaleInputs>();

  /** `stale_after` (§7.13), for the `stale` extras. */
  staleAfter: StaleAfter = 'auto';

  constructor(statuses: MirrorStatusEntry[], workers: WorkerStatus[]) {
    for (const e of statuses) this.statuses.set(keyOf(e.workerId, e.mirror), e.status);
    for (const w of workers) this.workers.set(w.id, w);
  }

  /** Applies one stored change. */
  apply(change: StoreChange): void {
    switch (change.kind) {
      case 'status-put': {
        const key = keyOf(change.workerId, change.mirror);
        const before = this.statuses.get(key);
        if (before?.status !== change.status.status) this.progress.delete(key);
        this.statuses.set(key, change.status);
        this.items.invalidate(key);
        const moved = before?.name !== change.status.name || before.worker !== change.status.worker;
        if (moved) this.sortedKeys = undefined;
        this.invalidate(true);
        break;
      }
      case 'status-delete': {
        const key = keyOf(change.workerId, change.mirror);
        this.progress.delete(key);
        this.schedules.delete(key);
        this.statuses.delete(key);
        this.items.invalidate(key);
        this.sortedKeys = undefined;
        this.invalidate(true);
        break;
      }
      case 'worker-put':
        this.workers.set(change.worker.id, change.worker);
        break;
      case 'worker-delete': {
        this.workers.delete(change.workerId);
        const prefix = keyOf(change.workerId, '').slice(0, -3); // `["<id>",`
        let dropped = false;
        for (const key of this.progress.keys()) {
          if (key.startsWith(prefix) && this.progress.delete(key)) {
            this.items.invalidate(key);
            dropped = true;
          }
        }
        if (dropped) this.invalidate(false);
        break;
      }
    }
  }

  private invalidate(statuses: boolean): void {
    this.body = undefined;
    this.generation += 1;
    if (!statuses) return;
    this.sorted = undefined;
    this.statusGeneration += 1;
  }

  /** The stored status of a mirror of a worker, if any. */
  status(workerId: string, mirror: string): MirrorStatus | undefined {
    return this.statuses.get(keyOf(workerId, mirror));
  }

  /**
   * Records the latest progress of a mirror (§7.9): a change of `/jobs` like a status change
   * (the body is rendered again on the next request, once). Kept only while the mirror's
   * stored status is `syncing`: otherwise nothing is recorded and `false` is returned.
   */
  setProgress(workerId: string, mirror: string, progress: MirrorProgress): boolean {
    const key = keyOf(workerId, mirror);
    if (this.statuses.get(key)?.status !== 'syncing') return false;
    this.progress.set(key, { ...progress });
    this.items.invalidate(key);
    this.invalidate(false);
    return true;
  }

  /** The progress shown for a status: only while it is `syncing` and progress is known. */
  progressOf(status: MirrorStatus): MirrorProgress | undefined {
    if (status.status !== 'syncing') return undefined;
    return this.progress.get(keyOf(status.worker, status.name));
  }

  /**
   * A `/workers/:id/jobs` item: the stored status, then the progress fields when there are
   * some, then `stale: true` when it is stale at `now`.
   */
  item(status: MirrorStatus, now: Date): WorkerJob {
    const progress = this.progressOf(status);
    const item: WorkerJob =
      progress === undefined ? status : { ...status, ...progressFields(progress) };
    return this.isStale(status, now) ? { ...item, stale: true } : item;
  }

  /**
   * Records what a worker's schedule list said of a mirror (`interval_seconds`,
   * `timeout_seconds` of tunasync-ts workers) for the stale rule; nothing when it said
   * nothing (a Go worker: the interval is then inferred from the status).
   */
  setSchedule(workerId: string, mirror: string, schedule: StaleRuleSchedule): void {
    const key = keyOf(workerId, mirror);
    const before = this.schedules.get(key);
    if (
      before?.intervalSeconds === schedule.intervalSeconds &&
      before?.timeoutSeconds === schedule.timeoutSeconds
    ) {
      return;
    }
    if (schedule.intervalSeconds === undefined && schedule.timeoutSeconds === undefined) {
      this.schedules.delete(key);
    } else {
      this.schedules.set(key, { ...schedule });
    }
    this.scheduleGeneration += 1;
  }

  /** What the stale rule knows of a mirror's schedule. */
  scheduleOf(status: MirrorStatus): StaleRuleSchedule {
    return this.schedules.get(keyOf(status.worker, status.name)) ?? {};
  }

  /** A key that changes whenever a mirror's known schedule does (for rendered caches). */
  get scheduleKey(): number {
    return this.scheduleGeneration;
  }

  /**
   * Whether a mirror is stale at `now`: `isStaleMirror` with this manager's `stale_after`,
   * from the inputs kept per status object.
   */
  isStale(status: MirrorStatus, now: Date): boolean {
    if (status.status === 'disabled') return false;
    const { success, limit } = this.staleInputsOf(status);
    return success !== undefined && limit !== undefined && now.getTime() - success > limit;
  }

  private staleInputsOf(status: MirrorStatus): StaleInputs {
    const cached = this.staleInputs.get(status);
    if (
      cached !== undefined &&
      cached.generation === this.scheduleGeneration &&
      cached.staleAfter === this.staleAfter
    ) {
      return cached;
    }
    const success = parseRfc3339OrZero(status.last_update);
    const inputs: StaleInputs = {
      generation: this.scheduleGeneration,
      staleAfter: this.staleAfter,
      success: isZeroTime(success) ? undefined : success.getTime(),
      limit: staleLimitMs(status, this.staleAfter, this.scheduleOf(status)),
    };
    this.staleInputs.set(status, inputs);
    return inputs;
  }

  /** A `/jobs` item: the compatible fields, then the progress fields when there are some. */
  webItem(status: MirrorStatus): WebJob {
    const web = toWebMirrorStatus(status);
    const progress = this.progressOf(status);
    return progress === undefined ? web : { ...web, ...webProgressFields(progress) };
  }

  /**
   * The keys of the statuses (`["<worker>","<mirror>"]`) ordered by mirror name, then worker,
   * as `ordered()`: sorted again only when a
   * status comes, goes or changes its name or worker, not when a report changes its fields.
   */
  orderedKeys(): readonly string[] {
    this.sortedKeys ??= [...this.statuses.entries()]
      .sort(([, a], [, b]) =>
        a.name === b.name ? (a.worker < b.worker ? -1 : 1) : a.name < b.name ? -1 : 1,
      )
      .map(([key]) => key);
    return this.sortedKeys;
  }

  /** Statuses ordered by mirror name, then worker (listed at most once per change). */
  ordered(): readonly MirrorStatus[] {
    this.sorted ??= this.orderedKeys().map((key) => this.statuses.get(key) as MirrorStatus);
    return this.sorted;
  }

  /** Every registered worker, ordered by id. */
  workerList(): WorkerStatus[] {
    return [...this.workers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * The UTF-8 bytes of `GET /jobs`, rendered and encoded at most once per change (a Buffer, so
   * that serving it does not encode megabytes of text again per request).
   */
  jobsBody(): Buffer {
    if (this.body === undefined) {
      // The bytes of `JSON.stringify(items)`, from the items kept rendered: a report renders
      // its own item again, not the 10,000 others.
      const [body] = this.items.build(this.orderedKeys(), (key) => [
        JSON.stringify(this.webItem(this.statuses.get(key) as MirrorStatus)),
      ]);
      this.body = body as Buffer;
      this.bodyRenders += 1;
    }
    return this.body;
  }

  /** How many times the `/jobs` body was rendered (not answered from the cache). */
  get renders(): number {
    return this.bodyRenders;
  }

  /** A validator that changes whenever the body does (and across restarts). */
  etag(): string {
    return `W/"${this.bootId}-${this.generation}"`;
  }

  /** Like `etag()`, but changes only with the statuses themselves, not with progress. */
  statusEtag(): string {
    return `W/"${this.bootId}-s${this.statusGeneration}"`;
  }

  /** Whether a worker was heard from within `offlineAfterMs` of `now` (0: always online). */
  isOnline(workerId: string, now: Date, offlineAfterMs: number): boolean {
    const worker = this.workers.get(workerId);
    if (!worker) return false;
    if (offlineAfterMs <= 0) return true;
    return now.getTime() - parseRfc3339OrZero(worker.last_online).getTime() <= offlineAfterMs;
  }

  /**
   * A key that changes whenever a `worker_online` value of `jobsWithWorkers` would: the ids
   * of the workers online at `now`. Cheap (no status is read), for caches of rendered pages.
   */
  onlineKey(now: Date, offlineAfterMs: number): string {
    const online = [...this.workers.keys()].filter((id) => this.isOnline(id, now, offlineAfterMs));
    return JSON.stringify(online.sort());
  }

  /** `/jobs` items with `worker`, `worker_online`, `stale` and `error_msg` (per request). */
  jobsWithWorkers(now: Date, offlineAfterMs: number): WebMirrorStatusWithWorker[] {
    return this.ordered().map((s) => this.jobWithWorker(s, now, offlineAfterMs));
  }

  /** One item of `jobsWithWorkers`. */
  jobWithWorker(s: MirrorStatus, now: Date, offlineAfterMs: number): WebMirrorStatusWithWorker {
    return {
      ...this.webItem(s),
      worker: s.worker,
      worker_online: this.isOnline(s.worker, now, offlineAfterMs),
      stale: this.isStale(s, now),
      error_msg: s.error_msg,
    };
  }

  /**
   * When the next mirror turns stale after `now` (Unix ms; Infinity: none will without a
   * change): until then every `stale` value stays as it is at `now`.
   */
  nextStaleChange(now: Date): number {
    let until = Infinity;
    for (const s of this.statuses.values()) {
      if (s.status === 'disabled') continue;
      const { success, limit } = this.staleInputsOf(s);
      if (success === undefined || limit === undefined) continue;
      const at = success + limit;
      if (at >= now.getTime()) until = Math.min(until, at);
    }
    return until;
  }

  /**
   * The UTF-8 bytes of `GET /jobs?with_worker=1`, rendered again only when a status, the set
   * of online workers or a mirror's staleness changed since the last render.
   */
  jobsWithWorkersBody(now: Date, offlineAfterMs: number): Buffer {
    const key = `${this.etag()}|${this.scheduleGeneration}|${this.onlineKey(now, offlineAfterMs)}`;
    const cached = this.withWorkers;
    if (cached !== undefined && cached.key === key && now.getTime() <= cached.until) {
      return cached.body;
    }
    const body = Buffer.from(JSON.stringify(this.jobsWithWorkers(now, offlineAfterMs)), 'utf8');
    this.withWorkers = { key, until: this.nextStaleChange(now), body };
    return body;
  }

  get size(): number {
    return this.statuses.size;
  }
}
