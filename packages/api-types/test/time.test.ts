import {
  ZERO_TIME,
  formatRfc3339,
  formatWebTime,
  isZeroTime,
  parseRfc3339,
  parseRfc3339OrZero,
  toUnixSeconds,
  rfc3339Offset,
  toWebMirrorStatus,
  type MirrorStatus,
} from '../src';

// `npm test` runs this file under several time zones (see package.json); each zone has its
// expected local rendering of the same instants.
const ZONES: Record<string, { rfc: string; web: string; wall: string }> = {
  UTC: { rfc: 'Z', web: '+0000', wall: '2026-01-02 07:04:05' },
  'Asia/Shanghai': { rfc: '+08:00', web: '+0800', wall: '2026-01-02 15:04:05' },
  'America/St_Johns': { rfc: '-03:30', web: '-0330', wall: '2026-01-02 03:34:05' },
};
const zone = ZONES[process.env.TZ ?? ''];

// 2026-01-02T07:04:05Z
const INSTANT = Date.UTC(2026, 0, 2, 7, 4, 5);

describe(`time helpers under TZ=${process.env.TZ}`, () => {
  it('runs under a known time zone', () => {
    expect(zone).toBeDefined();
  });

  const z = zone ?? ZONES.UTC!;
  const [wallDate, wallTime] = z.wall.split(' ') as [string, string];

  it('formats RFC 3339 in the local offset like Go', () => {
    expect(formatRfc3339(new Date(INSTANT))).toBe(`${wallDate}T${wallTime}${z.rfc}`);
  });

  it('writes only the fractional digits needed', () => {
    expect(formatRfc3339(new Date(INSTANT + 123))).toBe(`${wallDate}T${wallTime}.123${z.rfc}`);
    expect(formatRfc3339(new Date(INSTANT + 500))).toBe(`${wallDate}T${wallTime}.5${z.rfc}`);
    expect(formatRfc3339(new Date(INSTANT + 20))).toBe(`${wallDate}T${wallTime}.02${z.rfc}`);
  });

  it('writes the zero time as Go does, whatever the zone', () => {
    expect(formatRfc3339(ZERO_TIME)).toBe('0001-01-01T00:00:00Z');
    expect(formatWebTime(ZERO_TIME)).toBe('0001-01-01 00:00:00 +0000');
    expect(toUnixSeconds(ZERO_TIME)).toBe(-62135596800);
  });

  it('formats the web text form in the local offset', () => {
    expect(formatWebTime(new Date(INSTANT + 999))).toBe(`${z.wall} ${z.web}`);
  });

  it('round-trips its own output', () => {
    for (const ms of [INSTANT, INSTANT + 1, INSTANT + 120, Date.UTC(1999, 11, 31, 23, 59, 59)]) {
      const text = formatRfc3339(new Date(ms));
      expect(parseRfc3339(text)?.getTime()).toBe(ms);
    }
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2026-01-02T07:04:05Z', INSTANT],
    ['2026-01-02t07:04:05z', INSTANT],
    ['2026-01-02T15:04:05+08:00', INSTANT],
    ['2026-01-02T03:34:05-03:30', INSTANT],
    ['2026-01-02T07:04:05.1Z', INSTANT + 100],
    ['2026-01-02T07:04:05.123456789Z', INSTANT + 123],
    ['2026-01-02T15:04:05.999999999+08:00', INSTANT + 999],
    ['0001-01-01T00:00:00Z', ZERO_TIME.getTime()],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('parses %s', (text, ms) => {
    expect(parseRfc3339(text)?.getTime()).toBe(ms);
  });

  it.each([
    '',
    '2026-01-02',
    '2026-01-02 07:04:05Z',
    '2026-01-02T07:04:05',
    '2026-13-02T07:04:05Z',
    '2026-02-29T07:04:05Z',
    '2026-01-32T07:04:05Z',
    '2026-01-02T24:00:00Z',
    '2026-01-02T07:60:00Z',
    '2026-01-02T07:04:05.Z',
    '2026-01-02T07:04:05+0800',
    '2026-01-02T07:04:05+24:00',
    'yesterday',
  ])('rejects %j', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });

  it('maps anything unparsable to the zero time', () => {
    expect(isZeroTime(parseRfc3339OrZero('nonsense'))).toBe(true);
    expect(isZeroTime(parseRfc3339OrZero(undefined))).toBe(true);
    expect(isZeroTime(parseRfc3339OrZero('2026-01-02T07:04:05Z'))).toBe(false);
  });
});

describe('toUnixSeconds', () => {
  it('floors to whole seconds', () => {
    expect(toUnixSeconds(new Date(INSTANT + 999))).toBe(INSTANT / 1000);
    expect(toUnixSeconds(new Date(-1))).toBe(-1);
  });
});

describe('toWebMirrorStatus', () => {
  const status: MirrorStatus = {
    name: 'debian',
    worker: 'w1',
    is_master: true,
    status: 'success',
    last_update: '2026-01-02T15:04:05.5+08:00',
    last_started: '2026-01-02T07:00:00Z',
    last_ended: '2026-01-02T07:04:05Z',
    next_schedule: '0001-01-01T00:00:00Z',
    upstream: 'rsync://example.org/debian/',
    size: '1.5G',
    error_msg: 'must not leak',
  };

  it('has exactly the fields status pages read, with both time forms', () => {
    const web = toWebMirrorStatus(status);
    expect(Object.keys(web).sort()).toEqual(
      [
        'name',
        'is_master',
        'status',
        'upstream',
        'size',
        'last_update',
        'last_update_ts',
        'last_started',
        'last_started_ts',
        'last_ended',
        'last_ended_ts',
        'next_schedule',
        'next_schedule_ts',
      ].sort(),
    );
    expect(web.last_update_ts).toBe(INSTANT / 1000);
    // Each time in the offset it was stored with, whatever the manager's zone (as Go prints).
    expect(web.last_update).toBe('2026-01-02 15:04:05 +0800');
    expect(web.last_started).toBe('2026-01-02 07:00:00 +0000');
    expect(web.last_ended_ts).toBe(INSTANT / 1000);
    expect(web.last_started_ts).toBe(Date.UTC(2026, 0, 2, 7) / 1000);
    expect(web.next_schedule).toBe('0001-01-01 00:00:00 +0000');
    expect(web.next_schedule_ts).toBe(-62135596800);
    expect(web).toMatchObject({ name: 'debian', is_master: true, status: 'success', size: '1.5G' });
  });
});

describe('rfc3339Offset', () => {
  it.each([
    ['2026-01-02T15:04:05.5+08:00', 480],
    ['2026-01-02T07:00:00Z', 0],
    ['2026-01-02T03:30:00-03:30', -210],
    ['2026-01-02T03:30:00.123456789+05:45', 345],
    ['yesterday', undefined],
    ['2026-02-30T00:00:00Z', undefined],
  ])('%s → %s', (text, offset) => {
    expect(rfc3339Offset(text)).toBe(offset);
  });

  it('a /jobs time written in St. John’s prints there, with the same instant', () => {
    const web = toWebMirrorStatus({
      name: 'm',
      worker: 'w',
      is_master: true,
      status: 'success',
      last_update: '2026-01-02T03:30:00-03:30',
      last_started: '0001-01-01T00:00:00Z',
      last_ended: '0001-01-01T00:00:00Z',
      next_schedule: '2026-01-02T07:00:00Z',
      upstream: '',
      size: '',
      error_msg: '',
    });
    expect(web.last_update).toBe('2026-01-02 03:30:00 -0330');
    expect(web.last_update_ts).toBe(Date.UTC(2026, 0, 2, 7) / 1000);
    expect(web.next_schedule).toBe('2026-01-02 07:00:00 +0000');
    expect(web.last_started).toBe('0001-01-01 00:00:00 +0000');
  });
});
