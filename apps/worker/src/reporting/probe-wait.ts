import type { Clock, TimerHandle } from '@tunasync/core';
import type { ManagerClient } from './manager-client';

/** The probes of a wait for a manager that does not answer. */
export interface ProbeOptions {
  /** From the start of one `GET /ping` to the start of the next (default 1000 ms). */
  intervalMs?: number;
  /** Time limit of one probe, connection included (default 2000 ms). */
  timeoutMs?: number;
}

export const PROBE_DEFAULTS = { intervalMs: 1000, timeoutMs: 2000 } as const;

export interface ProbeWaitOptions extends ProbeOptions {
  client: ManagerClient;
  clock: Clock;
  /** Ends the wait (`answered` resolves `false`) and aborts a probe in flight. */
  signal: AbortSignal;
}

/**
 * Waits for a manager that does not answer: `GET /ping` every `intervalMs` (the first one
 * interval after the start), each within `timeoutMs`, until one is answered. `probeNow()`
 * sends the next probe at once (a new report arrived) unless one is in flight.
 */
export class ProbeWait {
  /** `true` once the manager answered a probe, `false` when the signal aborted first. */
  readonly answered: Promise<boolean>;
  private resolve: (answered: boolean) => void = () => undefined;
  private readonly probes = new AbortController();
  private timer: TimerHandle | undefined;
  private inFlight = false;
  private done = false;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: ProbeWaitOptions) {
    this.intervalMs = options.intervalMs ?? PROBE_DEFAULTS.intervalMs;
    this.timeoutMs = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
    this.answered = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (options.signal.aborted) {
      this.finish(false);
      return;
    }
    options.signal.addEventListener('abort', this.onAbort, { once: true });
    this.timer = options.clock.setTimeout(() => this.probeNow(), this.intervalMs);
  }

  /** Sends a probe now, unless one is in flight or the wait is over. */
  probeNow(): void {
    if (this.done || this.inFlight) return;
    this.clearTimer();
    this.inFlight = true;
    const { client, clock } = this.options;
    const started = clock.now();
    void client.ping(this.timeoutMs, this.probes.signal).then((answered) => {
      this.inFlight = false;
      if (this.done) return;
      if (answered) {
        this.finish(true);
        return;
      }
      const wait = Math.max(0, started + this.intervalMs - clock.now());
      this.timer = clock.setTimeout(() => this.probeNow(), wait);
    });
  }

  private readonly onAbort = (): void => this.finish(false);

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private finish(answered: boolean): void {
    if (this.done) return;
    this.done = true;
    this.clearTimer();
    this.probes.abort();
    this.options.signal.removeEventListener('abort', this.onAbort);
    this.resolve(answered);
  }
}
