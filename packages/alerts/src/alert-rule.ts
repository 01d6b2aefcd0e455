import type { AlertEventKind } from '@tunasync/api-types';
import type { AlertEvent } from './alert-event';
import type { NameMatcher } from './name-glob';

/** Where a rule's alerts go (one sink per rule). */
export type SinkConfig =
  | {
      kind: 'webhook';
      url: string;
      /** HMAC-SHA256 key of the `X-Tunasync-Signature` header; none: no header. */
      secret?: string;
      timeoutMs: number;
      /** A JSON text with `{{placeholders}}` (webhook-template.ts) sent instead of the payload. */
      template?: string;
    }
  | { kind: 'email'; to: string[]; from: string; smtpUrl: string }
  | { kind: 'exec'; argv: string[] };

export type SinkKind = SinkConfig['kind'];

/** One `[[alerts]]` table, checked and with its defaults. */
export interface AlertRule {
  name: string;
  events: ReadonlySet<AlertEventKind>;
  mirrors: NameMatcher;
  workers: NameMatcher;
  /** `failed` goes out when this many runs in a row failed; `recovered` only after as many. */
  afterFailures: number;
  /** At most one alert per subject (mirror or worker) in this long; 0: no throttle. */
  throttleMs: number;
  /** Attempts after the first before an alert is given up on. */
  retries: number;
  sink: SinkConfig;
}

/** Whether `event` goes through `rule` (a test event always does). */
export function ruleMatches(rule: AlertRule, event: AlertEvent): boolean {
  if (event.test === true) return true;
  if (!rule.events.has(event.event) || !rule.workers(event.worker)) return false;
  if (event.mirror !== undefined && !rule.mirrors(event.mirror)) return false;
  const failures = event.consecutive_failures ?? 0;
  if (event.event === 'failed') return failures === rule.afterFailures;
  if (event.event === 'recovered') return failures >= rule.afterFailures;
  return true;
}
