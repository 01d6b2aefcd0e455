import type { AlertEventKind, Rfc3339, SyncStatus } from '@tunasync/api-types';

/** The `version` of the webhook body and of the exec sink's stdin (the manager README). */
export const ALERT_SCHEMA_VERSION = 1;

/** One thing that happened, derived by the manager from the statuses it keeps. */
export interface AlertEvent {
  /** Deterministic: the same happening gets the same id on every manager and after a restart. */
  id: string;
  event: AlertEventKind;
  /** When it happened (the run's end for `failed`/`recovered`, else when it was seen). */
  time: Rfc3339;
  worker: string;
  /** The mirror; absent for `worker-offline` / `worker-online`. */
  mirror?: string;
  status?: SyncStatus;
  /** The run's error message (`failed`). */
  error?: string;
  /** Failed runs in a row: so far (`failed`), or before this success (`recovered`). */
  consecutive_failures?: number;
  /** The last success of the mirror (`last_update`), when it ever succeeded. */
  last_success?: Rfc3339;
  upstream?: string;
  /** When the worker was last heard from (worker events). */
  last_online?: Rfc3339;
  /** A test event (`tunasynctl alerts test`). */
  test?: boolean;
}

/**
 * What a sink delivers: the webhook's JSON body, the exec sink's stdin, the e-mail's
 * content. `digest` when the throttle held events back and they go out together.
 */
export interface AlertPayload {
  version: typeof ALERT_SCHEMA_VERSION;
  /** The alert's id (the same on every retry: receivers can drop duplicates by it). */
  id: string;
  rule: string;
  kind: 'event' | 'digest';
  /** One line for people. */
  summary: string;
  events: AlertEvent[];
}

/** The subject an event is about, for throttling: the mirror on its worker, or the worker. */
export function eventSubject(event: AlertEvent): string {
  return event.mirror === undefined ? `worker ${event.worker}` : `${event.mirror}@${event.worker}`;
}

/** One line for people about one event. */
export function describeEvent(event: AlertEvent): string {
  const on = event.mirror === undefined ? '' : `[${event.mirror}] @<${event.worker}> `;
  switch (event.event) {
    case 'failed':
      return `${on}failed (${event.consecutive_failures ?? 1} in a row)${
        event.error ? `: ${event.error}` : ''
      }`;
    case 'recovered':
      return `${on}recovered after ${event.consecutive_failures ?? 1} failure(s)`;
    case 'stale':
      return `${on}is stale: last success ${event.last_success ?? 'never'}`;
    case 'worker-offline':
      return `worker <${event.worker}> is offline (last seen ${event.last_online ?? 'never'})`;
    case 'worker-online':
      return `worker <${event.worker}> is online again`;
  }
}

export function payloadSummary(payload: Pick<AlertPayload, 'kind' | 'events'>): string {
  const [first] = payload.events;
  if (payload.kind === 'event' && first !== undefined) return describeEvent(first);
  return `${payload.events.length} event(s) held back by the throttle: ${payload.events
    .map(describeEvent)
    .join('; ')}`;
}
