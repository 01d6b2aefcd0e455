import { CORE_ERRORS } from './errors';

/** A place in the gate; `release()` gives it back (idempotent). */
export interface GateSlot {
  /** Taken by a forced start, beside the `concurrent` slots. */
  readonly forced: boolean;
  release(): void;
}

/** A request waiting for a slot. */
export interface GateRequest {
  /** Resolves with the slot; rejects with the signal's reason when aborted while waiting. */
  readonly slot: Promise<GateSlot>;
  /** Stop waiting and go through at once, as a forced start (no effect once granted). */
  force(): void;
}

export interface GateRequestOptions {
  /** Go through at once without taking one of the `concurrent` slots. */
  force?: boolean;
  /** Abort to give up waiting (stop, disable, halt). */
  signal?: AbortSignal;
}

interface Waiter {
  grant(forced: boolean): void;
  reject(reason: unknown): void;
}

/**
 * At most `concurrent` runs at once (SPEC §4.3). Waiters are served first come, first
 * served; a forced request bypasses the limit; a waiting request can be aborted; a slot is
 * released exactly once however often `release()` is called.
 */
export class ConcurrencyGate {
  private readonly waiters: Waiter[] = [];
  private activeCount = 0;
  private forcedCount = 0;
  private max: number;

  constructor(concurrent: number) {
    this.max = ConcurrencyGate.check(concurrent);
  }

  private static check(concurrent: number): number {
    if (!Number.isInteger(concurrent) || concurrent < 1) {
      throw CORE_ERRORS.concurrency(concurrent);
    }
    return concurrent;
  }

  /** The `concurrent` limit. */
  get limit(): number {
    return this.max;
  }

  /** Change the limit (on reload); waiters are let in when it grows. */
  setLimit(concurrent: number): void {
    this.max = ConcurrencyGate.check(concurrent);
    this.drain();
  }

  /** Runs holding one of the `concurrent` slots. */
  get active(): number {
    return this.activeCount;
  }

  /** Runs let in by a forced start. */
  get forced(): number {
    return this.forcedCount;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  request(options: GateRequestOptions = {}): GateRequest {
    let waiter: Waiter | undefined;
    let settled = false;
    const slot = new Promise<GateSlot>((resolve, reject) => {
      const done = (): void => {
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        if (settled) return;
        done();
        this.remove(waiter);
        reject(options.signal?.reason);
      };
      waiter = {
        grant: (forced) => {
          if (settled) return;
          done();
          resolve(this.take(forced));
        },
        reject: (reason) => {
          if (settled) return;
          done();
          reject(reason);
        },
      };
      if (options.signal?.aborted) {
        settled = true;
        reject(options.signal.reason);
        return;
      }
      if (options.force) {
        waiter.grant(true);
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.drain();
    });
    return {
      slot,
      force: () => {
        if (settled || waiter === undefined) return;
        this.remove(waiter);
        waiter.grant(true);
      },
    };
  }

  /** Shorthand: wait for a slot. */
  acquire(options: GateRequestOptions = {}): Promise<GateSlot> {
    return this.request(options).slot;
  }

  private remove(waiter: Waiter | undefined): void {
    const i = waiter === undefined ? -1 : this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  private take(forced: boolean): GateSlot {
    if (forced) this.forcedCount++;
    else this.activeCount++;
    let released = false;
    return {
      forced,
      release: () => {
        if (released) return;
        released = true;
        if (forced) this.forcedCount--;
        else this.activeCount--;
        this.drain();
      },
    };
  }

  private drain(): void {
    while (this.activeCount < this.max && this.waiters.length > 0) {
      const next = this.waiters.shift() as Waiter;
      next.grant(false);
    }
  }
}
