import {
  ManagerBadAnswerError,
  ManagerClient as ApiClient,
  ManagerHttpError,
  ManagerUnreachableError,
  createNodeHttpTransport,
  errorBodyText,
} from '@tunasync/client';
import type { CallArgs, ManagerRouteName, ManagerRoutes } from '@tunasync/client';
import type { Logger } from '@tunasync/api-types';
import { CTL_ERRORS } from './errors';

/** Where and how to reach the manager, after config files and flags are merged. */
export interface ManagerEndpoint {
  /** `http://host:port` or `https://host:port` (no trailing slash). */
  baseUrl: string;
  /** PEM text of the CA that signed the manager's certificate (HTTPS only). */
  caCert?: string;
  /** Bearer token (SPEC §7.1). */
  token?: string;
  /** How long one request may take, connection to last byte. */
  timeoutMs: number;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** The one-line `CtlError` of a failed call, in tunasynctl's words. */
function toCtlError(err: unknown, { baseUrl, timeoutMs }: ManagerEndpoint): unknown {
  if (err instanceof ManagerUnreachableError) {
    if (err.timedOut) return CTL_ERRORS.timeout.withCause(err, baseUrl, timeoutMs / 1000);
    const cause = err.cause as NodeJS.ErrnoException;
    const why = cause.message || cause.code || String(cause);
    const tls = cause.code !== undefined && TLS_CODES.has(cause.code);
    const entry = tls ? CTL_ERRORS.tlsFailed : CTL_ERRORS.unreachable;
    return entry.withCause(cause, baseUrl, why);
  }
  if (err instanceof ManagerBadAnswerError) {
    return CTL_ERRORS.notJson.withCause(err, err.status, errorBodyText(err.text) || '(empty)');
  }
  if (err instanceof ManagerHttpError) return CTL_ERRORS.managerError(err.status, err.reason);
  return err;
}

/**
 * tunasynctl's client of the manager: `@tunasync/client`'s `ManagerClient` on its
 * `node:http` transport (part of Node's start-up snapshot, so it costs nothing to load; see
 * README "Start-up"). Every failure is a `CtlError` whose message says what went wrong in
 * one line. The answer is what the manager sent; the commands check its shape.
 */
export class ManagerClient {
  private readonly api: ApiClient;

  constructor(
    readonly endpoint: ManagerEndpoint,
    logger: Logger,
  ) {
    const { baseUrl, caCert, token, timeoutMs } = endpoint;
    this.api = new ApiClient({
      baseUrl,
      timeoutMs,
      logger,
      ...(token === undefined ? {} : { token }),
      transport: createNodeHttpTransport({
        timeoutMs,
        ...(caCert === undefined ? {} : { ca: caCert }),
      }),
    });
  }

  /** Calls route `name` of the manager; resolves with the parsed JSON of a 2xx answer. */
  async call<N extends ManagerRouteName>(
    name: N,
    ...args: CallArgs<ManagerRoutes[N]>
  ): Promise<unknown> {
    try {
      return await this.api.call(name, ...args);
    } catch (err) {
      throw toCtlError(err, this.endpoint);
    }
  }
}
