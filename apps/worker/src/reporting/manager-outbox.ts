import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger, MirrorSchedules, MirrorStatus } from '@tunasync/api-types';
import { ManagerHttpError, OutboxClosedError } from '../errors';
import { Backoff, type BackoffOptions } from './backoff';
import { DurableQueue } from './durable-queue';
import type { ManagerClient } from './manager-client';

const SCHEDULES = 'schedules.json';

/** One stored report. */
export interface StatusReport {
  kind: 'status';
  body: MirrorStatus;
}

export interface ManagerOutboxOptions {
  /** Directory of this manager's queue (created if needed). */
  dir: string;
  client: ManagerClient;
  logger: Logger;
  backoff?: BackoffOptions;
  /**
   * Called when the manager answers `invalid workerID` (it lost its database): register
   * again and enqueue the current status of every mirror. The failed report is then sent
   * again.
   */
  onUnknownWorker?: () => Promise<void>;
}

/**
 * The durable outbox of one manager (SPEC §7.2): every status report is written to disk
 * before it is sent, reports are delivered one at a time in order, a report is removed
 * only after a 2xx, and while the manager is unreachable the head is retried with an
 * abortable back-off. Schedules are coalesced: only the latest list is kept (on disk too)
 * and sent once no status report is waiting.
 */
export class ManagerOutbox {
  private queue: DurableQueue<StatusReport> | undefined;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private schedules: { version: number; body: MirrorSchedules } | undefined;
  private scheduleVersion = 0;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private failing = false;
  private closed = false;

  constructor(private readonly options: ManagerOutboxOptions) {
    this.backoff = new Backoff(options.backoff);
  }

  get apiBase(): string {
    return this.options.client.apiBase;
  }

  /** Reports stored and not yet acknowledged. */
  get pending(): number {
    return (this.queue?.length ?? 0) + (this.schedules ? 1 : 0);
  }

  /** The stored reports, oldest first (for diagnostics and tests). */
  pendingReports(): MirrorStatus[] {
    return this.queue?.items().map((r) => r.body) ?? [];
  }

  /** Opens the queue, picks up what a previous life left, and starts delivering. */
  async start(): Promise<void> {
    if (this.queue !== undefined) return;
    this.queue = await DurableQueue.open<StatusReport>(this.options.dir, this.options.logger);
    try {
      const body = JSON.parse(
        await readFile(path.join(this.options.dir, SCHEDULES), 'utf8'),
      ) as MirrorSchedules;
      this.schedules = { version: ++this.scheduleVersion, body };
    } catch {
      // no schedule waiting
    }
    if (this.queue.length > 0) {
      this.options.logger.info(
        `${this.queue.length} report(s) from before the restart are waiting for ${this.apiBase}`,
      );
    }
    this.loop = this.run();
  }

  /** Stores a status report; resolves once it is on disk (not when it is delivered). */
  async enqueueStatus(status: MirrorStatus): Promise<void> {
    const queue = this.requireOpen();
    await queue.append({ kind: 'status', body: status });
    this.poke();
  }

  /** Replaces the schedule list waiting to be sent; resolves once it is on disk. */
  async setSchedules(body: MirrorSchedules): Promise<void> {
    this.requireOpen();
    const version = ++this.scheduleVersion;
    this.schedules = { version, body };
    const file = path.join(this.options.dir, SCHEDULES);
    const tmp = `${file}.${version}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify(body));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    this.poke();
  }

  /** Resolves when nothing is waiting, or `false` after `timeoutMs`. */
  async drained(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.pending === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = Number.isFinite(timeoutMs)
      ? new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        })
      : new Promise<boolean>(() => undefined);
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private requireOpen(): DurableQueue<StatusReport> {
    if (this.queue === undefined || this.closed) throw new OutboxClosedError(this.options.dir);
    return this.queue;
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const queue = this.queue as DurableQueue<StatusReport>;
      const head = queue.peek();
      const schedules = this.schedules;
      if (head === undefined && schedules === undefined) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          if (signal.aborted) resolve();
        });
        continue;
      }
      try {
        if (head !== undefined) {
          await this.options.client.reportStatus(head.body);
          await queue.ack();
        } else if (schedules !== undefined) {
          await this.options.client.reportSchedules(schedules.body);
          if (this.schedules?.version === schedules.version) {
            this.schedules = undefined;
            await unlink(path.join(this.options.dir, SCHEDULES)).catch(() => undefined);
          }
        }
        this.recovered();
      } catch (err) {
        if (signal.aborted) break;
        if (!(await this.handleFailure(err, head, signal))) break;
      }
    }
  }

  private recovered(): void {
    if (this.failing) {
      this.failing = false;
      this.options.logger.info(
        `manager ${this.apiBase} is reachable again; delivering waiting reports`,
      );
    }
    this.backoff.reset();
  }

  /** Decides what a failed send means; returns false when the loop must stop. */
  private async handleFailure(
    err: unknown,
    head: StatusReport | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    const log = this.options.logger;
    if (err instanceof ManagerHttpError) {
      if (err.isUnknownWorker && this.options.onUnknownWorker) {
        log.warn(
          `manager ${this.apiBase} does not know this worker (${err.reason}); registering again`,
        );
        try {
          await this.options.onUnknownWorker();
          return true;
        } catch (registerError) {
          log.error(
            `registering again with ${this.apiBase} failed: ${(registerError as Error).message}`,
          );
        }
      } else if (err.status === 401 || err.status === 403) {
        log.error(
          `manager ${this.apiBase} refused this worker's token (HTTP ${err.status}: ${err.reason}); check [manager] token`,
        );
      } else if (
        err.status >= 400 &&
        err.status < 500 &&
        err.status !== 408 &&
        err.status !== 429 &&
        head
      ) {
        // The manager will never take this report: keep the rest flowing.
        log.error(
          `manager ${this.apiBase} rejected the report of ${head.body.name} for good: ${err.message}`,
        );
        await this.queue?.ack();
        return true;
      } else if (
        err.status >= 400 &&
        err.status < 500 &&
        err.status !== 408 &&
        err.status !== 429
      ) {
        log.error(`manager ${this.apiBase} rejected the schedule list for good: ${err.message}`);
        this.schedules = undefined;
        await unlink(path.join(this.options.dir, SCHEDULES)).catch(() => undefined);
        return true;
      }
    }
    const message = (err as Error).message;
    if (!this.failing) {
      this.failing = true;
      log.warn(
        `cannot deliver to manager ${this.apiBase}: ${message}; keeping ${this.pending} report(s) on disk and retrying`,
      );
    } else {
      log.debug(`still cannot deliver to manager ${this.apiBase}: ${message}`);
    }
    return this.backoff.wait(signal);
  }

  /** Stops delivering (what is stored stays on disk) and closes the queue. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.poke();
    await this.loop;
    await this.queue?.close();
  }
}
