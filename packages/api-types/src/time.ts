import type { MirrorStatus, WebMirrorStatus } from './wire-types';

/** Milliseconds of Go's zero time, 0001-01-01T00:00:00Z. */
const ZERO_MS = -62135596800000;

/** Go's zero time: "never". */
export const ZERO_TIME: Date = new Date(ZERO_MS);
export const ZERO_TIME_RFC3339 = '0001-01-01T00:00:00Z';
export const ZERO_TIME_WEB = '0001-01-01 00:00:00 +0000';
export const ZERO_TIME_UNIX = -62135596800;

export function isZeroTime(date: Date): boolean {
  return date.getTime() === ZERO_MS;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Wall-clock parts of `date` in `offset` (minutes east of UTC; the local offset by default)
 * and that offset.
 */
function localParts(date: Date, offset = -date.getTimezoneOffset()) {
  const shifted = new Date(date.getTime() + offset * 60_000);
  return {
    offset,
    date: `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`,
    time: `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`,
    ms: shifted.getUTCMilliseconds(),
  };
}

function formatOffset(offset: number, separator: string): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad(Math.floor(abs / 60))}${separator}${pad(abs % 60)}`;
}

/**
 * RFC 3339 in the local offset with as many fractional digits as needed, as Go marshals a
 * `time.Time` (`2026-01-02T15:04:05.123+08:00`; `Z` when the offset is zero). The zero
 * time is `0001-01-01T00:00:00Z`.
 */
export function formatRfc3339(date: Date): string {
  if (isZeroTime(date)) return ZERO_TIME_RFC3339;
  const p = localParts(date);
  const frac = p.ms === 0 ? '' : `.${pad(p.ms, 3).replace(/0+$/, '')}`;
  const zone = p.offset === 0 ? 'Z' : formatOffset(p.offset, ':');
  return `${p.date}T${p.time}${frac}${zone}`;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/**
 * Parses any RFC 3339 time. Sub-millisecond digits are truncated (JavaScript dates hold
 * milliseconds). Returns undefined for anything that is not a valid RFC 3339 time.
 */
export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (oh * 60 + om) * (m[9] === '-' ? -1 : 1);
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  // `Date.UTC` reads the years 0–99 as 1900–1999: those (the zero time's year 1) go the
  // slower way of `setUTCFullYear`.
  let utc: number;
  if (year >= 100) {
    utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  } else {
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, ms);
    utc = d.getTime();
  }
  return new Date(utc - offset * 60_000);
}

/** Like `parseRfc3339`, but anything unparsable is the zero time. */
export function parseRfc3339OrZero(text: string | undefined): Date {
  return (text !== undefined && parseRfc3339(text)) || ZERO_TIME;
}

/**
 * The status-page text form `YYYY-MM-DD HH:MM:SS ±hhmm` in the local offset; the zero time
 * is `0001-01-01 00:00:00 +0000`.
 */
export function formatWebTime(date: Date): string {
  if (isZeroTime(date)) return ZERO_TIME_WEB;
  const p = localParts(date);
  return `${p.date} ${p.time} ${formatOffset(p.offset, '')}`;
}

/**
 * The offset (minutes east of UTC) an RFC 3339 text was written in: 0 for `Z`, undefined
 * when the text is not RFC 3339.
 */
export function rfc3339Offset(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m || parseRfc3339(text) === undefined) return undefined;
  if (m[9] === undefined) return 0;
  return (Number(m[10]) * 60 + Number(m[11])) * (m[9] === '-' ? -1 : 1);
}

/** Whole Unix seconds (floor); the zero time is -62135596800. */
export function toUnixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * What `GET /jobs` shows for a stored status (SPEC §2.3). Each time is printed in the offset
 * it was stored with, as the Go manager prints the `time.Time` it decoded: the manager's own
 * offset for everything this manager wrote (it stamps and re-writes times in it), and for a
 * database taken over from Go the offsets Go stored (a worker's `next_schedule` in UTC).
 */
export function toWebMirrorStatus(status: MirrorStatus): WebMirrorStatus {
  const web = (text: string): [string, number] => {
    const d = parseRfc3339OrZero(text);
    if (isZeroTime(d)) return [ZERO_TIME_WEB, toUnixSeconds(d)];
    const p = localParts(d, rfc3339Offset(text));
    return [`${p.date} ${p.time} ${formatOffset(p.offset, '')}`, toUnixSeconds(d)];
  };
  const [lastUpdate, lastUpdateTs] = web(status.last_update);
  const [lastStarted, lastStartedTs] = web(status.last_started);
  const [lastEnded, lastEndedTs] = web(status.last_ended);
  const [nextSchedule, nextScheduleTs] = web(status.next_schedule);
  return {
    name: status.name,
    is_master: status.is_master,
    status: status.status,
    last_update: lastUpdate,
    last_update_ts: lastUpdateTs,
    last_started: lastStarted,
    last_started_ts: lastStartedTs,
    last_ended: lastEnded,
    last_ended_ts: lastEndedTs,
    next_schedule: nextSchedule,
    next_schedule_ts: nextScheduleTs,
    upstream: status.upstream,
    size: status.size,
  };
}
