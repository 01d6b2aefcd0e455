import type { Validator } from '@tunasync/api-types';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** The `:name` parameters of an express-style path, as a union of their names. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/**
 * One route of an HTTP API: its method and express-style path (`/workers/:id/jobs`), the
 * query keys it reads, the validator of its JSON request body (the server runs it; the
 * client's body is typed by it), and, as types only, the request and response bodies.
 */
export interface Route<
  M extends HttpMethod = HttpMethod,
  P extends string = string,
  Req = unknown,
  Res = unknown,
  Q extends string = string,
> {
  readonly method: M;
  readonly path: P;
  /** The `:name`s of `path`, in order. */
  readonly params: readonly PathParams<P>[];
  /** Query keys the route reads (`?purge=1`); any other key is not sent by the client. */
  readonly query: readonly Q[];
  /** How the body is answered: JSON (the client parses it), or text (HTML, Prometheus). */
  readonly answer: 'json' | 'text';
  /** The request body's validator; undefined for a route that takes no body. */
  readonly body: Validator<Req> | undefined;
  /** What it is for, one line (for docs and errors). */
  readonly summary: string;
  /** Phantom fields carrying the body types; never set at run time. */
  readonly types?: { request: Req; response: Res };
}

/** The `:name`s of a path, in order. */
export function pathParamNames<P extends string>(path: P): PathParams<P>[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as PathParams<P>);
}

/**
 * Declares one route: `route<Request, Response>()({ method, path, … })`. The two calls let
 * the body types be given while the method, path and query keys are inferred.
 */
export function route<Req = undefined, Res = unknown>() {
  return <
    const M extends HttpMethod,
    const P extends string,
    const Q extends string = never,
    B extends Validator<Req> | undefined = undefined,
  >(spec: {
    method: M;
    path: P;
    summary: string;
    query?: readonly Q[];
    answer?: 'json' | 'text';
    body?: B;
  }): Route<M, P, Req, Res, Q> & { readonly body: B } => ({
    method: spec.method,
    path: spec.path,
    params: pathParamNames(spec.path),
    query: spec.query ?? [],
    answer: spec.answer ?? 'json',
    body: spec.body as B,
    summary: spec.summary,
  });
}

/**
 * The path of `route` with its parameters filled in (each one URL-encoded) and the query
 * keys that have a value, in the route's order.
 */
export function routePath(
  route: Route,
  params: Readonly<Record<string, string>>,
  query: Readonly<Record<string, string | undefined>> = {},
): string {
  const path = route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${route.path}: no value for :${name}`);
    return encodeURIComponent(value);
  });
  const search = route.query
    .filter((key) => query[key] !== undefined)
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(query[key] as string)}`)
    .join('&');
  return search === '' ? path : `${path}?${search}`;
}

/** Every path of `routes` with the methods it answers, in the table's order (for 405s). */
export function allowedMethods(routes: Readonly<Record<string, Route>>): Map<string, HttpMethod[]> {
  const byPath = new Map<string, HttpMethod[]>();
  for (const { path, method } of Object.values(routes)) {
    const methods = byPath.get(path) ?? [];
    if (!methods.includes(method)) methods.push(method);
    byPath.set(path, methods);
  }
  return byPath;
}
