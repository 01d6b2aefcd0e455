import {
  finishedRun,
  formatRfc3339,
  isStaleMirror,
  isZeroTime,
  parseRfc3339OrZero,
} from '@tunasync/api-types';
import type { MirrorStatus, StaleAfter, WorkerStatus } from '@tunasync/api-types';
import type { MirrorStatusEntry, StoreChange } from '@tunasync/store';
import type { AlertEvent } from './alert-event';

export interface EventTrackerOptions {
  /** The stale rule's `stale_after` (`isStaleMirror` of @tunasync/api-types). */
  staleAfter: StaleAfter;
  /** `worker_offline_after` in milliseconds; 0: workers are never offline. */
  offlineAfterMs: number;
}

interface MirrorState {
  status: MirrorStatus;
  /** Failed runs in a row. */
  failures: number;
  stale: boolean;
}

interface WorkerState {
  worker: WorkerStatus;
  offline: boolean;
}

function keyOf(workerId: string, mirror: string): string {
  return JSON.stringify([workerId, mirror]);
}

function known(time: string): string | undefined {
  return isZeroTime(parseRfc3339OrZero(time)) ? undefined : time;
}

/**
 * Derives the alert events from the statuses the manager stores, once per change of state:
 * `failed` / `recovered` when a write finishes a run, `stale`, `worker-offline` and
 * `worker-online` at each `sweep`. Event ids are deterministic (what happened, and the
 * stored time it happened at), so every manager and every restart derives the same ids.
 * Pure: time comes in as arguments.
 */
export class EventTracker {
  private readonly mirrors = new Map<string, MirrorState>();
  private readonly workers = new Map<string, WorkerState>();

  constructor(private readonly options: EventTrackerOptions) {}

  /** The state at start: the stored statuses with their failures in a row, and the workers. */
  seed(
    entries: ReadonlyArray<MirrorStatusEntry & { failures: number }>,
    workers: readonly WorkerStatus[],
  ): void {
    for (const e of entries) {
      this.mirrors.set(keyOf(e.workerId, e.mirror), {
        status: e.status,
        failures: e.failures,
        stale: false,
      });
    }
    for (const worker of workers) this.workers.set(worker.id, { worker, offline: false });
  }

  observe(change: StoreChange, now: Date): AlertEvent[] {
    switch (change.kind) {
      case 'status-put':
        return this.statusPut(change.workerId, change.mirror, change.status);
      case 'status-delete':
        this.mirrors.delete(keyOf(change.workerId, change.mirror));
        return [];
      case 'worker-put':
        return this.workerPut(change.worker, now);
      case 'worker-delete':
        this.workers.delete(change.workerId);
        return [];
    }
  }

  private statusPut(workerId: string, mirror: string, status: MirrorStatus): AlertEvent[] {
    const key = keyOf(workerId, mirror);
    const state = this.mirrors.get(key) ?? { status, failures: 0, stale: false };
    const previous = this.mirrors.has(key) ? state.status : undefined;
    this.mirrors.set(key, state);
    state.status = status;
    const run = finishedRun(previous?.status, status.status);
    // The same finishing report twice (a retried delivery) is one run.
    if (run === undefined || previous?.last_ended === status.last_ended) return [];
    const base = {
      time: status.last_ended,
      worker: workerId,
      mirror,
      status: status.status,
      upstream: status.upstream,
      ...(known(status.last_update) === undefined ? {} : { last_success: status.last_update }),
    };
    if (run === 'failed') {
      state.failures += 1;
      return [
        {
          ...base,
          id: `failed/${key}/${status.last_ended}`,
          event: 'failed',
          error: status.error_msg,
          consecutive_failures: state.failures,
        },
      ];
    }
    state.stale = false;
    const failures = state.failures;
    state.failures = 0;
    if (failures === 0) return [];
    return [
      {
        ...base,
        id: `recovered/${key}/${status.last_ended}`,
        event: 'recovered',
        consecutive_failures: failures,
      },
    ];
  }

  private isOffline(worker: WorkerStatus, now: Date): boolean {
    if (this.options.offlineAfterMs <= 0) return false;
    const seen = parseRfc3339OrZero(worker.last_online).getTime();
    return now.getTime() - seen > this.options.offlineAfterMs;
  }

  private workerEvent(
    worker: WorkerStatus,
    event: 'worker-offline' | 'worker-online',
    now: Date,
  ): AlertEvent {
    return {
      id: `${event}/${JSON.stringify(worker.id)}/${worker.last_online}`,
      event,
      time: event === 'worker-online' ? worker.last_online : formatRfc3339(now),
      worker: worker.id,
      last_online: worker.last_online,
    };
  }

  private workerPut(worker: WorkerStatus, now: Date): AlertEvent[] {
    const state = this.workers.get(worker.id);
    this.workers.set(worker.id, { worker, offline: state?.offline ?? false });
    if (state?.offline !== true || this.isOffline(worker, now)) return [];
    (this.workers.get(worker.id) as WorkerState).offline = false;
    return [this.workerEvent(worker, 'worker-online', now)];
  }

  /** The time-driven events at `now`: mirrors that became stale, workers gone or back. */
  sweep(now: Date): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const [key, state] of this.mirrors) {
      const stale = isStaleMirror(state.status, now, this.options.staleAfter);
      if (stale && !state.stale) {
        const [workerId, mirror] = JSON.parse(key) as [string, string];
        events.push({
          id: `stale/${key}/${state.status.last_update}`,
          event: 'stale',
          time: formatRfc3339(now),
          worker: workerId,
          mirror,
          status: state.status.status,
          upstream: state.status.upstream,
          last_success: state.status.last_update,
        });
      }
      state.stale = stale;
    }
    for (const state of this.workers.values()) {
      const offline = this.isOffline(state.worker, now);
      if (offline !== state.offline) {
        events.push(
          this.workerEvent(state.worker, offline ? 'worker-offline' : 'worker-online', now),
        );
      }
      state.offline = offline;
    }
    return events;
  }
}
