import { TunasyncError, defineErrors, errorCodes } from '@tunasync/api-types';
import type { ErrorCodeOf } from '@tunasync/api-types';

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Every error of the client: a stable code programs match on and the message template; each
 * is one of the classes below (built by its entry's `make`), which carry the answer's data.
 */
export const CLIENT_ERRORS = defineErrors({
  /** No HTTP answer from the manager: refused, reset, TLS failed, or none in time. */
  unreachable: {
    code: 'TUNASYNC_E_CLIENT_UNREACHABLE',
    message: (url: string, cause: unknown, _timedOut: boolean) => `${url}: ${reasonOf(cause)}`,
    make: ([url, cause, timedOut]: [string, unknown, boolean]) =>
      new ManagerUnreachableError(url, cause, timedOut),
  },
  /** The manager answered with a status outside 2xx. */
  http: {
    code: 'TUNASYNC_E_CLIENT_HTTP',
    message: (url: string, status: number, reason: string) =>
      `${url}: HTTP ${status}${reason === '' ? '' : `: ${reason}`}`,
    make: ([url, status, reason]: [string, number, string]) =>
      new ManagerHttpError(url, status, reason),
  },
  /** The manager answered 2xx with a body that is not JSON. */
  badAnswer: {
    code: 'TUNASYNC_E_CLIENT_BAD_ANSWER',
    message: (url: string, status: number, text: string) =>
      `${url}: HTTP ${status}: answer is not JSON: ${text.slice(0, 200)}`,
    make: ([url, status, text]: [string, number, string]) =>
      new ManagerBadAnswerError(url, status, text),
  },
  /** No HTTP answer from a worker's control server (the manager's call of `/cmd`). */
  workerCall: {
    code: 'TUNASYNC_E_CLIENT_WORKER_CALL',
    message: (reason: string, _timedOut: boolean) => reason,
    make: ([reason, timedOut]: [string, boolean], options) =>
      new WorkerCallError(reason, timedOut, options),
  },
});

/** The code of each error of the client, by name (`CLIENT_ERROR_CODES.unreachable`). */
export const CLIENT_ERROR_CODES = errorCodes(CLIENT_ERRORS);

export type ClientErrorCode = ErrorCodeOf<typeof CLIENT_ERRORS>;

/** The manager answered with a non-2xx status. */
export class ManagerHttpError extends TunasyncError {
  override readonly code: 'TUNASYNC_E_CLIENT_HTTP' | 'TUNASYNC_E_CLIENT_BAD_ANSWER';
  override readonly status: number;
  readonly url: string;
  /** The manager's own words: the `error` text of its JSON body, or the body's start; `''` for an empty body. */
  readonly reason: string;

  constructor(
    url: string,
    status: number,
    reason: string,
    code: 'TUNASYNC_E_CLIENT_HTTP' | 'TUNASYNC_E_CLIENT_BAD_ANSWER' = 'TUNASYNC_E_CLIENT_HTTP',
  ) {
    super(code, CLIENT_ERRORS.http.message(url, status, reason));
    this.name = 'ManagerHttpError';
    this.code = code;
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

/**
 * The manager answered 2xx with a body that is not JSON (`text`). A `ManagerHttpError` too,
 * of its own code: an answer came, and it is not one of the API's.
 */
export class ManagerBadAnswerError extends ManagerHttpError {
  readonly text: string;

  constructor(url: string, status: number, text: string) {
    super(url, status, `answer is not JSON: ${text.slice(0, 200)}`, 'TUNASYNC_E_CLIENT_BAD_ANSWER');
    this.name = 'ManagerBadAnswerError';
    this.text = text;
  }
}

/**
 * The manager could not be reached at all (connection refused, timeout, TLS failure); the
 * transport's own error is the `cause`.
 */
export class ManagerUnreachableError extends TunasyncError {
  override readonly code: 'TUNASYNC_E_CLIENT_UNREACHABLE';
  readonly url: string;
  /** No answer within the client's `timeoutMs`. */
  readonly timedOut: boolean;

  constructor(url: string, cause: unknown, timedOut: boolean) {
    super(
      'TUNASYNC_E_CLIENT_UNREACHABLE',
      CLIENT_ERRORS.unreachable.message(url, cause, timedOut),
      {
        cause,
      },
    );
    this.name = 'ManagerUnreachableError';
    this.code = 'TUNASYNC_E_CLIENT_UNREACHABLE';
    this.url = url;
    this.timedOut = timedOut;
  }
}

/**
 * A call to a worker's control server that got no HTTP answer (refused, reset, timed out,
 * TLS failed), with the reason in words; the raw library error is the `cause`.
 */
export class WorkerCallError extends TunasyncError {
  override readonly code: 'TUNASYNC_E_CLIENT_WORKER_CALL';
  readonly timedOut: boolean;

  constructor(reason: string, timedOut: boolean, options?: { cause?: unknown }) {
    super(
      CLIENT_ERROR_CODES.workerCall,
      CLIENT_ERRORS.workerCall.message(reason, timedOut),
      options,
    );
    this.name = 'WorkerCallError';
    this.code = 'TUNASYNC_E_CLIENT_WORKER_CALL';
    this.timedOut = timedOut;
  }
}

export function isClientError(
  err: unknown,
  code?: ClientErrorCode,
): err is ManagerHttpError | ManagerUnreachableError | WorkerCallError {
  return (
    (err instanceof ManagerHttpError ||
      err instanceof ManagerUnreachableError ||
      err instanceof WorkerCallError) &&
    (code === undefined || err.code === code)
  );
}
