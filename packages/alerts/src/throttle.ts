interface Window {
  until: number;
  /** The id of the event that opened the window: the held-back events' group. */
  opener: string;
}

/** Whether an event goes out now, or is held back until its window ends. */
export type ThrottleVerdict = { send: true } | { send: false; until: number; opener: string };

/**
 * At most one alert per rule and subject (mirror or worker) per window: the first event
 * opens a window of `windowMs`; what comes within it is held back (the service stores it,
 * due at `until`, and sends what a window held as one digest). Time comes in as arguments
 * (Unix ms); the windows are in memory.
 */
export class Throttle {
  private readonly windows = new Map<string, Window>();

  private static key(rule: string, subject: string): string {
    return JSON.stringify([rule, subject]);
  }

  admit(
    rule: string,
    subject: string,
    eventId: string,
    windowMs: number,
    nowMs: number,
  ): ThrottleVerdict {
    if (windowMs <= 0) return { send: true };
    const key = Throttle.key(rule, subject);
    const window = this.windows.get(key);
    if (window !== undefined && nowMs < window.until) {
      return { send: false, until: window.until, opener: window.opener };
    }
    this.windows.set(key, { until: nowMs + windowMs, opener: eventId });
    return { send: true };
  }

  /** A digest went out: it is the one alert of a new window. */
  renew(rule: string, subject: string, opener: string, windowMs: number, nowMs: number): void {
    if (windowMs > 0)
      this.windows.set(Throttle.key(rule, subject), { until: nowMs + windowMs, opener });
  }

  /** Forgets the windows that ended (memory stays bounded). */
  prune(nowMs: number): void {
    for (const [key, window] of this.windows) if (nowMs >= window.until) this.windows.delete(key);
  }
}
