import type { Clock, TimerHandle } from '@tunasync/core';

/** A clock whose timers run only when the test moves time on (`advance`). */
export class ManualClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.seq += 1;
    this.timers.set(this.seq, { at: this.time + ms, callback });
    return this.seq;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** The delays of the timers still armed, from now. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time);
  }

  /** Moves time on by `ms` and runs every timer that falls due, earliest first. */
  advance(ms: number): void {
    this.time += ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= this.time)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) return;
      this.timers.delete(due[0]);
      due[1].callback();
    }
  }
}
