/** An opaque timer handle. */
export type TimerHandle = unknown;

/**
 * Time and timers, injectable so tests never sleep. The scheduler and the job's timeouts
 * use it; `systemClock` reads the global `Date.now`/`setTimeout` at each call, so
 * `jest.useFakeTimers()` controls it too.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The longest delay `setTimeout` accepts; longer waits are re-armed. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;
