import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  /** First delay in ms (default 1000). */
  initialMs?: number;
  /** Largest delay in ms (default 60000). */
  maxMs?: number;
}

/** Exponential back-off: initial, ×2 each failure, capped; `reset()` after a success. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private next: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1000;
    this.maxMs = options.maxMs ?? 60_000;
    this.next = this.initialMs;
  }

  /** The delay the next `wait()` will use. */
  get currentMs(): number {
    return this.next;
  }

  reset(): void {
    this.next = this.initialMs;
  }

  /** Waits the current delay and doubles it. Resolves `false` (at once) when `signal` aborts. */
  async wait(signal: AbortSignal): Promise<boolean> {
    const ms = this.next;
    this.next = Math.min(this.next * 2, this.maxMs);
    if (signal.aborted) return false;
    try {
      await delay(ms, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }
}
