import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** One request of a scenario, sent with node:http over keep-alive sockets. */
export interface HttpRequest {
  method: string;
  /** Path and query, already percent-encoded where node:http needs it. */
  path: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A keep-alive client of one server on 127.0.0.1: at most `sockets` connections. */
export class KeepAliveClient {
  private readonly agent: Agent;

  constructor(
    private readonly port: number,
    sockets: number,
    private readonly timeoutMs = 30_000,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  send(req: HttpRequest): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: req.method,
          path: req.path,
          headers: req.headers,
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(
          new Error(`no answer in ${this.timeoutMs} ms to ${req.method} ${req.path}`),
        ),
      );
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Writes `bytes` on a fresh connection and collects what comes back until the server closes
 * it or `waitMs` passes (then the client closes it): for requests node:http will not send —
 * broken request lines, raw bytes in paths and headers, conflicting lengths, truncated bodies.
 */
export function rawExchange(port: number, bytes: Buffer, waitMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A server that closes while we still write is an answer too (it refused the rest).
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(bytes);
  });
}
