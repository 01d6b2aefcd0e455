import path from 'node:path';
import type { Logger, MirrorSchedules, MirrorStatus } from '@tunasync/api-types';
import type { BackoffOptions } from './backoff';
import { Heartbeat } from './heartbeat';
import { ManagerClient } from './manager-client';
import { ManagerOutbox } from './manager-outbox';
import type { ProbeOptions } from './probe-wait';

export interface ReporterOptions {
  /** The worker's state directory; outboxes live in `<stateDir>/outbox/<manager>`. */
  stateDir: string;
  /** Every manager (`api_base_list`, or `[api_base]`). */
  apiBases: readonly string[];
  workerId: string;
  ca?: string | Buffer;
  token?: string;
  timeoutMs?: number;
  logger: Logger;
  backoff?: BackoffOptions;
  probe?: ProbeOptions;
  /** Milliseconds between two heartbeats to each manager; 0 or absent: none. */
  heartbeatIntervalMs?: number;
  /** A manager lost this worker: register again there and enqueue every mirror's status into `outbox`. */
  onUnknownWorker?: (client: ManagerClient, outbox: ManagerOutbox) => Promise<void>;
}

/** `http://127.0.0.1:14242` → `http_127.0.0.1_14242`: the directory name of a manager's outbox. */
export function outboxDirName(apiBase: string): string {
  return apiBase.replace(/\/+$/, '').replace(/[^A-Za-z0-9.-]+/g, '_');
}

/** Reports to every manager, each through its own durable outbox. */
export class Reporter {
  readonly clients: ManagerClient[];
  readonly outboxes: ManagerOutbox[];
  readonly heartbeats: Heartbeat[];

  constructor(options: ReporterOptions) {
    this.clients = options.apiBases.map(
      (apiBase) =>
        new ManagerClient({
          apiBase,
          workerId: options.workerId,
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
          ...(options.token !== undefined ? { token: options.token } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        }),
    );
    this.outboxes = this.clients.map((client) => {
      const outbox: ManagerOutbox = new ManagerOutbox({
        dir: path.join(options.stateDir, 'outbox', outboxDirName(client.apiBase)),
        client,
        logger: options.logger.child({ manager: client.apiBase }),
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.probe ? { probe: options.probe } : {}),
        ...(options.onUnknownWorker
          ? {
              onUnknownWorker: () =>
                (options.onUnknownWorker as NonNullable<ReporterOptions['onUnknownWorker']>)(
                  client,
                  outbox,
                ),
            }
          : {}),
      });
      return outbox;
    });
    const intervalMs = options.heartbeatIntervalMs ?? 0;
    this.heartbeats =
      intervalMs > 0
        ? this.clients.map(
            (client, i) =>
              new Heartbeat({
                client,
                outbox: this.outboxes[i] as ManagerOutbox,
                intervalMs,
                logger: options.logger.child({ manager: client.apiBase }),
              }),
          )
        : [];
  }

  /** Opens the outboxes (what they hold starts flowing). */
  async start(): Promise<void> {
    await Promise.all(this.outboxes.map((o) => o.start()));
  }

  /** Starts the heartbeats (once the worker has started: they may re-send every status). */
  startHeartbeats(): void {
    for (const heartbeat of this.heartbeats) heartbeat.start();
  }

  /**
   * Stores the report, observed at `observedAt` (ms since the epoch; now by default), for
   * every manager; resolves once it is on disk everywhere.
   */
  async reportStatus(status: MirrorStatus, observedAt?: number): Promise<void> {
    await Promise.all(this.outboxes.map((o) => o.enqueueStatus(status, observedAt)));
  }

  /** Replaces the schedule list waiting for every manager. */
  async reportSchedules(schedules: MirrorSchedules): Promise<void> {
    await Promise.all(this.outboxes.map((o) => o.setSchedules(schedules)));
  }

  /** Waits until every outbox is empty; `false` if `timeoutMs` passed first. */
  async drained(timeoutMs?: number): Promise<boolean> {
    const results = await Promise.all(this.outboxes.map((o) => o.drained(timeoutMs)));
    return results.every(Boolean);
  }

  /** Stops delivering (stored reports stay on disk) and closes connections. Idempotent. */
  async close(): Promise<void> {
    await Promise.allSettled(this.heartbeats.map((h) => h.close()));
    await Promise.allSettled(this.outboxes.map((o) => o.close()));
    await Promise.allSettled(this.clients.map((c) => c.close()));
  }
}
