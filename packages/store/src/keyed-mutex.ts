/**
 * Runs async critical sections one at a time per key, in call order. Keys are independent:
 * work on one key never waits for another. An entry is dropped when its queue drains.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** How many keys have work queued or running (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
