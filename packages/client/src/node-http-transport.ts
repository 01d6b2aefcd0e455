import * as http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type * as httpsModule from 'node:https';
import { TransportTimeoutError } from './transport';
import type { Transport, TransportAnswer, TransportRequest } from './transport';

export interface NodeHttpTransportOptions {
  /** PEM of the CA to trust over HTTPS (only this CA when set). */
  ca?: string | Buffer;
  /** Milliseconds the socket may stay silent (connection included) before the request fails. */
  timeoutMs: number;
}

/**
 * A transport on `node:http`/`node:https`, one connection per request, for short-lived
 * programs (tunasynctl): `node:http` is part of Node's start-up snapshot and costs nothing
 * to load, where undici takes longer than Node's own start-up. `node:https` is loaded only
 * for an `https:` URL.
 */
export function createNodeHttpTransport(options: NodeHttpTransportOptions): Transport {
  return {
    send(req: TransportRequest): Promise<TransportAnswer> {
      const isHttps = req.url.protocol === 'https:';
      const { request } = isHttps
        ? // eslint-disable-next-line @typescript-eslint/no-require-imports
          (require('node:https') as typeof httpsModule)
        : http;
      const headers = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      return new Promise<TransportAnswer>((resolve, reject) => {
        const outgoing = request(
          req.url,
          {
            method: req.method,
            headers,
            agent: false,
            timeout: options.timeoutMs,
            ...(req.signal === undefined ? {} : { signal: req.signal }),
            ...(isHttps && options.ca !== undefined ? { ca: options.ca } : {}),
          },
          (res: IncomingMessage) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                text: Buffer.concat(chunks).toString('utf8'),
              }),
            );
          },
        );
        outgoing.on('timeout', () =>
          outgoing.destroy(new TransportTimeoutError(options.timeoutMs)),
        );
        outgoing.on('error', reject);
        outgoing.end(req.body);
      });
    },
    close: () => Promise.resolve(),
  };
}
