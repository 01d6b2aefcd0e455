import type { WorkerCmd } from '@tunasync/api-types';
import { errorBodyText } from './error-body';
import { WorkerCallError } from './errors';
import { createUndiciTransport } from './undici-transport';
import { describeWorkerCallFailure } from './worker-call-failure';

/** What a worker's control server answered. */
export interface WorkerReply {
  status: number;
  /** The `msg` (or `error`) of its JSON body, else the body text (at most 500 characters). */
  said: string;
}

/** Sends commands to workers' control servers (the manager's side of `POST /cmd`). */
export interface WorkerClient {
  /**
   * POSTs `cmd` to `url` with `Authorization: Bearer <token>` when a token is given (else the
   * client's own, if any); rejects with a `WorkerCallError` saying why in words when the
   * worker cannot be reached or does not answer in time.
   */
  postCommand(url: string, cmd: WorkerCmd, token?: string): Promise<WorkerReply>;
  close(): Promise<void>;
}

export interface WorkerClientOptions {
  /** PEM text of a CA to trust (besides none: only this CA when set, as the Go manager). */
  ca?: string;
  /** Sent as `Authorization: Bearer <token>` (SPEC §7.1) when a call gives none. */
  token?: string;
  /** Whole-request timeout, 5 s by default as in the Go manager. */
  timeoutMs?: number;
}

const SAID_MAX = 500;

/** An undici client with its own connection pool; redirects are never followed. */
export function createWorkerClient(options: WorkerClientOptions = {}): WorkerClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  const transport = createUndiciTransport({
    timeoutMs,
    requestTimeoutMs: timeoutMs,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  return {
    async postCommand(url, cmd, token = options.token) {
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
      };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      try {
        const answer = await transport.send({
          method: 'POST',
          url: new URL(url),
          headers,
          body: JSON.stringify(cmd),
        });
        return {
          status: answer.status,
          said: errorBodyText(answer.text, SAID_MAX).slice(0, SAID_MAX),
        };
      } catch (err) {
        const failure = describeWorkerCallFailure(err, url, timeoutMs);
        throw new WorkerCallError(failure.reason, failure.timedOut, { cause: err });
      }
    },
    close: () => transport.close(),
  };
}
