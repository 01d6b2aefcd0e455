import { createTrigger, cronProblem, cronTrigger, formatGoDuration, intervalTrigger } from '../src';

describe('run triggers', () => {
  it('interval: minutes after the given time', () => {
    const t = intervalTrigger(120);
    expect(t.description).toBe('every 120 minutes');
    expect(t.next(new Date(0)).getTime()).toBe(120 * 60_000);
  });

  it.each([0, -1, NaN, Infinity])('interval %p is a coded error', (v) => {
    expect(() => intervalTrigger(v)).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_INTERVAL' }),
    );
  });

  it('cron: the next matching local time after a future start', () => {
    const after = new Date(new Date().getFullYear() + 1, 0, 1, 0, 30, 0);
    const t = cronTrigger('15 3 * * *');
    expect(t.next(after)).toEqual(new Date(after.getFullYear(), 0, 1, 3, 15, 0));
  });

  it.each(['not a cron', '61 * * * *', ''])('cron %j is a coded error', (expr) => {
    expect(() => cronTrigger(expr)).toThrow(expect.objectContaining({ code: 'TUNASYNC_E_CRON' }));
  });

  it('cron: the error says why', () => {
    expect(() => cronTrigger('61 * * * *')).toThrow(
      'invalid cron expression "61 * * * *": Constraint error, got value 61 expected range 0-59',
    );
  });

  it.each(['0 */6 * * *', '30 3 1-15/2 jan-mar mon,fri', '0 0 3 * * 0', '0 0 * * 7', '0 0 L * *'])(
    'cronProblem accepts %j and so does cronTrigger',
    (expr) => {
      expect(cronProblem(expr)).toBeUndefined();
      expect(cronTrigger(expr).next(new Date()).getTime()).toBeGreaterThan(Date.now());
    },
  );

  it.each([
    [
      '',
      'must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 0',
    ],
    [
      '* * *',
      'must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 3',
    ],
    [
      '@daily',
      'must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 1',
    ],
    [
      '* * * * * * *',
      'must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 7',
    ],
    ['0 24 * * *', 'Constraint error, got value 24 expected range 0-23'],
    ['*/0 * * * *', 'Constraint error, cannot repeat at every 0 time.'],
    ['5-1 * * * *', 'Invalid range: 5-1'],
    ['1/2/3 * * * *', 'Invalid repeat: 1/2/3'],
    ['0 0 0 * *', 'Constraint error, got value 0 expected range 1-31'],
    ['0 0 * foo *', 'Validation error, cannot resolve alias "foo"'],
    ['0 0 30 2 *', 'Invalid explicit day of month definition'],
    // A date string (node-schedule, used before, would have read it as a one-time job).
    ['Jan 1 2099 10:00 GMT', 'Invalid characters, got value: Jan'],
  ])('cronProblem(%j) and cronTrigger agree: %s', (expr, reason) => {
    expect(cronProblem(expr)).toBe(reason);
    expect(() => cronTrigger(expr)).toThrow(expect.objectContaining({ code: 'TUNASYNC_E_CRON' }));
  });

  it('createTrigger prefers cron over interval, defaults to 120 minutes', () => {
    expect(createTrigger({ interval: 5, cron: '0 * * * *' }).description).toBe('cron "0 * * * *"');
    expect(createTrigger({ interval: 5 }).description).toBe('every 5 minutes');
    expect(createTrigger({}).description).toBe('every 120 minutes');
    expect(createTrigger({ interval: 5, cron: '' }).description).toBe('every 5 minutes');
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [300, '300ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [45_000, '45s'],
    [90_000, '1m30s'],
    [120_000, '2m0s'],
    [3_600_000, '1h0m0s'],
    [3_723_000, '1h2m3s'],
    [-2000, '-2s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});
