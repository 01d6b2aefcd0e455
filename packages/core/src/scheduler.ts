import type { Logger } from '@tunasync/api-types';
import { silentLogger } from '@tunasync/api-types';
import { MAX_TIMER_DELAY, systemClock } from './clock';
import type { Clock, TimerHandle } from './clock';
import { CORE_ERRORS } from './errors';

/** Anything the scheduler can hold: it is keyed by `name`. */
export interface Schedulable {
  readonly name: string;
}

/** One planned run. */
export interface ScheduleEntry<T extends Schedulable> {
  readonly job: T;
  readonly name: string;
  readonly at: Date;
}

export interface SchedulerOptions<T extends Schedulable> {
  /** Called once for each entry whose time has come; the entry is removed first. */
  onDue: (job: T, at: Date) => void;
  clock?: Clock;
  logger?: Logger;
}

interface Slot<T extends Schedulable> extends ScheduleEntry<T> {
  readonly seq: number;
}

const byTime = <T extends Schedulable>(a: Slot<T>, b: Slot<T>): number =>
  a.at.getTime() - b.at.getTime() || a.seq - b.seq;

/**
 * Jobs ordered by due time (SPEC §4.3). One entry per job name: `add` replaces the job's
 * previous entry. Any number of jobs may share one due time. A single timer is armed for
 * the earliest entry — no polling — and when it fires every due entry is handed to `onDue`
 * in time order (equal times in the order they were added).
 */
export class Scheduler<T extends Schedulable> {
  private readonly entries = new Map<string, Slot<T>>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly onDue: (job: T, at: Date) => void;
  private timer: TimerHandle | undefined;
  private timerAt: number | undefined;
  private seq = 0;
  private closed = false;

  constructor(options: SchedulerOptions<T>) {
    this.onDue = options.onDue;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  /** Plan `job` at `at`, replacing its previous entry. A past time means "now". */
  add(job: T, at: Date): void {
    if (this.closed) throw CORE_ERRORS.closed('scheduler');
    if (Number.isNaN(at.getTime())) throw new RangeError(`invalid schedule time for ${job.name}`);
    this.entries.set(job.name, {
      job,
      name: job.name,
      at: new Date(at.getTime()),
      seq: this.seq++,
    });
    this.arm();
  }

  /** Drop the job's pending entry; true when there was one. */
  remove(job: T | string): boolean {
    const removed = this.entries.delete(typeof job === 'string' ? job : job.name);
    if (removed) this.arm();
    return removed;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): ScheduleEntry<T> | undefined {
    const slot = this.entries.get(name);
    return slot && { job: slot.job, name: slot.name, at: new Date(slot.at.getTime()) };
  }

  /** Every entry, earliest first (what the worker posts to `/schedules`). */
  list(): ScheduleEntry<T>[] {
    return [...this.entries.values()]
      .sort(byTime)
      .map((s) => ({ job: s.job, name: s.name, at: new Date(s.at.getTime()) }));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stop the timer and forget every entry. Idempotent. */
  close(): void {
    this.closed = true;
    this.entries.clear();
    this.disarm();
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private arm(): void {
    let earliest: number | undefined;
    for (const slot of this.entries.values()) {
      const t = slot.at.getTime();
      if (earliest === undefined || t < earliest) earliest = t;
    }
    if (earliest === undefined) {
      this.disarm();
      return;
    }
    if (this.timer !== undefined && this.timerAt === earliest) return;
    this.disarm();
    const delay = Math.min(Math.max(0, earliest - this.clock.now()), MAX_TIMER_DELAY);
    this.timerAt = earliest;
    this.timer = this.clock.setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    const now = this.clock.now();
    const due = [...this.entries.values()].filter((s) => s.at.getTime() <= now).sort(byTime);
    for (const slot of due) this.entries.delete(slot.name);
    for (const slot of due) {
      try {
        this.onDue(slot.job, slot.at);
      } catch (err) {
        this.logger.error(`scheduled start of ${slot.name} failed: ${(err as Error).message}`, {
          mirror: slot.name,
        });
      }
    }
    if (!this.closed) this.arm();
  }
}
