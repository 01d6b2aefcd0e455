import type { ProviderProgress } from '@tunasync/core';
import { ProgressTicker } from '../../src/runtime/progress-ticker';
import { ManualClock } from '../helpers/manual-clock';

/** Lets the promise callbacks of a tick run (no time passes). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ProgressTicker', () => {
  it('reads once per interval and posts only the values that changed', async () => {
    const clock = new ManualClock();
    const values: Array<ProviderProgress | undefined> = [
      { files: 0, bytes: 0 },
      { files: 0, bytes: 0 },
      undefined, // the run ended between two ticks: nothing to post
      { files: 1, bytes: 10 },
      { files: 1, bytes: 12 },
      { files: 1, bytes: 12 },
    ];
    let reads = 0;
    const posts: ProviderProgress[] = [];
    const ticker = new ProgressTicker({
      read: () => Promise.resolve(values[reads++]),
      post: (p) => posts.push(p),
      intervalMs: 1000,
      clock,
    });
    ticker.start();
    ticker.start(); // already started: still one timer
    expect(clock.pending()).toEqual([1000]);
    clock.advance(999);
    await settle();
    expect(reads).toBe(0);
    for (let i = 0; i < values.length; i += 1) {
      clock.advance(i === 0 ? 1 : 1000);
      await settle();
      expect(reads).toBe(i + 1);
      expect(clock.pending()).toEqual([1000]);
    }
    expect(posts).toEqual([
      { files: 0, bytes: 0 },
      { files: 1, bytes: 10 },
      { files: 1, bytes: 12 },
    ]);
    ticker.stop();
    expect(clock.pending()).toEqual([]);
    expect(ticker.isStopped).toBe(true);
  });

  it('never overlaps reads, and posts nothing once stopped, even from a read in flight', async () => {
    const clock = new ManualClock();
    const slow = deferred<ProviderProgress>();
    let reads = 0;
    const posts: ProviderProgress[] = [];
    const ticker = new ProgressTicker({
      read: () => {
        reads += 1;
        return slow.promise;
      },
      post: (p) => posts.push(p),
      intervalMs: 500,
      clock,
    });
    ticker.start();
    clock.advance(500);
    await settle();
    expect(reads).toBe(1);
    expect(clock.pending()).toEqual([]); // the next tick is armed once this read is done
    clock.advance(5000);
    expect(reads).toBe(1);
    ticker.stop();
    slow.resolve({ files: 3, bytes: 4 });
    await settle();
    expect(posts).toEqual([]);
    expect(clock.pending()).toEqual([]);
    ticker.start(); // stopped for good
    expect(clock.pending()).toEqual([]);
  });

  it('a failing read is reported and the ticks go on', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    let reads = 0;
    const posts: ProviderProgress[] = [];
    const ticker = new ProgressTicker({
      read: () =>
        reads++ === 0
          ? Promise.reject(new Error('log gone'))
          : Promise.resolve({ files: 1, bytes: 1 }),
      post: (p) => posts.push(p),
      intervalMs: 100,
      clock,
      onError: (err) => errors.push(err),
    });
    ticker.start();
    clock.advance(100);
    await settle();
    expect(errors).toEqual([new Error('log gone')]);
    clock.advance(100);
    await settle();
    expect(posts).toEqual([{ files: 1, bytes: 1 }]);
    ticker.stop();
  });
});
