import { parseExpression, type CronExpression } from 'cron-parser';
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

/**
 * Reads a cron expression with cron-parser, counting from `after` — or from now when `after`
 * is in the past (a cron time missed while the worker was down is not caught up, as with
 * cron, and as node-schedule, which this replaced, did). Throws cron-parser's error, whose
 * message says why an expression is refused.
 */
function parseCron(expression: string, after: Date): CronExpression {
  const currentDate = after.getTime() < Date.now() ? undefined : after;
  return parseExpression(expression, { currentDate });
}

/** The first time after `after` that `expression` names, or `null` when none. */
function nextCron(expression: string, after: Date): Date | null {
  try {
    return parseCron(expression, after).next().toDate();
  } catch {
    return null;
  }
}

/**
 * Why `cronTrigger` refuses a cron expression, or `undefined` when it accepts it (the one
 * rule for both, so a config check never passes what cannot run). Five fields
 * (`minute hour day-of-month month day-of-week`) or six (seconds first); each as
 * cron-parser reads it (its message is the reason), and it must name a future time.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim() === '' ? [] : expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found ${fields.length}`;
  }
  try {
    parseCron(expression, new Date()).next();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return undefined;
}

/**
 * At the times a cron expression names (five fields, or six with seconds), computed by
 * cron-parser in local time. It counts from "now" (`Date.now()`) when `after` is in the
 * past, so a cron time missed while the worker was down is not caught up — as with cron
 * itself.
 *
 * @throws TunasyncError `TUNASYNC_E_CRON` when `cronProblem` finds a problem.
 */
export function cronTrigger(expression: string): RunTrigger {
  const problem = cronProblem(expression);
  if (problem !== undefined) throw CORE_ERRORS.cronExpression(expression, problem);
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
