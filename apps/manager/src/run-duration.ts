import { isZeroTime, parseRfc3339OrZero } from '@tunasync/api-types';
import type { Rfc3339 } from '@tunasync/api-types';

/**
 * Seconds from `started` to `ended` of a finished sync (milliseconds as decimals), or
 * undefined when it is unknown: either time is the zero time or missing, or `ended` is
 * before `started` (a sync that started again and is still running). The last duration of
 * `/metrics` and the `duration` of a history record.
 */
export function runDurationSeconds(started: Rfc3339, ended: Rfc3339): number | undefined {
  const from = parseRfc3339OrZero(started);
  const to = parseRfc3339OrZero(ended);
  if (isZeroTime(from) || isZeroTime(to) || to.getTime() < from.getTime()) return undefined;
  return (to.getTime() - from.getTime()) / 1000;
}
