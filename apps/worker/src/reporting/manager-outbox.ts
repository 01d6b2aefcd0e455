import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type {
  Logger,
  MirrorSchedules,
  MirrorStatus,
  MirrorStatusReport,
} from '@tunasync/api-types';
import { systemClock, writeFileDurably, type Clock } from '@tunasync/core';
import { ManagerHttpError, ManagerUnreachableError, OutboxClosedError } from '../errors';
import { abortableDelay } from './abortable-delay';
import { Backoff, type BackoffOptions } from './backoff';
import { DurableQueue } from './durable-queue';
import type { ManagerClient } from './manager-client';
import { ProbeWait, type ProbeOptions } from './probe-wait';

const SCHEDULES = 'schedules.json';

/** One stored report. */
export interface StatusReport {
  kind: 'status';
  body: MirrorStatus;
  /**
   * When the worker observed this status, in ms since the epoch on its own clock (sent as
   * `observed_ago_ms`, the age at sending). Absent in queues written by older versions.
   */
  observed?: number;
}

export interface ManagerOutboxOptions {
  /** Directory of this manager's queue (created if needed). */
  dir: string;
  client: ManagerClient;
  logger: Logger;
  /** Waits after an HTTP error (5xx, 401, …): 1 s doubling to 10 s by default. */
  backoff?: BackoffOptions;
  probe?: ProbeOptions;
  /** Timers of the waits, and `now()` for the age of a report (the system clock by default). */
  clock?: Clock;
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
 * only after a 2xx. While the manager does not answer, nothing but `GET /ping` probes is
 * sent and the first answered probe resumes delivery; after an HTTP error the head is
 * retried after an abortable back-off. A new report ends either wait. Schedules are
 * coalesced: only the latest list is kept (on disk too) and sent once no status report is
 * waiting.
 */
export class ManagerOutbox {
  private queue: DurableQueue<StatusReport> | undefined;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly abort = new AbortController();
  private schedules: { version: number; body: MirrorSchedules } | undefined;
  private scheduleVersion = 0;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private failing = false;
  private closed = false;
  private registering: Promise<void> | undefined;

  constructor(private readonly options: ManagerOutboxOptions) {
    this.clock = options.clock ?? systemClock;
    this.backoff = new Backoff({ clock: this.clock, ...options.backoff });
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

  /**
   * Stores a status report observed at `observedAt` (ms since the epoch, the outbox's
   * clock; now by default); resolves once it is on disk (not when it is delivered).
   */
  async enqueueStatus(status: MirrorStatus, observedAt = this.clock.now()): Promise<void> {
    const queue = this.requireOpen();
    await queue.append({ kind: 'status', body: status, observed: observedAt });
    this.poke();
  }

  /**
   * The manager does not know this worker: runs `onUnknownWorker` (register again, re-send
   * every status). Concurrent calls (the outbox's own and the heartbeat's) share one run.
   */
  registerAgain(): Promise<void> {
    const register = this.options.onUnknownWorker;
    if (!register) return Promise.resolve();
    this.registering ??= register().finally(() => {
      this.registering = undefined;
    });
    return this.registering;
  }

  /** The body sent for a stored report: with its age on this worker's clock, when known. */
  private wireBody(report: StatusReport): MirrorStatusReport {
    if (typeof report.observed !== 'number' || !Number.isFinite(report.observed)) {
      return report.body;
    }
    const age = Math.max(0, Math.round(this.clock.now() - report.observed));
    return { ...report.body, observed_ago_ms: age };
  }

  /** Replaces the schedule list waiting to be sent; resolves once it is on disk. */
  async setSchedules(body: MirrorSchedules): Promise<void> {
    this.requireOpen();
    const version = ++this.scheduleVersion;
    this.schedules = { version, body };
    await writeFileDurably(path.join(this.options.dir, SCHEDULES), JSON.stringify(body));
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

  /** A new report (or `close()`): ends an idle wait or a back-off, or probes at once. */
  private poke(): void {
    this.wake?.();
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
        this.wake = undefined;
        continue;
      }
      try {
        if (head !== undefined) {
          await this.options.client.reportStatus(this.wireBody(head));
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
          await this.registerAgain();
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
    if (err instanceof ManagerUnreachableError) return this.untilAnswered(signal);
    return this.backOff(signal);
  }

  /** After an HTTP error: the back-off delay, cut short by a new report. */
  private async backOff(signal: AbortSignal): Promise<boolean> {
    const woken = new AbortController();
    this.wake = () => woken.abort();
    try {
      await abortableDelay(
        this.clock,
        this.backoff.take(),
        AbortSignal.any([signal, woken.signal]),
      );
    } finally {
      this.wake = undefined;
    }
    return !signal.aborted;
  }

  /**
   * The manager did not answer: no report is sent until it answers a probe (a send would
   * hang for its whole timeout on a dead link); a new report probes at once.
   */
  private async untilAnswered(signal: AbortSignal): Promise<boolean> {
    const wait = new ProbeWait({
      client: this.options.client,
      clock: this.clock,
      signal,
      ...this.options.probe,
    });
    this.wake = () => wait.probeNow();
    try {
      return await wait.answered;
    } finally {
      this.wake = undefined;
    }
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
