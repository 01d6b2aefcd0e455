import { TunasyncError, defineErrors } from '@tunasync/api-types';
import type { ErrorCodeOf } from '@tunasync/api-types';

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Every typed error of the worker: a stable code programs match on, the message template
 * and, for the control server's answers, the HTTP status. An error that carries data (the
 * problems of a config file) is one of the classes below, built by its entry's `make`.
 */
export const WORKER_ERRORS = defineErrors({
  /** A config file that cannot be used (`WorkerConfigError`). */
  config: {
    code: 'TUNASYNC_E_WORKER_CONFIG',
    message: (problems: readonly string[], _warnings?: readonly string[]) =>
      `invalid worker configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    make: ([problems, warnings]: [readonly string[], (readonly string[])?]) =>
      new WorkerConfigError(problems, warnings),
  },
  /** A bad flag or argument on the command line (`UsageError`, exit code 2). */
  usage: {
    code: 'TUNASYNC_E_WORKER_USAGE',
    message: (text: string) => text,
    make: ([text]: [string]) => new UsageError(text),
  },
  /** The manager answered with a non-2xx status (`ManagerHttpError`). */
  managerHttp: {
    code: 'TUNASYNC_E_WORKER_MANAGER_HTTP',
    message: (url: string, status: number, reason: string) => `${url}: HTTP ${status}: ${reason}`,
    make: ([url, status, reason]: [string, number, string]) =>
      new ManagerHttpError(url, status, reason),
  },
  /** The manager could not be reached at all (`ManagerUnreachableError`). */
  managerUnreachable: {
    code: 'TUNASYNC_E_WORKER_MANAGER_UNREACHABLE',
    message: (url: string, cause: unknown) => `${url}: ${reasonOf(cause)}`,
    make: ([url, cause]: [string, unknown]) => new ManagerUnreachableError(url, cause),
  },
  /** An outbox was used after `close()` (`OutboxClosedError`). */
  outboxClosed: {
    code: 'TUNASYNC_E_WORKER_OUTBOX_CLOSED',
    message: (what: string) => `outbox is closed: ${what}`,
    make: ([what]: [string]) => new OutboxClosedError(what),
  },
  /** Another live worker process uses the same state directory (`StateDirBusyError`). */
  stateDirBusy: {
    code: 'TUNASYNC_E_WORKER_STATE_DIR_BUSY',
    message: (stateDir: string, pid: number) =>
      `state directory in use by another running worker: ${stateDir} (pid ${pid}); give each worker its own --state-dir`,
    make: ([stateDir, pid]: [string, number]) => new StateDirBusyError(stateDir, pid),
  },
  /** A reload found a file it cannot use (`ReloadError`); the running configuration is kept. */
  reload: {
    code: 'TUNASYNC_E_WORKER_RELOAD',
    message: (problems: readonly string[]) =>
      `reload refused; the running configuration is kept: ${problems.join('; ')}`,
    make: ([problems]: [readonly string[]], options) => new ReloadError(problems, options),
  },
  /** A command reached a worker that is halting (`WorkerHaltedError`). */
  halted: {
    code: 'TUNASYNC_E_WORKER_HALTED',
    status: 503,
    message: (what: string) => `the worker is halting: ${what}`,
    make: ([what]: [string]) => new WorkerHaltedError(what),
  },
  /** A command named a mirror the worker does not have any more (`UnknownMirrorError`). */
  unknownMirror: {
    code: 'TUNASYNC_E_WORKER_UNKNOWN_MIRROR',
    message: (name: string) => `no such mirror: ${name}`,
    make: ([name]: [string]) => new UnknownMirrorError(name),
  },
  /** An `[include] include_mirrors` glob that cannot be read (a config problem). */
  badGlob: {
    code: 'TUNASYNC_E_WORKER_GLOB',
    message: (segment: string, reason: string) =>
      `bad pattern ${JSON.stringify(segment)}: ${reason}`,
  },
  /** The manager's list of stored statuses is not a list. */
  badManagerAnswer: {
    code: 'TUNASYNC_E_WORKER_MANAGER_ANSWER',
    message: (what: string) => `the answer is not ${what}`,
  },
  /** Control server: a command without the right bearer token. */
  controlUnauthorized: {
    code: 'TUNASYNC_E_WORKER_CONTROL_UNAUTHORIZED',
    status: 401,
    message: () => 'Unauthorized: missing or wrong bearer token',
  },
  /** Control server: a body over the limit. */
  controlTooLarge: {
    code: 'TUNASYNC_E_WORKER_CONTROL_TOO_LARGE',
    status: 413,
    message: () => 'Request body too large (limit 64 KiB)',
  },
  /** Control server: a body that is not a command (Go's text). */
  controlInvalidRequest: {
    code: 'TUNASYNC_E_WORKER_CONTROL_INVALID_REQUEST',
    status: 400,
    message: () => 'Invalid request',
  },
  /** Control server: a verb that does not go with the target (Go's text). */
  controlInvalidCommand: {
    code: 'TUNASYNC_E_WORKER_CONTROL_INVALID_COMMAND',
    status: 406,
    message: () => 'Invalid Command',
  },
  /** Control server: a command for a mirror the worker does not have (Go's text). */
  controlMirrorNotFound: {
    code: 'TUNASYNC_E_WORKER_CONTROL_MIRROR_NOT_FOUND',
    status: 404,
    message: (name: string) => `Mirror \`\`${name}'' not found`,
  },
});

