import { silentLogger } from '@tunasync/api-types';
import type { Logger } from '@tunasync/api-types';
import { errorBodyText } from './error-body';
import { ManagerBadAnswerError, ManagerHttpError, ManagerUnreachableError } from './errors';
import { MANAGER_ROUTES } from './manager-routes';
import type { ManagerRouteName, ManagerRoutes } from './manager-routes';
import { routePath } from './route';
import type { PathParams, Route } from './route';
import { isTimeout } from './transport';
import type { Transport } from './transport';
import { createUndiciTransport } from './undici-transport';

/** The request body a route takes (undefined: none). */
export type RouteRequest<R> = R extends Route<infer _M, infer _P, infer Req> ? Req : never;
/** The body a route answers with. */
export type RouteResponse<R> =
  R extends Route<infer _M, infer _P, infer _Req, infer Res> ? Res : never;

type ParamsInput<P extends string> = [PathParams<P>] extends [never]
  ? { params?: undefined }
  : { params: Readonly<Record<PathParams<P>, string>> };
type BodyInput<Req> = [Req] extends [undefined] ? { body?: undefined } : { body: Req };
type QueryInput<Q extends string> = [Q] extends [never]
  ? { query?: undefined }
  : { query?: Readonly<Partial<Record<Q, string>>> };

/** What one call of a route needs: its path parameters, its body, its query; and a signal. */
export type CallInput<R> =
  R extends Route<infer _M, infer P, infer Req, infer _Res, infer Q>
    ? ParamsInput<P> & BodyInput<Req> & QueryInput<Q> & { signal?: AbortSignal }
    : never;

/** `call(name)` when the route needs nothing, `call(name, input)` otherwise. */
export type CallArgs<R> =
  Record<string, never> extends CallInput<R> ? [input?: CallInput<R>] : [input: CallInput<R>];

export interface ManagerClientOptions {
  /** The manager's base URL, e.g. `http://127.0.0.1:14242` (trailing `/`s are ignored). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` (SPEC §7.1) when not empty. Never logged. */
  token?: string;
  /** PEM of the CA that signed the manager's certificate (HTTPS). */
  ca?: string | Buffer;
  /** Milliseconds for the connection and for each answer; 10 s by default. */
  timeoutMs?: number;
  /**
   * How requests are sent; by default undici with a connection pool whose idle connections
   * close after 4 s (before a manager's 5 s keep-alive ends them).
   */
  transport?: Transport;
  /** Gets one debug line per request and per answer; silent by default. */
  logger?: Logger;
}

/**
 * A typed client of the manager's HTTP API, one method `call` for every route of
 * `MANAGER_ROUTES`. A 2xx answer resolves with its parsed JSON (or its text, for the HTML
 * and Prometheus routes); another status rejects with a `ManagerHttpError` carrying the
 * manager's `error` text; a 2xx that is not JSON with a `ManagerBadAnswerError`; no answer
 * at all with a `ManagerUnreachableError`.
 */
export class ManagerClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly token: string | undefined;
  private readonly transport: Transport;
  private readonly logger: Logger;

  constructor(options: ManagerClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.token = options.token === '' ? undefined : options.token;
    this.logger = options.logger ?? silentLogger;
    this.transport =
      options.transport ??
      createUndiciTransport({
        timeoutMs: this.timeoutMs,
        keepAliveMs: 4000,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      });
  }

  /** The full URL of a call of route `name` (what errors and logs name). */
  url<N extends ManagerRouteName>(name: N, ...[input]: CallArgs<ManagerRoutes[N]>): string {
    const { params, query } = (input ?? {}) as {
      params?: Record<string, string>;
      query?: Record<string, string | undefined>;
    };
    return `${this.baseUrl}${routePath(MANAGER_ROUTES[name], params ?? {}, query)}`;
  }

  /** Calls route `name`; resolves with its answer's body. */
  async call<N extends ManagerRouteName>(
    name: N,
    ...args: CallArgs<ManagerRoutes[N]>
  ): Promise<RouteResponse<ManagerRoutes[N]>> {
    const route: Route = MANAGER_ROUTES[name];
    const { body, signal } = (args[0] ?? {}) as { body?: unknown; signal?: AbortSignal };
    const href = this.url(name, ...args);
    let url: URL;
    try {
      url = new URL(href);
    } catch (err) {
      // A base URL that cannot be called: nothing was sent, as for a refused connection.
      throw new ManagerUnreachableError(href, err, false);
    }
    const headers: Record<string, string> = {
      accept: route.answer === 'json' ? 'application/json' : '*/*',
    };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    this.logger.debug(`${route.method} ${url.href}`);
    let answer;
    try {
      answer = await this.transport.send({
        method: route.method,
        url,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (err) {
      throw new ManagerUnreachableError(url.href, err, isTimeout(err));
    }
    this.logger.debug(`${route.method} ${url.pathname} → ${answer.status}`);
    if (answer.status < 200 || answer.status > 299) {
      throw new ManagerHttpError(url.href, answer.status, errorBodyText(answer.text));
    }
    if (route.answer === 'text') return answer.text as RouteResponse<ManagerRoutes[N]>;
    try {
      return JSON.parse(answer.text) as RouteResponse<ManagerRoutes[N]>;
    } catch {
      throw new ManagerBadAnswerError(url.href, answer.status, answer.text);
    }
  }

  /** Closes the connections. Idempotent. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
