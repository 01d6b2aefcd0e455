import type * as Undici from 'undici';
import type { Transport, TransportAnswer, TransportRequest } from './transport';

export interface UndiciTransportOptions {
  /** PEM of the CA to trust (only this CA when set). */
  ca?: string | Buffer;
  /** Milliseconds for the connection, for the headers and between body chunks. */
  timeoutMs: number;
  /** Milliseconds an idle connection is kept (undici's default when undefined). */
  keepAliveMs?: number;
  /** Whole-request timeout, from sending to the last byte (none when undefined). */
  requestTimeoutMs?: number;
}

/**
 * A transport on undici with its own connection pool; redirects are never followed. undici
 * is loaded on the first request, so a program that builds a client and never calls it (or
 * uses another transport) does not pay for loading it.
 */
export function createUndiciTransport(options: UndiciTransportOptions): Transport {
  let agent: Undici.Agent | undefined;
  let closed = false;
  const load = () => {
    if (closed && agent === undefined) {
      throw Object.assign(new Error('the client is closed'), { code: 'UND_ERR_CLOSED' });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const undici = require('undici') as typeof Undici;
    const { timeoutMs, ca, keepAliveMs } = options;
    agent ??= new undici.Agent({
      connect: { timeout: timeoutMs, ...(ca === undefined ? {} : { ca }) },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(keepAliveMs === undefined
        ? {}
        : { keepAliveTimeout: keepAliveMs, keepAliveMaxTimeout: keepAliveMs }),
    });
    return { request: undici.request, agent };
  };
  return {
    async send(req: TransportRequest): Promise<TransportAnswer> {
      const { request, agent: dispatcher } = load();
      const timeout =
        options.requestTimeoutMs === undefined
          ? undefined
          : AbortSignal.timeout(options.requestTimeoutMs);
      const signal =
        timeout === undefined
          ? req.signal
          : req.signal === undefined
            ? timeout
            : AbortSignal.any([req.signal, timeout]);
      const answer = await request(req.url, {
        method: req.method as 'GET',
        headers: req.headers,
        dispatcher,
        ...(req.body === undefined ? {} : { body: req.body }),
        ...(signal === undefined ? {} : { signal }),
      });
      return { status: answer.statusCode, text: await answer.body.text() };
    },
    async close() {
      if (closed) return;
      closed = true;
      await agent?.close();
    },
  };
}
