import { CoalescedRuns } from '../src/coalesced-runs';

describe('CoalescedRuns', () => {
  test('calls made while a run goes share the next run; a key is forgotten when done', async () => {
    const runs = new CoalescedRuns<number>();
    let started = 0;
    let release: () => void = () => undefined;
    const task = () =>
      new Promise<number>((resolve) => {
        started += 1;
        const n = started;
        release = () => resolve(n);
      });
    const first = runs.run('k', task);
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toBe(1);
    const second = runs.run('k', task);
    const third = runs.run('k', task);
    expect(second).toBe(third);
    expect(runs.size).toBe(1);
    release();
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(2);
    release();
    expect(await second).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(runs.size).toBe(0);
  });

  test('a failed run does not stop the next, and keys are independent', async () => {
    const runs = new CoalescedRuns<string>();
    let failed = false;
    const failing = runs.run('a', () => {
      failed = true;
      return Promise.reject(new Error('boom'));
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(failed).toBe(true);
    const next = runs.run('a', () => Promise.resolve('a2'));
    const other = runs.run('b', () => Promise.resolve('b1'));
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('a2');
    expect(await other).toBe('b1');
  });
});
