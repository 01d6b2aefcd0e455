import { systemClock, type Clock } from '@tunasync/core';
import { abortableDelay } from './abortable-delay';

export interface BackoffOptions {
  /** First delay in ms (default 1000). */
  initialMs?: number;
  /** Largest delay in ms (default 10000). */
  maxMs?: number;
  /** The timers of `wait()` (the system clock by default; tests inject one). */
  clock?: Clock;
}

/** Exponential back-off: initial, ×2 each failure, capped; `reset()` after a success. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly clock: Clock;
  private next: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1000;
    this.maxMs = options.maxMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.next = this.initialMs;
  }

  /** The delay the next `take()` or `wait()` will use. */
  get currentMs(): number {
    return this.next;
  }

  reset(): void {
    this.next = this.initialMs;
  }

  /** Returns the current delay and doubles the next one (up to the cap). */
  take(): number {
    const ms = this.next;
    this.next = Math.min(this.next * 2, this.maxMs);
    return ms;
  }

  /** Waits the current delay and doubles it. Resolves `false` (at once) when `signal` aborts. */
  wait(signal: AbortSignal): Promise<boolean> {
    return abortableDelay(this.clock, this.take(), signal);
  }
}
