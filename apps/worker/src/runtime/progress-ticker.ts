import { systemClock } from '@tunasync/core';
import type { Clock, ProviderProgress, TimerHandle } from '@tunasync/core';

export interface ProgressTickerOptions {
  /** The provider's `progress()`. */
  read: () => Promise<ProviderProgress | undefined>;
  /** Called with each value that differs from the last one posted. */
  post: (progress: ProviderProgress) => void;
  /** Time between two reads (the first read comes one interval after `start`). */
  intervalMs: number;
  clock?: Clock;
  /** A read that failed (the tick is skipped). */
  onError?: (err: unknown) => void;
}

/**
 * Polls a syncing job's progress every `intervalMs` and hands on each change (SPEC §7.9).
 * One timer at a time, armed again only after a read has finished, so reads never overlap;
 * after `stop()` nothing is posted, even by a read still in flight.
 */
export class ProgressTicker {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private last: ProviderProgress | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: ProgressTickerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Whether `stop()` was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.arm();
  }

  /** Stops for good. Idempotent. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, this.options.intervalMs);
  }

  private async tick(): Promise<void> {
    let progress: ProviderProgress | undefined;
    try {
      progress = await this.options.read();
    } catch (err) {
      this.options.onError?.(err);
    }
    if (this.stopped) return;
    if (
      progress !== undefined &&
      (progress.files !== this.last?.files || progress.bytes !== this.last?.bytes)
    ) {
      this.last = { files: progress.files, bytes: progress.bytes };
      this.options.post(this.last);
    }
    this.arm();
  }
}
