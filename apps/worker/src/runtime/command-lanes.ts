/**
 * Orders the worker's async sections: one lane per mirror, plus worker-wide sections.
 *
 * - `run(key, section)` runs after every earlier section of the same key and after every
 *   worker-wide section asked for before it; sections of other keys run beside it.
 * - `runExclusive(section)` runs once every section asked for before it (of any key) has
 *   settled; every section asked for after it waits for it.
 *
 * A failing section does not block the ones behind it.
 */
export class CommandLanes {
  private exclusive: Promise<unknown> = Promise.resolve();
  private readonly lanes = new Map<string, Promise<unknown>>();

  run<T>(key: string, section: () => Promise<T> | T): Promise<T> {
    const earlier = Promise.all([this.exclusive, this.lanes.get(key)]);
    const next = earlier.then(section);
    const tail = next.catch(() => undefined);
    this.lanes.set(key, tail);
    void tail.then(() => {
      if (this.lanes.get(key) === tail) this.lanes.delete(key);
    });
    return next;
  }

  runExclusive<T>(section: () => Promise<T> | T): Promise<T> {
    const earlier = Promise.all([this.exclusive, ...this.lanes.values()]);
    // Every later section waits for this one, which waits for these: they need no tail.
    this.lanes.clear();
    const next = earlier.then(section);
    this.exclusive = next.catch(() => undefined);
    return next;
  }

  /** How many keys have a section queued or running (diagnostics, tests). */
  get busyLanes(): number {
    return this.lanes.size;
  }
}
