import type { Logger } from '@tunasync/api-types';
import type { Clock, ProviderProgress } from '@tunasync/core';
import type { ProgressReporter } from '../reporting/progress-reporter';
import { ProgressTicker } from './progress-ticker';

/** What is polled: a job (its mirror's name and its provider's optional `progress()`). */
export interface ProgressSource {
  readonly name: string;
  readonly provider: { progress?(): Promise<ProviderProgress | undefined> };
}

export interface LiveProgressOptions {
  /** Where each change goes (to every manager). */
  reporter: Pick<ProgressReporter, 'post' | 'forget' | 'close'>;
  /** Milliseconds between two polls, read at each `start` (0 turns progress off). */
  intervalMs: () => number;
  /** The timers of the ticks (default: the system clock). */
  clock?: Clock;
  /** While it answers true (the worker is halting), no ticker starts. */
  halting?: () => boolean;
  logger: Logger;
}

/**
 * Live progress (SPEC §7.9): one ticker per syncing job, polling its provider's progress and
 * posting each change. Tickers are kept per job object, so a replaced job's late events
 * never stop its successor's ticker. While halting and after `close()` nothing starts.
 */
export class LiveProgress {
  private readonly tickers = new Map<ProgressSource, ProgressTicker>();
  private closed = false;

  constructor(private readonly options: LiveProgressOptions) {}

  /** Polls `source` until `stop(source)`; a ticker already running is restarted. */
  start(source: ProgressSource): void {
    this.stop(source);
    const intervalMs = this.options.intervalMs();
    const provider = source.provider;
    if (
      this.closed ||
      this.options.halting?.() === true ||
      intervalMs <= 0 ||
      typeof provider.progress !== 'function'
    )
      return;
    const name = source.name;
    const ticker = new ProgressTicker({
      read: () => provider.progress?.() ?? Promise.resolve(undefined),
      post: (progress) => this.options.reporter.post(name, progress),
      intervalMs,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      onError: (err) =>
        this.options.logger.debug(`progress of ${name} not read: ${(err as Error).message}`, {
          mirror: name,
        }),
    });
    this.tickers.set(source, ticker);
    ticker.start();
  }

  /** Stops polling `source` and forgets its last progress; nothing when it is not polled. */
  stop(source: ProgressSource): void {
    const ticker = this.tickers.get(source);
    if (!ticker) return;
    ticker.stop();
    this.tickers.delete(source);
    this.options.reporter.forget(source.name);
  }

  /** `source` is being polled. */
  isRunning(source: ProgressSource): boolean {
    return this.tickers.has(source);
  }

  /** Restarts every running ticker (the interval changed: they take the new one now). */
  restartAll(): void {
    for (const source of [...this.tickers.keys()]) this.start(source);
  }

  /** Stops every ticker and closes the reporter (its posts in flight settle). */
  async close(): Promise<void> {
    this.closed = true;
    for (const source of [...this.tickers.keys()]) this.stop(source);
    await this.options.reporter.close();
  }
}
