import { createTrigger, cronTrigger, formatGoDuration, intervalTrigger } from '../src';

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
