import type { Logger } from '@tunasync/api-types';

/** One step of a halt: what it releases (for the log) and how. */
export interface HaltStep {
  readonly name: string;
  readonly run: () => Promise<unknown> | unknown;
}

/** A step that threw or rejected; the halt went on with the next one. */
export interface HaltFailure {
  readonly step: string;
  readonly error: unknown;
}

/**
 * The worker's halt as a list of steps, run in order, each once. A step that fails is
 * logged and collected, and the next step runs all the same (as bullmq's `close()`): the
 * halt always resolves, and `finished` with it. `run()` is idempotent.
 */
export class Halt {
  /** Resolves (with the failed steps) once every step has run. */
  readonly finished: Promise<readonly HaltFailure[]>;
  private running: Promise<readonly HaltFailure[]> | undefined;
  private resolveFinished: (failures: readonly HaltFailure[]) => void = () => undefined;

  constructor(
    private readonly steps: readonly HaltStep[],
    private readonly logger: Logger,
  ) {
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  /** A halt was asked for (it may still be running). */
  get started(): boolean {
    return this.running !== undefined;
  }

  /** Runs the steps, the first time; every call returns the same promise. */
  run(): Promise<readonly HaltFailure[]> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<readonly HaltFailure[]> {
    const failures: HaltFailure[] = [];
    for (const step of this.steps) {
      try {
        await step.run();
      } catch (error) {
        failures.push({ step: step.name, error });
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error(`halting: ${step.name} failed: ${reason}; going on`);
      }
    }
    this.resolveFinished(failures);
    return failures;
  }
}
