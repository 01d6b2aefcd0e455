/** One HTTP request as a transport sends it. */
export interface TransportRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** The body, already serialised; undefined for none. */
  body?: string;
  signal?: AbortSignal;
}

/** What came back: the status and the whole body as text. */
export interface TransportAnswer {
  status: number;
  text: string;
}

/**
 * How a client sends its requests. A transport rejects only when no whole answer came (the
 * error says why: its `code`, its `name`, its `cause`); any HTTP status is an answer.
 */
export interface Transport {
  send(request: TransportRequest): Promise<TransportAnswer>;
  /** Closes its connections. Idempotent. */
  close(): Promise<void>;
}

/** A transport's own timeout (no answer within its `timeoutMs`). */
export class TransportTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000} s`);
    this.name = 'TimeoutError';
  }
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Whether a transport's failure is a timeout: its own, undici's, or an abort by `AbortSignal.timeout`. */
export function isTimeout(err: unknown): boolean {
  let e = err as { code?: unknown; name?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 8; depth++) {
    if (e instanceof TransportTimeoutError || e.name === 'TimeoutError') return true;
    if (typeof e.code === 'string' && TIMEOUT_CODES.has(e.code)) return true;
    e = e.cause as typeof e;
  }
  return false;
}
