/**
 * Base of every typed error in tunasync. `code` is stable (`TUNASYNC_E_…`) and is what
 * programs match on; `message` is for people; `status` is the HTTP status of the errors a
 * request can cause.
 */
export class TunasyncError extends Error {
  readonly code: string;
  readonly status: number | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.name = 'TunasyncError';
    this.code = code;
    this.status = options?.status;
  }
}

export function isTunasyncError(err: unknown, code?: string): err is TunasyncError {
  return err instanceof TunasyncError && (code === undefined || err.code === code);
}

/**
 * One entry of a package's error catalog, as written in its `errors.ts`: the stable code,
 * the message template and, for errors a request can cause, the HTTP status. Other readonly
 * fields (a CLI's exit code) are kept on the built entry.
 */
export interface ErrorSpec<A extends unknown[] = never> {
  readonly code: string;
  readonly status?: number;
  readonly message: (...args: A) => string;
  /**
   * For an error that carries data beyond its code and message (the problems of a config
   * file): builds the package's subclass of `TunasyncError` from the arguments, the options
   * (`cause`) and the rendered message.
   */
  readonly make?: (args: A, options: { cause?: unknown }, message: string) => TunasyncError;
}

/** What builds the error of an entry: `TunasyncError`, or a package's subclass of it. */
export type ErrorMaker<E extends TunasyncError> = (
  entry: ErrorSpec<never>,
  message: string,
  args: readonly unknown[],
  options: { cause?: unknown },
) => E;

/**
 * A catalog entry: its spec (`code`, `status`, `message`) and, called, the error itself.
 * `withCause` builds the same error wrapping the lower-level error that caused it.
 */
export type ErrorEntry<S extends ErrorSpec<never>, E extends TunasyncError> = S & {
  (...args: Parameters<S['message']>): BuiltError<S, E>;
  withCause(cause: unknown, ...args: Parameters<S['message']>): BuiltError<S, E>;
};

/** The error an entry builds: its own `make`'s, or the catalog's. */
export type BuiltError<S, E extends TunasyncError> = S extends {
  readonly make: (...a: never[]) => infer R;
}
  ? R
  : E;

export type ErrorCatalog<
  C extends Record<string, ErrorSpec<never>>,
  E extends TunasyncError = TunasyncError,
> = { readonly [K in keyof C]: ErrorEntry<C[K], E> };

const makeTunasyncError: ErrorMaker<TunasyncError> = (entry, message, _args, options) =>
  new TunasyncError(entry.code, message, {
    ...options,
    ...(entry.status === undefined ? {} : { status: entry.status }),
  });

/**
 * A package's error catalog: `defineErrors({ name: { code, status?, message } })`. Each entry
 * is called to build its error (`CATALOG.name(…args)`), keeps its `code`, `status` and
 * `message` template for programs and docs, and `CATALOG.name.withCause(cause, …args)`.
 */
export function defineErrors<const C extends Record<string, ErrorSpec<never>>>(
  specs: C,
): ErrorCatalog<C>;
export function defineErrors<
  const C extends Record<string, ErrorSpec<never>>,
  E extends TunasyncError,
>(specs: C, make: ErrorMaker<E>): ErrorCatalog<C, E>;
export function defineErrors<const C extends Record<string, ErrorSpec<never>>>(
  specs: C,
  make: ErrorMaker<TunasyncError> = makeTunasyncError,
): ErrorCatalog<C> {
  const entries: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const render = spec.message as (...args: readonly unknown[]) => string;
    const own = spec.make as
      ((a: readonly unknown[], o: { cause?: unknown }, m: string) => TunasyncError) | undefined;
    const build = (options: { cause?: unknown }, args: readonly unknown[]): TunasyncError =>
      own === undefined
        ? make(spec, render(...args), args, options)
        : own(args, options, render(...args));
    entries[name] = Object.assign((...args: unknown[]) => build({}, args), spec, {
      withCause: (cause: unknown, ...args: unknown[]) => build({ cause }, args),
    });
  }
  return entries as ErrorCatalog<C>;
}

/** The codes of a catalog, as a union type. */
export type ErrorCodeOf<C extends Record<string, { readonly code: string }>> = C[keyof C]['code'];

/** The code of each entry of a catalog, by name (`STORE_ERROR_CODES.locked`). */
export function errorCodes<C extends Record<string, { readonly code: string }>>(
  catalog: C,
): { readonly [K in keyof C]: C[K]['code'] } {
  const codes: Record<string, string> = {};
  for (const [name, entry] of Object.entries(catalog)) codes[name] = entry.code;
  return codes as { readonly [K in keyof C]: C[K]['code'] };
}
