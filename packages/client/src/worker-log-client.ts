import type { Readable } from 'node:stream';
import type * as Undici from 'undici';
import { WorkerCallError } from './errors';
import { describeWorkerCallFailure } from './worker-call-failure';

/** A worker's answer to a log request, its body still streaming. */
export interface WorkerLogReply {
  status: number;
  /** `text/plain…` for a log, JSON for the worker's refusals. */
  contentType: string;
  /** The file shown (`X-Log-File`), when the worker named it. */
  logFile: string | undefined;
  body: Readable;
}

export interface WorkerLogClient {
  /**
   * GETs `path` (`jobs/<mirror>/log?…`) of the worker at `url` with `Authorization: Bearer
   * <token>` when given; rejects with a `WorkerCallError` when it cannot be reached or
   * does not answer (headers) in time. The body is not timed: a followed log stays open
   * until `signal` aborts.
   */
  get(
    url: string,
    path: string,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<WorkerLogReply>;
  close(): Promise<void>;
}

/** The manager's client of the worker's log routes (§7.14): undici, redirects never followed. */
export function createWorkerLogClient(
  options: { ca?: string; timeoutMs?: number } = {},
): WorkerLogClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  // undici is loaded on the first request (as in the transport): tunasynctl bundles this
  // package and must start without it.
  let undici: { agent: Undici.Agent; request: typeof Undici.request } | undefined;
  const load = () => {
    if (undici === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Agent, request } = require('undici') as typeof Undici;
      const agent = new Agent({
        connect: { timeout: timeoutMs, ...(options.ca === undefined ? {} : { ca: options.ca }) },
        headersTimeout: timeoutMs,
        bodyTimeout: 0,
      });
      undici = { agent, request };
    }
    return undici;
  };
  return {
    async get(url, path, token, signal) {
      const target = new URL(path, url.endsWith('/') ? url : `${url}/`).toString();
      try {
        const { agent, request } = load();
        const response = await request(target, {
          method: 'GET',
          dispatcher: agent,
          headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
          signal,
        });
        const header = (name: string) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        return {
          status: response.statusCode,
          contentType: header('content-type') ?? '',
          logFile: header('x-log-file'),
          body: response.body,
        };
      } catch (err) {
        const failure = describeWorkerCallFailure(err, url, timeoutMs);
        throw new WorkerCallError(failure.reason, failure.timedOut, { cause: err });
      }
    },
    close: async () => {
      await undici?.agent.close();
    },
  };
}
