interface KeyRuns<T> {
  /** The newest run, started or not. */
  tail: Promise<T>;
  /** The run not started yet, that new calls share. */
  queued: Promise<T> | undefined;
}

/**
 * Runs of a task per key, one at a time and coalesced: a call while a run of its key is
 * going waits for the next run, which every call made before that run starts shares (the
 * task reads the newest state when it starts, so it covers all of them). N calls during
 * one run cost one more run, not N. An entry is dropped when its runs are done.
 */
export class CoalescedRuns<T> {
  private readonly keys = new Map<string, KeyRuns<T>>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const entry = this.keys.get(key);
    if (entry?.queued) return entry.queued;
    const previous: Promise<unknown> = entry?.tail ?? Promise.resolve();
    const runs: KeyRuns<T> = entry ?? { tail: Promise.resolve() as Promise<T>, queued: undefined };
    const next = previous
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        runs.queued = undefined;
        return task();
      });
    runs.tail = next;
    runs.queued = next;
    this.keys.set(key, runs);
    const forget = () => {
      if (runs.tail === next) this.keys.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  /** How many keys have runs going or queued (for tests and diagnostics). */
  get size(): number {
    return this.keys.size;
  }
}
