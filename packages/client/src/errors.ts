import { TunasyncError } from '@tunasync/api-types';

/** Every error code of the client; stable, for programs to match on. */
export const CLIENT_ERROR_CODES = {
  /** No HTTP answer from the manager: refused, reset, TLS failed, or none in time. */
  unreachable: 'TUNASYNC_E_CLIENT_UNREACHABLE',
  /** The manager answered with a status outside 2xx. */
  http: 'TUNASYNC_E_CLIENT_HTTP',
  /** The manager answered 2xx with a body that is not JSON. */
  badAnswer: 'TUNASYNC_E_CLIENT_BAD_ANSWER',
  /** No HTTP answer from a worker's control server (the manager's call of `/cmd`). */
  workerCall: 'TUNASYNC_E_CLIENT_WORKER_CALL',
} as const;

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[keyof typeof CLIENT_ERROR_CODES];

/** The manager answered with a non-2xx status. */
export class ManagerHttpError extends TunasyncError {
  override readonly code: typeof CLIENT_ERROR_CODES.http | typeof CLIENT_ERROR_CODES.badAnswer;
  readonly status: number;
  readonly url: string;
  /** The manager's own words: the `error` text of its JSON body, or the body's start; `''` for an empty body. */
  readonly reason: string;

  constructor(
    url: string,
    status: number,
    reason: string,
    code: ManagerHttpError['code'] = CLIENT_ERROR_CODES.http,
  ) {
    super(code, `${url}: HTTP ${status}${reason === '' ? '' : `: ${reason}`}`);
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
    super(url, status, `answer is not JSON: ${text.slice(0, 200)}`, CLIENT_ERROR_CODES.badAnswer);
    this.name = 'ManagerBadAnswerError';
    this.text = text;
  }
}

/**
 * The manager could not be reached at all (connection refused, timeout, TLS failure); the
 * transport's own error is the `cause`.
 */
export class ManagerUnreachableError extends TunasyncError {
  override readonly code: typeof CLIENT_ERROR_CODES.unreachable;
  readonly url: string;
  /** No answer within the client's `timeoutMs`. */
  readonly timedOut: boolean;

  constructor(url: string, cause: unknown, timedOut: boolean) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(CLIENT_ERROR_CODES.unreachable, `${url}: ${why}`, { cause });
    this.name = 'ManagerUnreachableError';
    this.code = CLIENT_ERROR_CODES.unreachable;
    this.url = url;
    this.timedOut = timedOut;
  }
}

/**
 * A call to a worker's control server that got no HTTP answer (refused, reset, timed out,
 * TLS failed), with the reason in words; the raw library error is the `cause`.
 */
export class WorkerCallError extends TunasyncError {
  override readonly code: typeof CLIENT_ERROR_CODES.workerCall;
  readonly timedOut: boolean;

  constructor(reason: string, timedOut: boolean, options?: { cause?: unknown }) {
    super(CLIENT_ERROR_CODES.workerCall, reason, options);
    this.name = 'WorkerCallError';
    this.code = CLIENT_ERROR_CODES.workerCall;
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
