import { TunasyncError } from '@tunasync/api-types';

// The manager's answers (and its silence) are the client's errors, one code for every program.
export { ManagerHttpError, ManagerUnreachableError } from '@tunasync/client';

/**
 * Every typed error of the worker: a stable code programs match on and a message
 * template for people. `ERROR_CATALOG` is the single source; the classes below use it.
 */
export const ERROR_CATALOG = {
  TUNASYNC_E_WORKER_CONFIG: 'invalid worker configuration',
  TUNASYNC_E_WORKER_USAGE: 'invalid command line',
  TUNASYNC_E_WORKER_OUTBOX_CLOSED: 'outbox is closed',
  TUNASYNC_E_WORKER_ABORTED: 'operation aborted',
  TUNASYNC_E_WORKER_STATE_DIR_BUSY: 'state directory in use by another running worker',
  TUNASYNC_E_WORKER_RELOAD: 'reload refused; the running configuration is kept',
  TUNASYNC_E_WORKER_HALTED: 'the worker is halting',
  TUNASYNC_E_WORKER_UNKNOWN_MIRROR: 'no such mirror',
} as const;

export type WorkerErrorCode = keyof typeof ERROR_CATALOG;

/** A config file that cannot be used; `problems` lists every `file:key: reason`. */
export class WorkerConfigError extends TunasyncError {
  readonly problems: readonly string[];
  readonly warnings: readonly string[];

  constructor(problems: readonly string[], warnings: readonly string[] = []) {
    super(
      'TUNASYNC_E_WORKER_CONFIG',
      `${ERROR_CATALOG.TUNASYNC_E_WORKER_CONFIG}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    this.name = 'WorkerConfigError';
    this.problems = problems;
    this.warnings = warnings;
  }
}

/** A bad flag or argument on the command line (exit code 2). */
export class UsageError extends TunasyncError {
  constructor(message: string) {
    super('TUNASYNC_E_WORKER_USAGE', message);
    this.name = 'UsageError';
  }
}

/** An outbox was used after `close()`. */
export class OutboxClosedError extends TunasyncError {
  constructor(what: string) {
    super(
      'TUNASYNC_E_WORKER_OUTBOX_CLOSED',
      `${ERROR_CATALOG.TUNASYNC_E_WORKER_OUTBOX_CLOSED}: ${what}`,
    );
    this.name = 'OutboxClosedError';
  }
}

/** Another live worker process uses the same state directory (two workers, one state). */
export class StateDirBusyError extends TunasyncError {
  readonly pid: number;

  constructor(stateDir: string, pid: number) {
    super(
      'TUNASYNC_E_WORKER_STATE_DIR_BUSY',
      `${ERROR_CATALOG.TUNASYNC_E_WORKER_STATE_DIR_BUSY}: ${stateDir} (pid ${pid}); give each worker its own --state-dir`,
    );
    this.name = 'StateDirBusyError';
    this.pid = pid;
  }
}

/** A reload found a file it cannot use; `problems` lists every `file:key: reason`. */
export class ReloadError extends TunasyncError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(
      'TUNASYNC_E_WORKER_RELOAD',
      `${ERROR_CATALOG.TUNASYNC_E_WORKER_RELOAD}: ${problems.join('; ')}`,
      options,
    );
    this.name = 'ReloadError';
    this.problems = problems;
  }
}

/** A command reached a worker that is halting. */
export class WorkerHaltedError extends TunasyncError {
  constructor(what: string) {
    super('TUNASYNC_E_WORKER_HALTED', `${ERROR_CATALOG.TUNASYNC_E_WORKER_HALTED}: ${what}`);
    this.name = 'WorkerHaltedError';
  }
}

/** A command named a mirror the worker does not have (any more). */
export class UnknownMirrorError extends TunasyncError {
  constructor(name: string) {
    super(
      'TUNASYNC_E_WORKER_UNKNOWN_MIRROR',
      `${ERROR_CATALOG.TUNASYNC_E_WORKER_UNKNOWN_MIRROR}: ${name}`,
    );
    this.name = 'UnknownMirrorError';
  }
}
