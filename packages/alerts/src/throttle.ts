import type { AlertEvent } from './alert-event';

interface Window {
  until: number;
  /** The id of the event that opened the window: digests get deterministic ids. */
  opener: string;
  held: AlertEvent[];
}

/** A digest of what one rule held back for one subject. */
export interface HeldBack {
  rule: string;
  subject: string;
  opener: string;
  events: AlertEvent[];
}

/**
 * At most one alert per rule and subject (mirror or worker) per window; what comes within a
 * window is held back and goes out as one digest when it ends (`due`). Time comes in as
 * arguments (Unix ms).
 */
export class Throttle {
  private readonly windows = new Map<string, Window>();

  /** True when `event` goes out now (and opens a window of `windowMs`); false: held back. */
  admit(
    rule: string,
    subject: string,
    event: AlertEvent,
    windowMs: number,
    nowMs: number,
  ): boolean {
    if (windowMs <= 0) return true;
    const key = JSON.stringify([rule, subject]);
    const window = this.windows.get(key);
    if (window !== undefined && nowMs < window.until) {
      window.held.push(event);
      return false;
    }
    this.windows.set(key, { until: nowMs + windowMs, opener: event.id, held: [] });
    return true;
  }

  /**
   * The digests whose window ended by `nowMs`; each digest opens a new window of
   * `windowMs(rule)` (it is that window's one alert). Windows with nothing held are dropped.
   */
  due(nowMs: number, windowMs: (rule: string) => number): HeldBack[] {
    const out: HeldBack[] = [];
    for (const [key, window] of this.windows) {
      if (nowMs < window.until) continue;
      const [rule, subject] = JSON.parse(key) as [string, string];
      if (window.held.length === 0) {
        this.windows.delete(key);
        continue;
      }
      out.push({ rule, subject, opener: window.opener, events: window.held });
      const next = window.held[window.held.length - 1] as AlertEvent;
      this.windows.set(key, { until: nowMs + windowMs(rule), opener: next.id, held: [] });
    }
    return out;
  }
}
