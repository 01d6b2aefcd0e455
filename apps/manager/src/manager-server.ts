import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RequestListener } from 'node:http';
import { silentLogger } from '@tunasync/api-types';
import type { Logger } from '@tunasync/api-types';
import { MANAGER_ERRORS } from './errors';

export interface ManagerServerOptions {
  handler: RequestListener;
  addr: string;
  port: number;
  /** PEM texts; HTTPS when given. */
  tls?: { cert: string; key: string };
  logger?: Logger;
  /** How long `close()` lets running requests finish before cutting them (10 s). */
  shutdownGraceMs?: number;
}

/** An HTTP(S) server around the manager's app: `start()`, then an idempotent `close()`. */
export class ManagerServer {
  private readonly server: Server;
  private readonly options: ManagerServerOptions;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;
  private started = false;
  private readonly inflight = new Set<ServerResponse>();

  constructor(options: ManagerServerOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.server = options.tls
      ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, options.handler)
      : createHttpServer(options.handler);
    // Slow or stuck clients cannot hold a connection open for ever (Go: 10 s read/write).
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 10_000;
    this.server.on('clientError', answerClientError);
    this.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      this.inflight.add(res);
      res.on('close', () => this.inflight.delete(res));
    });
  }

  /** Listens; resolves with the URL actually bound (port 0 picks a free one). */
  start(): Promise<{ url: string; port: number }> {
    const { addr, port } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(MANAGER_ERRORS.listen.withCause(err, `${addr}:${port}`, err.code ?? err.message));
      };
      this.server.once('error', onError);
      this.server.listen(port, addr, () => {
        this.server.off('error', onError);
        this.started = true;
        const bound = (this.server.address() as AddressInfo).port;
        const host = addr.includes(':') ? `[${addr}]` : addr;
        resolve({ url: `${this.options.tls ? 'https' : 'http'}://${host}:${bound}`, port: bound });
      });
    });
  }

  /**
   * Stops accepting, lets running requests finish (cut after the grace time), closes idle
   * keep-alive connections. Idempotent; safe before `start()`.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (!this.started) {
        resolve();
        return;
      }
      const grace = setTimeout(() => {
        this.logger.warn('requests still running at shutdown were cut');
        this.server.closeAllConnections();
      }, this.options.shutdownGraceMs ?? 10_000);
      grace.unref();
      this.server.close(() => {
        clearTimeout(grace);
        resolve();
      });
      // Running requests end their connection when they answer, so nothing waits on keep-alive.
      for (const res of this.inflight) if (!res.headersSent) res.setHeader('Connection', 'close');
      this.server.closeIdleConnections();
    });
    return this.closing;
  }
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request did not arrive in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'Request Timeout', 'the request headers did not arrive in time'],
};

/**
 * A request Node's HTTP parser refuses (a broken request line, both Content-Length and
 * Transfer-Encoding, a bad chunk) never reaches the app: answer it in the API's shape,
 * `{"error": …}`, instead of Node's empty 400, and close the connection.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // Not when an answer of this connection is already on its way (Node's own rule).
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent === true) {
    socket.destroy();
    return;
  }
  const [status, text, error] = CLIENT_ERRORS[err.code ?? ''] ?? [
    400,
    'Bad Request',
    `malformed HTTP request (${err.code ?? 'unparsable'})`,
  ];
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
