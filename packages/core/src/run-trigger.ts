import { createRequire } from 'node:module';
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

/** The part of cron-parser node-schedule calls to read a cron expression. */
interface CronParser {
  parseExpression(expression: string): unknown;
}

let cronParser: CronParser | null | undefined;

/**
 * node-schedule's own cron-parser (resolved from node-schedule, so it is the very parser
 * and version that schedules the jobs): it says *why* an expression is refused, where
 * node-schedule only answers no. `null` if node-schedule ever stops shipping it.
 */
function nodeScheduleCronParser(): CronParser | null {
  if (cronParser === undefined) {
    try {
      cronParser = createRequire(require.resolve('node-schedule'))('cron-parser') as CronParser;
    } catch {
      cronParser = null;
    }
  }
  return cronParser;
}

/**
 * Why `cronTrigger` refuses a cron expression, or `undefined` when it accepts it (the one
 * rule for both, so a config check never passes what cannot run). Five fields
 * (`minute hour day-of-month month day-of-week`) or six (seconds first); each as
 * node-schedule reads it (its cron-parser gives the reason), and it must name a future time.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim() === '' ? [] : expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found ${fields.length}`;
  }
  try {
    nodeScheduleCronParser()?.parseExpression(expression);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (nextCron(expression, new Date()) === null) return 'node-schedule finds no time it names';
  return undefined;
}

/**
 * At the times a cron expression names (five fields, or six with seconds), computed by
 * node-schedule in local time. node-schedule counts from "now" (`Date.now()`) when `after`
 * is in the past, so a cron time missed while the worker was down is not caught up — as
 * with cron itself.
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
