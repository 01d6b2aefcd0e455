import { isZeroTime, parseRfc3339OrZero } from './time';
import type { MirrorStatus } from './wire-types';

/**
 * `stale_after` of manager.conf: `'auto'` (3 × the mirror's interval plus its timeout) or a
 * fixed number of seconds; 0 turns the rule off (no mirror is ever stale).
 */
export type StaleAfter = 'auto' | number;

/** What the stale rule reads of a mirror: its stored status (any superset will do). */
export type StaleRuleInput = Pick<
  MirrorStatus,
  'status' | 'last_update' | 'last_ended' | 'next_schedule'
>;

/** What a caller knows of the mirror's schedule beyond its status (the worker's config). */
export interface StaleRuleSchedule {
  /** The mirror's interval in seconds; default: inferred from the status (below). */
  intervalSeconds?: number;
  /** The mirror's timeout in seconds (0: none); default 0. */
  timeoutSeconds?: number;
}

function ms(text: string): number | undefined {
  const date = parseRfc3339OrZero(text);
  return isZeroTime(date) ? undefined : date.getTime();
}

/**
 * The interval a worker runs a mirror at, as its schedule shows it: a worker schedules the
 * next run at the end of the last one plus the interval (SPEC §4.3), so it is
 * `next_schedule − last_ended`; undefined when either is unknown or the difference is not
 * positive (a run is due now, or a manual start moved the schedule).
 */
export function inferredIntervalSeconds(status: StaleRuleInput): number | undefined {
  const ended = ms(status.last_ended);
  const next = ms(status.next_schedule);
  if (ended === undefined || next === undefined || next <= ended) return undefined;
  return (next - ended) / 1000;
}

/**
 * How old a mirror's last success may get before it is stale, in milliseconds; undefined
 * when the rule does not apply to it (rule off, or `'auto'` without a known interval).
 */
export function staleLimitMs(
  status: StaleRuleInput,
  staleAfter: StaleAfter,
  schedule: StaleRuleSchedule = {},
): number | undefined {
  if (staleAfter !== 'auto') return staleAfter > 0 ? staleAfter * 1000 : undefined;
  const interval = schedule.intervalSeconds ?? inferredIntervalSeconds(status);
  if (interval === undefined || interval <= 0) return undefined;
  return (3 * interval + (schedule.timeoutSeconds ?? 0)) * 1000;
}

/**
 * THE stale rule (SPEC §7.13), shared by the manager's `/jobs` extras, status page, metrics
 * and alerts: a mirror is stale when its last success (`last_update`) is older than its
 * limit (`staleLimitMs`) at `now`. A disabled mirror is never stale (nobody expects it to
 * sync), nor one that never succeeded (it shows as "never"; `failed` tells the rest), nor
 * one whose limit is unknown. Pure: the same input always gives the same answer.
 */
export function isStaleMirror(
  status: StaleRuleInput,
  now: Date,
  staleAfter: StaleAfter,
  schedule: StaleRuleSchedule = {},
): boolean {
  if (status.status === 'disabled') return false;
  const success = ms(status.last_update);
  if (success === undefined) return false;
  const limit = staleLimitMs(status, staleAfter, schedule);
  return limit !== undefined && now.getTime() - success > limit;
}
