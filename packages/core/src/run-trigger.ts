import { Job } from 'node-schedule';
import { CORE_ERRORS } from './errors';

/**
 * When a job runs next: after an interval, or at the next time a cron expression names
 * (SPEC §7.7). One abstraction for both, so the scheduler never cares which.
 */
export interface RunTrigger {
  /** `every 120 minutes` or `cron "0 *\/6 * * *"`. */
  readonly description: string;
  /** The first run time after `after`. */
  next(after: Date): Date;
}

/** Every `minutes` minutes after the end of a run (the Go program's `interval`). */
export function intervalTrigger(minutes: number): RunTrigger {
  if (!Number.isFinite(minutes) || minutes <= 0) throw CORE_ERRORS.interval(minutes);
  return {
    description: `every ${minutes} minutes`,
    next: (after) => new Date(after.getTime() + minutes * 60_000),
  };
}

function nextCron(expression: string, after: Date): Date | null {
  const job = new Job(() => undefined);
  try {
    if (!job.schedule({ start: after, rule: expression })) return null;
    const next = job.nextInvocation();
    return next === null ? null : new Date(next.getTime());
  } catch {
    return null;
  } finally {
    job.cancel();
  }
}

/**
 * At the times a cron expression names (five fields, or six with seconds), computed by
 * node-schedule in local time. node-schedule counts from "now" (`Date.now()`) when `after`
 * is in the past, so a cron time missed while the worker was down is not caught up — as
 * with cron itself.
 *
 * @throws TunasyncError `TUNASYNC_E_CRON` when node-schedule cannot read the expression.
 */
export function cronTrigger(expression: string): RunTrigger {
  if (expression.trim() === '' || nextCron(expression, new Date()) === null) {
    throw CORE_ERRORS.cronExpression(expression);
  }
  return {
    description: `cron ${JSON.stringify(expression)}`,
    next: (after) => {
      const next = nextCron(expression, after);
      if (next === null) throw CORE_ERRORS.cronExpression(expression);
      return next;
    },
  };
}

/** The trigger of a mirror: its `cron` when set, else its `interval` (minutes). */
export function createTrigger(options: { interval?: number; cron?: string }): RunTrigger {
  if (options.cron !== undefined && options.cron !== '') return cronTrigger(options.cron);
  return intervalTrigger(options.interval ?? 120);
}
