import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Reply = { status: number; body: string; contentType?: string };

/**
 * A real HTTP(S) server on 127.0.0.1 that answers like a manager would in the cases the
 * real manager cannot be made to produce (errors of every kind, odd bodies). `route`
 * maps `METHOD /path` to the reply; anything else is a 404 `{"error": …}`.
 */
export interface StandIn {
  readonly port: number;
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export function json(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value) };
}

export async function startStandIn(
  route: (method: string, url: string, body: string) => Reply | undefined,
  tls?: { cert: string; key: string },
): Promise<StandIn> {
  const seen: SeenRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply =
        route(req.method ?? '', req.url ?? '', body) ?? json(404, { error: 'no route' });
      res.writeHead(reply.status, {
        'content-type': reply.contentType ?? 'application/json; charset=utf-8',
      });
      res.end(reply.body);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening: bind, note the port, close. */
export async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