export type WorkerErrorCode = ErrorCodeOf<typeof WORKER_ERRORS>;

/** A config file that cannot be used; `problems` lists every `file:key: reason`. */
export class WorkerConfigError extends TunasyncError {
  readonly problems: readonly string[];
  readonly warnings: readonly string[];

  constructor(problems: readonly string[], warnings: readonly string[] = []) {
    super(WORKER_ERRORS.config.code, WORKER_ERRORS.config.message(problems));
    this.name = 'WorkerConfigError';
    this.problems = problems;
    this.warnings = warnings;
  }
}

/** A bad flag or argument on the command line (exit code 2). */
export class UsageError extends TunasyncError {
  constructor(message: string) {
    super(WORKER_ERRORS.usage.code, WORKER_ERRORS.usage.message(message));
    this.name = 'UsageError';
  }
}

/** The manager answered with a non-2xx status. */
export class ManagerHttpError extends TunasyncError {
  override readonly status: number;
  readonly url: string;
  /** The `error` text of the manager's JSON body, or the raw body. */
  readonly reason: string;

  constructor(url: string, status: number, reason: string) {
    super(WORKER_ERRORS.managerHttp.code, WORKER_ERRORS.managerHttp.message(url, status, reason));
    this.name = 'ManagerHttpError';
    this.status = status;
    this.url = url;
    this.reason = reason;
  }

  /** The manager does not know this worker (it lost its database): register again. */
  get isUnknownWorker(): boolean {
    return this.status === 400 && this.reason.startsWith('invalid workerID');
  }

  /**
   * The manager has no such route: a 405, or a 404 that is not a tunasync-ts manager's
   * `no mirror '…' exists in worker '…'` (a Go manager answers `404 page not found`, an older
   * tunasync-ts manager `no route …`).
   */
  get isMissingRoute(): boolean {
    if (this.status === 405) return true;
    return this.status === 404 && !this.reason.startsWith("no mirror '");
  }
}

/** The manager could not be reached at all (connection refused, timeout, TLS failure). */
export class ManagerUnreachableError extends TunasyncError {
  readonly url: string;

  constructor(url: string, cause: unknown) {
    const entry = WORKER_ERRORS.managerUnreachable;
    super(entry.code, entry.message(url, cause), { cause });
    this.name = 'ManagerUnreachableError';
    this.url = url;
  }
}

/** An outbox was used after `close()`. */
export class OutboxClosedError extends TunasyncError {
  constructor(what: string) {
    super(WORKER_ERRORS.outboxClosed.code, WORKER_ERRORS.outboxClosed.message(what));
    this.name = 'OutboxClosedError';
  }
}

/** Another live worker process uses the same state directory (two workers, one state). */
export class StateDirBusyError extends TunasyncError {
  readonly pid: number;

  constructor(stateDir: string, pid: number) {
    super(WORKER_ERRORS.stateDirBusy.code, WORKER_ERRORS.stateDirBusy.message(stateDir, pid));
    this.name = 'StateDirBusyError';
    this.pid = pid;
  }
}

/** A reload found a file it cannot use; `problems` lists every `file:key: reason`. */
export class ReloadError extends TunasyncError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(WORKER_ERRORS.reload.code, WORKER_ERRORS.reload.message(problems), options);
    this.name = 'ReloadError';
    this.problems = problems;
  }
}

/** A command reached a worker that is halting. */
export class WorkerHaltedError extends TunasyncError {
  constructor(what: string) {
    const entry = WORKER_ERRORS.halted;
    super(entry.code, entry.message(what), { status: entry.status });
    this.name = 'WorkerHaltedError';
  }
}

/** A command named a mirror the worker does not have (any more). */
export class UnknownMirrorError extends TunasyncError {
  constructor(name: string) {
    super(WORKER_ERRORS.unknownMirror.code, WORKER_ERRORS.unknownMirror.message(name));
    this.name = 'UnknownMirrorError';
  }
}
