import type { Logger, MirrorProgressMessage } from '@tunasync/api-types';
import type { ProviderProgress } from '@tunasync/core';
import { ManagerHttpError } from '../errors';
import type { ManagerClient } from './manager-client';

export interface ProgressReporterOptions {
  /** Every manager (the clients of the status reporter). */
  clients: readonly ManagerClient[];
  logger: Logger;
}

/** What is sent, or waits to be sent, to one manager for one mirror. */
interface Slot {
  busy: boolean;
  next: MirrorProgressMessage | undefined;
}

/**
 * Sends live progress (SPEC §7.9) to every manager, outside the durable outbox: progress is
 * ephemeral, so nothing touches the disk, and only the latest value of a mirror is kept —
 * at most one post per manager and mirror is in flight, and a newer value replaces one
 * waiting behind it. A failed post is logged at debug level and dropped (the next tick
 * sends a fresh value). A manager without the route (a Go manager: 404/405) gets no
 * progress any more for the life of this reporter; that is logged once, at info level.
 */
export class ProgressReporter {
  private readonly slots = new Map<string, Slot>();
  private readonly noRoute = new Set<ManagerClient>();
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: ProgressReporterOptions) {}

  /** Managers that no longer get progress (they have no progress route). */
  get skipped(): readonly string[] {
    return [...this.noRoute].map((c) => c.apiBase);
  }

  /** Sends the progress of a mirror to every manager that takes it. */
  post(mirror: string, progress: ProviderProgress): void {
    if (this.closed) return;
    const message: MirrorProgressMessage = {
      name: mirror,
      files: progress.files,
      bytes: progress.bytes,
    };
    this.options.clients.forEach((client, index) => {
      if (this.noRoute.has(client)) return;
      const key = JSON.stringify([index, mirror]);
      let slot = this.slots.get(key);
      if (!slot) {
        slot = { busy: false, next: undefined };
        this.slots.set(key, slot);
      }
      if (slot.busy) slot.next = message;
      else this.send(client, key, slot, message);
    });
  }

  /** Drops a value of `mirror` still waiting to be sent (its run is over). */
  forget(mirror: string): void {
    this.options.clients.forEach((_client, index) => {
      const key = JSON.stringify([index, mirror]);
      const slot = this.slots.get(key);
      if (!slot) return;
      if (slot.busy) slot.next = undefined;
      else this.slots.delete(key);
    });
  }

  /** Sends nothing more and aborts the posts in flight. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
    this.slots.clear();
  }

  private send(client: ManagerClient, key: string, slot: Slot, message: MirrorProgressMessage) {
    slot.busy = true;
    const sending = client
      .reportProgress(message, this.abort.signal)
      .then(
        () => undefined,
        (err: unknown) => this.failed(client, message, err),
      )
      .finally(() => {
        this.inFlight.delete(sending);
        slot.busy = false;
        const next = slot.next;
        slot.next = undefined;
        if (next && !this.closed && !this.noRoute.has(client)) this.send(client, key, slot, next);
        else if (this.slots.get(key) === slot) this.slots.delete(key);
      });
    this.inFlight.add(sending);
  }

  private failed(client: ManagerClient, message: MirrorProgressMessage, err: unknown): void {
    if (this.closed) return;
    if (err instanceof ManagerHttpError && err.isMissingRoute) {
      if (this.noRoute.has(client)) return;
      this.noRoute.add(client);
      this.options.logger.info(
        `manager ${client.apiBase} has no progress route (HTTP ${err.status}: ${err.reason}); live progress is not sent to it any more (a Go manager?)`,
      );
      return;
    }
    this.options.logger.debug(
      `progress of ${message.name} not delivered to ${client.apiBase}: ${err instanceof Error ? err.message : String(err)}`,
      { mirror: message.name },
    );
  }
}
