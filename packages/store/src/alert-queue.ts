import type { Rfc3339 } from '@tunasync/api-types';

/** Where a stored alert is: waiting to be (re)sent, sent, or given up on. */
export type AlertState = 'pending' | 'sent' | 'failed';

/**
 * One alert to deliver (an event through one rule), stored before any delivery is tried so
 * that a restart neither loses nor repeats it. `payload` is opaque JSON text to the store.
 */
export interface AlertRecord {
  /** Unique and deterministic (the event and the rule): adding it twice adds it once. */
  id: string;
  /** The rule (sink) it goes through. */
  rule: string;
  /** The event's name (`failed`, `recovered`, …), for listings and metrics. */
  event: string;
  created: Rfc3339;
  payload: string;
  state: AlertState;
  /** Delivery attempts made so far. */
  attempts: number;
  /** Not to be tried before this time (Unix ms): the back-off after a failed attempt. */
  next_attempt_ms: number;
  /** Who is delivering it now ('' when nobody), and until when that claim holds (Unix ms). */
  claimed_by: string;
  claimed_until_ms: number;
  /** Why the last attempt failed ('' after a success). */
  last_error: string;
  /** When it was sent or given up on ('' while pending). */
  settled: Rfc3339 | '';
}

/** A claim on one alert: `owner` delivers it, alone, until `nowMs + leaseMs`. */
export interface AlertClaim {
  owner: string;
  nowMs: number;
  leaseMs: number;
}

/** What an attempt came to: sent, failed for good, or pending again after a back-off. */
export interface AlertOutcome {
  state: AlertState;
  attempts: number;
  next_attempt_ms: number;
  last_error: string;
  settled: Rfc3339 | '';
}

/**
 * The pending alerts of the manager (part of every `Store`). Each method is atomic on its
 * record: with several managers on one Redis, exactly one of them wins a claim.
 */
export interface AlertQueue {
  /** Stores a new alert; false (nothing written) when one with its id exists. */
  addAlert(record: AlertRecord): Promise<boolean>;
  /**
   * Claims a pending alert that is due (`next_attempt_ms ≤ nowMs`) and not claimed by anyone
   * whose claim still holds; the claimed record, or undefined when it cannot be claimed.
   */
  claimAlert(id: string, claim: AlertClaim): Promise<AlertRecord | undefined>;
  /** Records an attempt's outcome and drops the claim; false when `owner` no longer holds it. */
  settleAlert(id: string, owner: string, outcome: AlertOutcome): Promise<boolean>;
  /** Every stored alert, oldest first (by `created`, then id). */
  listAlerts(): Promise<AlertRecord[]>;
  /** Deletes these alerts (unknown ids are ignored); how many were deleted. */
  deleteAlerts(ids: string[]): Promise<number>;
}

const STATES: readonly string[] = ['pending', 'sent', 'failed'];

/** A stored alert record, or a problem describing why it is not one. */
export function decodeAlertRecord(raw: unknown): AlertRecord | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not a JSON object';
  const o = raw as Record<string, unknown>;
  const text = (key: string) => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
  const num = (key: string) => (typeof o[key] === 'number' ? (o[key] as number) : undefined);
  const id = text('id');
  const state = text('state');
  if (id === undefined || id === '') return 'no id';
  if (state === undefined || !STATES.includes(state)) return `unknown state ${String(o.state)}`;
  return {
    id,
    rule: text('rule') ?? '',
    event: text('event') ?? '',
    created: text('created') ?? '',
    payload: text('payload') ?? '{}',
    state: state as AlertState,
    attempts: num('attempts') ?? 0,
    next_attempt_ms: num('next_attempt_ms') ?? 0,
    claimed_by: text('claimed_by') ?? '',
    claimed_until_ms: num('claimed_until_ms') ?? 0,
    last_error: text('last_error') ?? '',
    settled: text('settled') ?? '',
  };
}

/** The record once claimed, or undefined when the claim is not possible now. */
export function claimedAlert(record: AlertRecord, claim: AlertClaim): AlertRecord | undefined {
  if (record.state !== 'pending') return undefined;
  if (record.next_attempt_ms > claim.nowMs) return undefined;
  if (record.claimed_by !== '' && record.claimed_until_ms > claim.nowMs) return undefined;
  return { ...record, claimed_by: claim.owner, claimed_until_ms: claim.nowMs + claim.leaseMs };
}

/** The record after an attempt of `owner`, or undefined when `owner` does not hold it. */
export function settledAlert(
  record: AlertRecord,
  owner: string,
  outcome: AlertOutcome,
): AlertRecord | undefined {
  if (record.claimed_by !== owner || record.state !== 'pending') return undefined;
  return { ...record, ...outcome, claimed_by: '', claimed_until_ms: 0 };
}

export function compareAlerts(a: AlertRecord, b: AlertRecord): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
