/**
 * What a scenario must undo, whatever happened: `add` each resource as it is made, and
 * `run()` in `afterEach` undoes them, the last added first, every step even if one fails.
 */
export class Teardown {
  private readonly steps: (() => unknown)[] = [];

  /** Registers `undo(value)` and returns `value`. */
  add<T>(value: T, undo: (value: T) => unknown): T {
    this.steps.push(() => undo(value));
    return value;
  }

  async run(): Promise<void> {
    const steps = this.steps.splice(0).reverse();
    let first: unknown;
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}
