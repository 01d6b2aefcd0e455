import { ConcurrencyGate, MAX_TIMER_DELAY, MirrorJob, Scheduler, cronTrigger } from '../src';
import type { Clock } from '../src';
import { ControlledProvider } from './helpers/test-provider';
import { flush } from './helpers/events';

const T0 = new Date('2026-03-01T10:00:00.000Z').getTime();

interface Named {
  readonly name: string;
}
const job = (name: string): Named => ({ name });

describe('Scheduler (fake timers)', () => {
  let fired: { name: string; at: number; firedAt: number }[];
  let scheduler: Scheduler<Named>;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    fired = [];
    scheduler = new Scheduler<Named>({
      onDue: (j, at) => fired.push({ name: j.name, at: at.getTime(), firedAt: Date.now() }),
    });
  });

  afterEach(() => {
    scheduler.close();
    jest.useRealTimers();
  });

  it('fires a due job at its time, not before, without polling', () => {
    scheduler.add(job('a'), new Date(T0 + 5000));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(4999);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual([{ name: 'a', at: T0 + 5000, firedAt: T0 + 5000 }]);
    expect(scheduler.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fires within 50 ms of the due time for many spread entries', () => {
    for (let i = 0; i < 100; i++) scheduler.add(job(`j${i}`), new Date(T0 + 997 * i + 13));
    jest.advanceTimersByTime(200_000);
    expect(fired).toHaveLength(100);
    for (const f of fired) expect(f.firedAt - f.at).toBeLessThan(50);
    expect(fired.map((f) => f.name)).toEqual(Array.from({ length: 100 }, (_, i) => `j${i}`));
  });

  it('keeps every job that shares one due time, in the order added', () => {
    const names = Array.from({ length: 500 }, (_, i) => `m${i}`);
    for (const n of names) scheduler.add(job(n), new Date(T0 + 1000));
    jest.advanceTimersByTime(1000);
    expect(fired.map((f) => f.name)).toEqual(names);
  });

  it('add replaces the previous entry of the job', () => {
    scheduler.add(job('a'), new Date(T0 + 1000));
    scheduler.add(job('a'), new Date(T0 + 3000));
    expect(scheduler.list().map((e) => [e.name, e.at.getTime()])).toEqual([['a', T0 + 3000]]);
    jest.advanceTimersByTime(2000);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1000);
    expect(fired.map((f) => f.name)).toEqual(['a']);
  });

  it('moving an entry earlier re-arms the timer', () => {
    scheduler.add(job('a'), new Date(T0 + 60_000));
    scheduler.add(job('a'), new Date(T0 + 10));
    jest.advanceTimersByTime(10);
    expect(fired.map((f) => f.firedAt)).toEqual([T0 + 10]);
  });

  it('remove drops the entry; list is earliest first', () => {
    scheduler.add(job('late'), new Date(T0 + 3000));
    scheduler.add(job('early'), new Date(T0 + 1000));
    scheduler.add(job('mid'), new Date(T0 + 2000));
    expect(scheduler.list().map((e) => e.name)).toEqual(['early', 'mid', 'late']);
    expect(scheduler.remove('mid')).toBe(true);
    expect(scheduler.remove(job('mid'))).toBe(false);
    expect(scheduler.has('mid')).toBe(false);
    expect(scheduler.get('late')?.at.getTime()).toBe(T0 + 3000);
    expect(scheduler.get('nope')).toBeUndefined();
    scheduler.remove(job('early'));
    scheduler.remove('late');
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
  });

  it('a time in the past means now', () => {
    scheduler.add(job('overdue'), new Date(T0 - 3_600_000));
    jest.advanceTimersByTime(0);
    expect(fired.map((f) => [f.name, f.firedAt])).toEqual([['overdue', T0]]);
  });

  it('waits longer than the largest timer delay by re-arming', () => {
    const far = T0 + MAX_TIMER_DELAY + 5 * 86_400_000;
    scheduler.add(job('far'), new Date(far));
    jest.advanceTimersByTime(MAX_TIMER_DELAY);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(far - T0 - MAX_TIMER_DELAY);
    expect(fired.map((f) => f.firedAt)).toEqual([far]);
  });

  it('an onDue that throws does not stop the others; onDue may re-add', () => {
    const seen: string[] = [];
    const s = new Scheduler<Named>({
      onDue: (j) => {
        seen.push(j.name);
        if (j.name === 'bad') throw new Error('boom');
        if (seen.length < 4) s.add(j, new Date(Date.now() + 100));
      },
    });
    s.add(job('bad'), new Date(T0 + 10));
    s.add(job('good'), new Date(T0 + 10));
    jest.advanceTimersByTime(10);
    expect(seen).toEqual(['bad', 'good']);
    jest.advanceTimersByTime(100);
    jest.advanceTimersByTime(100);
    expect(seen).toEqual(['bad', 'good', 'good', 'good']);
    s.close();
  });

  it('close is idempotent, clears the timer, and refuses later adds', () => {
    scheduler.add(job('a'), new Date(T0 + 10));
    scheduler.close();
    scheduler.close();
    expect(jest.getTimerCount()).toBe(0);
    expect(() => scheduler.add(job('a'), new Date())).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_CLOSED' }),
    );
    expect(() =>
      new Scheduler<Named>({ onDue: () => undefined }).add(job('x'), new Date(NaN)),
    ).toThrow(RangeError);
  });

  it('fires cron entries at their time (cron-parser computes them)', () => {
    const local = new Date(2026, 2, 1, 1, 30, 0, 0);
    jest.setSystemTime(local);
    const trigger = cronTrigger('0 */6 * * *');
    const next = trigger.next(new Date(Date.now()));
    expect(next).toEqual(new Date(2026, 2, 1, 6, 0, 0, 0));
    scheduler.add(job('cron'), next);
    jest.advanceTimersByTime(next.getTime() - local.getTime() - 1);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired.map((f) => f.firedAt)).toEqual([next.getTime()]);
    expect(trigger.next(next)).toEqual(new Date(2026, 2, 1, 12, 0, 0, 0));
  });

  it('uses an injected clock', () => {
    const timers: { fn: () => void; ms: number }[] = [];
    const clock: Clock = {
      now: () => 1000,
      setTimeout: (fn, ms) => timers.push({ fn, ms }),
      clearTimeout: () => undefined,
    };
    const names: string[] = [];
    const s = new Scheduler<Named>({ clock, onDue: (j) => names.push(j.name) });
    s.add(job('x'), new Date(1500));
    expect(timers.map((t) => t.ms)).toEqual([500]);
    timers[0]!.fn();
    expect(names).toEqual([]);
    expect(timers.map((t) => t.ms)).toEqual([500, 500]);
  });
});

