import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/** An answer: JSON `body`, or `text` as `text/plain` (how gin answers an unknown route). */
export type Answer = { status: number; body: unknown } | { status: number; text: string };

export type Responder = (req: RecordedRequest) => Answer | undefined;

/**
 * A tiny real HTTP server on 127.0.0.1 standing in for the manager in reporting tests: it
 * records every request, answers 200 `{}` (or what `respond` says), and can go down and
 * come back on the same port.
 */
export class TinyManager {
  /** Requests answered with a 2xx, but `GET /ping` (the outbox's probes: see `pings`). */
  readonly requests: RecordedRequest[] = [];
  /** `GET /ping` requests answered with a 2xx. */
  pings = 0;
  /** Every request, whatever the answer. */
  readonly received: RecordedRequest[] = [];
  respond: Responder | undefined;
  /** When set, answers wait until it resolves (requests are recorded at once). */
  hold: Promise<void> | undefined;
  private server: http.Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: req.headers.authorization,
          body: text === '' ? undefined : (JSON.parse(text) as unknown),
        };
        this.received.push(recorded);
        const answer = this.respond?.(recorded) ?? { status: 200, body: {} };
        const ok = answer.status >= 200 && answer.status < 300;
        if (ok && recorded.method === 'GET' && recorded.url === '/ping') this.pings += 1;
        else if (ok) this.requests.push(recorded);
        void (async () => {
          if (this.hold) await this.hold;
          if ('text' in answer) {
            res.writeHead(answer.status, { 'content-type': 'text/plain' });
            res.end(answer.text);
          } else {
            res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
            res.end(JSON.stringify(answer.body));
          }
        })();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Goes down: the port refuses connections until `start()` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `count` accepted requests have arrived (polls the list, never sleeps long). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<RecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} requests, got ${this.requests.length}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.requests;
  }
}

/** The answer of the Go manager (gin) to a route it does not have. */
export const GIN_NOT_FOUND: Answer = { status: 404, text: '404 page not found' };
