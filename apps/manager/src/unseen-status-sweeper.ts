import { isZeroTime, parseRfc3339OrZero, silentLogger } from '@tunasync/api-types';
import type { Logger, MirrorStatus } from '@tunasync/api-types';
import type { Store } from '@tunasync/store';

export interface UnseenStatusSweeperOptions {
  store: Store;
  /** `drop_unseen_after` in milliseconds (> 0). */
  dropAfterMs: number;
  clock?: () => Date;
  logger?: Logger;
  /** How often to sweep (ms); default a minute; 0: only when `sweep()` is called. */
  intervalMs?: number;
}

function ms(text: string): number {
  const date = parseRfc3339OrZero(text);
  return isZeroTime(date) ? 0 : date.getTime();
}

/** The newest time a status shows its worker was alive. */
function lastSign(status: MirrorStatus): number {
  return Math.max(ms(status.last_update), ms(status.last_started), ms(status.last_ended));
}

/**
 * `[server] drop_unseen_after` (issue #18): drops the mirror statuses (and run history) of
 * workers not heard from for that long: a registered worker by its `last_online` (its
 * registration stays: it may come back), a deleted one by the newest time in its statuses.
 */
export class UnseenStatusSweeper {
  private readonly clock: () => Date;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;

  constructor(private readonly options: UnseenStatusSweeperOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? silentLogger;
  }

  /** A first sweep now (a manager started after a long stop drops at once), then one per interval. */
  start(): void {
    const interval = this.options.intervalMs ?? 60_000;
    if (interval <= 0) return;
    const sweep = () => {
      this.sweep().catch((err: unknown) => {
        this.logger.error(`dropping unseen statuses: ${(err as Error).message}`);
      });
    };
    sweep();
    this.timer = setInterval(sweep, interval);
    this.timer.unref();
  }

  /** One sweep at the clock's now; the ids of the workers whose statuses were dropped. */
  sweep(): Promise<string[]> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<string[]> {
    const { store, dropAfterMs } = this.options;
    const now = this.clock().getTime();
    const [entries, workers] = await Promise.all([
      store.listAllMirrorStatusEntries(),
      store.listWorkers(),
    ]);
    const registered = new Map(workers.map((w) => [w.id, w]));
    const seen = new Map<string, number>();
    for (const e of entries) {
      const worker = registered.get(e.workerId);
      const sign = worker === undefined ? lastSign(e.status) : ms(worker.last_online);
      seen.set(e.workerId, Math.max(seen.get(e.workerId) ?? 0, sign));
    }
    const dropped: string[] = [];
    for (const [id, last] of seen) {
      if (now - last <= dropAfterMs) continue;
      const worker = registered.get(id);
      const count = entries.filter((e) => e.workerId === id).length;
      await store.deleteWorker(id, { purge: true });
      if (worker !== undefined) await store.putWorker(worker, { sync: true });
      dropped.push(id);
      this.logger.info(
        `dropped the ${count} mirror status(es) of worker <${id}>, ${
          worker === undefined ? 'deleted' : 'registered'
        } and not seen for more than ${Math.round(dropAfterMs / 1000)} s (drop_unseen_after)`,
        { worker: id },
      );
    }
    return dropped;
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    return (this.running ?? Promise.resolve([])).then(() => undefined);
  }
}
