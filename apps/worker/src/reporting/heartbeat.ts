import type { Logger } from '@tunasync/api-types';
import { systemClock, type Clock, type TimerHandle } from '@tunasync/core';
import { ManagerHttpError } from '../errors';
import type { ManagerClient } from './manager-client';
import type { ManagerOutbox } from './manager-outbox';

export interface HeartbeatOptions {
  client: ManagerClient;
  /** The outbox of the same manager: `registerAgain()` when the manager lost this worker. */
  outbox: ManagerOutbox;
  /** From the end of one beat to the start of the next (`[manager] heartbeat_interval`). */
  intervalMs: number;
  logger: Logger;
  /** The timers of the beats (the system clock by default; tests inject one). */
  clock?: Clock;
}

/**
 * The heartbeat of one manager: every `intervalMs`, `POST /workers/:id/heartbeat` (the
 * manager refreshes `last_online`). A manager without that route (a Go manager: 404) gets
 * `GET /workers/:id/jobs` instead for the rest of this heartbeat's life, which tells an
 * unknown worker too. `400 invalid workerID …` (the manager lost its database) makes the
 * outbox register again and re-send every status. Other failures are debug lines: the
 * outbox reports delivery problems.
 */
export class Heartbeat {
  private readonly clock: Clock;
  private readonly abort = new AbortController();
  private timer: TimerHandle | undefined;
  private beating: Promise<void> | undefined;
  private fallback = false;
  private closed = false;

  constructor(private readonly options: HeartbeatOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Whether the manager lacks the heartbeat route (the jobs list is asked instead). */
  get usesFallback(): boolean {
    return this.fallback;
  }

  /** Arms the first beat, one interval from now. */
  start(): void {
    if (this.closed || this.timer !== undefined || this.beating) return;
    this.timer = this.clock.setTimeout(() => this.run(), this.options.intervalMs);
  }

  private run(): void {
    this.timer = undefined;
    this.beating = this.beat().finally(() => {
      this.beating = undefined;
      this.start();
    });
  }

  /** One beat; never rejects. */
  async beat(): Promise<void> {
    const { client, logger } = this.options;
    try {
      await this.call();
    } catch (err) {
      if (this.closed) return;
      if (err instanceof ManagerHttpError && err.isMissingRoute && !this.fallback) {
        this.fallback = true;
        logger.info(
          `manager ${client.apiBase} has no heartbeat route (HTTP ${err.status}: ${err.reason}); asking GET /workers/:id/jobs instead (a Go manager?)`,
        );
        return this.beat();
      }
      if (err instanceof ManagerHttpError && err.isUnknownWorker) {
        logger.warn(
          `heartbeat: manager ${client.apiBase} does not know this worker (${err.reason}); registering again`,
        );
        await this.options.outbox.registerAgain().catch((registerError: unknown) => {
          logger.error(
            `registering again with ${client.apiBase} failed: ${(registerError as Error).message}`,
          );
        });
        return;
      }
      logger.debug(`heartbeat to ${client.apiBase} failed: ${(err as Error).message}`);
    }
  }

  private call(): Promise<unknown> {
    const { client } = this.options;
    return this.fallback ? client.listJobs(this.abort.signal) : client.heartbeat(this.abort.signal);
  }

  /** Stops beating and aborts a beat in flight. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.beating;
  }
}
