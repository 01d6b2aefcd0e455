import { parseRfc3339OrZero, toWebMirrorStatus } from '@tunasync/api-types';
import type { MirrorStatus, WebMirrorStatus, WorkerStatus } from '@tunasync/api-types';
import type { MirrorStatusEntry, StoreChange } from '@tunasync/store';

/** A `/jobs` item with the worker fields added when a consumer asks for them (§7.3). */
export interface WebMirrorStatusWithWorker extends WebMirrorStatus {
  worker: string;
  worker_online: boolean;
}

function keyOf(workerId: string, mirror: string): string {
  return JSON.stringify([workerId, mirror]);
}

/**
 * Every mirror status and worker in memory, kept coherent with the store by applying each
 * `StoreChange` as it is stored. `GET /jobs` is answered from a body rendered once per
 * change, not from a store scan per request.
 */
export class JobsSnapshot {
  private readonly statuses = new Map<string, MirrorStatus>();
  private readonly workers = new Map<string, WorkerStatus>();
  private body: Buffer | undefined;
  private sorted: MirrorStatus[] | undefined;
  private generation = 0;
  private readonly bootId = Date.now().toString(36);

  constructor(statuses: MirrorStatusEntry[], workers: WorkerStatus[]) {
    for (const e of statuses) this.statuses.set(keyOf(e.workerId, e.mirror), e.status);
    for (const w of workers) this.workers.set(w.id, w);
  }

  /** Applies one stored change. */
  apply(change: StoreChange): void {
    switch (change.kind) {
      case 'status-put':
        this.statuses.set(keyOf(change.workerId, change.mirror), change.status);
        this.invalidate();
        break;
      case 'status-delete':
        this.statuses.delete(keyOf(change.workerId, change.mirror));
        this.invalidate();
        break;
      case 'worker-put':
        this.workers.set(change.worker.id, change.worker);
        break;
      case 'worker-delete':
        this.workers.delete(change.workerId);
        break;
    }
  }

  private invalidate(): void {
    this.body = undefined;
    this.sorted = undefined;
    this.generation += 1;
  }

  /** Statuses ordered by mirror name, then worker (sorted at most once per change). */
  ordered(): readonly MirrorStatus[] {
    this.sorted ??= [...this.statuses.values()].sort((a, b) =>
      a.name === b.name ? (a.worker < b.worker ? -1 : 1) : a.name < b.name ? -1 : 1,
    );
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
    this.body ??= Buffer.from(JSON.stringify(this.ordered().map(toWebMirrorStatus)), 'utf8');
    return this.body;
  }

  /** A validator that changes whenever the body does (and across restarts). */
  etag(): string {
    return `W/"${this.bootId}-${this.generation}"`;
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

  /** `/jobs` items with `worker` and `worker_online` (rendered per request). */
  jobsWithWorkers(now: Date, offlineAfterMs: number): WebMirrorStatusWithWorker[] {
    return this.ordered().map((s) => ({
      ...toWebMirrorStatus(s),
      worker: s.worker,
      worker_online: this.isOnline(s.worker, now, offlineAfterMs),
    }));
  }

  get size(): number {
    return this.statuses.size;
  }
}
