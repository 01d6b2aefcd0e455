/**
 * Runs async sections one after another, in the order they were asked for (the reloads'
 * reading of their file). A failing section does not block the next.
 */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(section, section);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