describe('Scheduler + MirrorJob + ConcurrencyGate', () => {
  afterEach(() => jest.useRealTimers());

  it('200 jobs due at the same instant all run, at most 10 at once', async () => {
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const gate = new ConcurrencyGate(10);
    let active = 0;
    let maxActive = 0;
    const successes: string[] = [];
    const scheduler = new Scheduler<MirrorJob>({ onDue: (j) => void j.start() });
    const jobs = Array.from({ length: 200 }, (_, i) => {
      const provider = new ControlledProvider({ name: `mirror-${i}` });
      provider.auto = async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await flush(2);
        active--;
        return undefined;
      };
      const j = new MirrorJob(provider, { gate });
      j.on('status', (e) => {
        if (e.status === 'success') successes.push(e.job);
        if (e.schedule) scheduler.add(j, e.nextRun!);
      });
      scheduler.add(j, new Date(T0 + 60_000));
      return j;
    });
    await jest.advanceTimersByTimeAsync(60_000);
    for (let i = 0; i < 100 && successes.length < 200; i++) await flush();
    await Promise.all(jobs.map((j) => j.whenIdle()));
    expect(successes).toHaveLength(200);
    expect(new Set(successes).size).toBe(200);
    expect(maxActive).toBe(10);
    expect(gate.active).toBe(0);
    // Every job is planned again, one interval later.
    expect(scheduler.size).toBe(200);
    expect(scheduler.list().every((e) => e.at.getTime() === T0 + 60_000 + 60 * 60_000)).toBe(true);
    scheduler.close();
  });
});
