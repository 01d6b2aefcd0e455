import type { CommandWrapper } from './command-spec';
import type { JobHook } from './job-hook';
import type { LayeredContext } from './layered-context';

/** Values a provider keeps in its layered context; hooks override them for one run. */
export interface ProviderContextValues {
  /** Where this run's stdout/stderr go; `/dev/null` means no log. */
  logFile: string;
  /** The wrapper applied to the command of this run, if any. */
  commandWrapper: CommandWrapper;
}

/** How far the current run of a provider has got (SPEC §7.9). */
export interface ProviderProgress {
  /** Regular files transferred so far in this run. */
  files: number;
  /** Their total size in bytes, as far as it is known. */
  bytes: number;
}

/**
 * What a job runs. Implementations: the rsync, two-stage-rsync and command providers in
 * `@tunasync/providers`, or your own.
 */
export interface Provider {
  readonly name: string;
  readonly upstream: string;
  /** `rsync`, `two-stage-rsync`, `command`, or a custom kind. */
  readonly type: string;
  readonly workingDir: string;
  readonly logDir: string;
  /** Minutes between the end of a successful run and the next start. */
  readonly interval: number;
  /** Attempts per run (at least 1). */
  readonly retry: number;
  /** Seconds one attempt may take; 0 = no limit. */
  readonly timeout: number;
  /** `role` of the mirror is not `slave`. */
  readonly isMaster: boolean;
  readonly context: LayeredContext<ProviderContextValues>;

  /** The log file of the current run (from the context). */
  logFile(): string;
  /** Hooks in the order they were attached. */
  hooks(): readonly JobHook[];
  addHook(hook: JobHook): void;

  /**
   * Run once. Resolves on success; rejects with an Error whose message says why the run
   * failed (it becomes the report's `error_msg`). Never runs twice at once.
   */
  run(): Promise<void>;
  /**
   * Stop the current run, if any: resolves only when every process of the run is gone.
   * The pending `run()` then rejects.
   */
  terminate(): Promise<void>;
  /** Size of the mirror found after the last successful run (`1.5G`), or undefined. */
  dataSize(): string | undefined;
  /**
   * Optional, live progress (SPEC §7.9): how far the current run has got, or undefined when
   * no run is in progress or the provider cannot tell (e.g. no log). Cheap and bounded per
   * call, so it can be polled while a run goes on; never throws for a missing or unreadable
   * source (it answers undefined or the last known value). Job code does not call it: the
   * worker polls it to show progress at the manager. Providers without it have no progress.
   */
  progress?(): Promise<ProviderProgress | undefined>;
}
