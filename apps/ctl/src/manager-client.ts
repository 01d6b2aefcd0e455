import * as httpRequestModule from 'node:http';
import type { IncomingMessage } from 'node:http';
import type * as httpsModule from 'node:https';
import type { Logger } from '@tunasync/api-types';
import { CTL_ERRORS, CtlError } from './errors';

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

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

const MAX_ERROR_TEXT = 300;

/** The manager's own words for a failure: its `{"error": …}` text, else the body's start. */
function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      for (const key of ['error', 'message', 'msg']) {
        if (typeof record[key] === 'string') return record[key];
      }
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_ERROR_TEXT ? `${oneLine.slice(0, MAX_ERROR_TEXT)}…` : oneLine;
}

function describeNetworkError(err: NodeJS.ErrnoException): string {
  return err.message || err.code || String(err);
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

/**
 * A minimal JSON client of the manager's HTTP API on `node:http`/`node:https` (both are
 * part of Node's start-up snapshot, so they cost nothing to load; see README "Start-up").
 * Every failure is a `CtlError` whose message says what went wrong in one line.
 */
export class ManagerClient {
  constructor(
    readonly endpoint: ManagerEndpoint,
    private readonly logger: Logger,
  ) {}

  get(path: string): Promise<unknown> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown): Promise<unknown> {
    return this.request('POST', path, body);
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }

  /** Send one request; resolve with the parsed JSON body of a 2xx answer. */
  async request(method: HttpMethod, path: string, body?: unknown): Promise<unknown> {
    const { baseUrl, caCert, token, timeoutMs } = this.endpoint;
    const url = new URL(path, `${baseUrl}/`);
    const payload = body === undefined ? undefined : `${JSON.stringify(body)}\n`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`;
    this.logger.debug(`${method} ${url.href}`);

    const isHttps = url.protocol === 'https:';
    // node:https (TLS) is loaded only when the manager speaks HTTPS.
    const { request } = isHttps
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('node:https') as typeof httpsModule)
      : httpRequestModule;
    const { status, text } = await new Promise<{ status: number; text: string }>(
      (resolve, reject) => {
        const req = request(
          url,
          {
            method,
            headers,
            agent: false,
            timeout: timeoutMs,
            ...(isHttps && caCert !== undefined ? { ca: caCert } : {}),
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
        req.on('timeout', () => {
          req.destroy(CTL_ERRORS.timeout(baseUrl, timeoutMs / 1000));
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (err instanceof CtlError) {
            reject(err);
            return;
          }
          const tls = err.code !== undefined && TLS_CODES.has(err.code);
          const entry = tls ? CTL_ERRORS.tlsFailed : CTL_ERRORS.unreachable;
          reject(entry.withCause(err, baseUrl, describeNetworkError(err)));
        });
        req.end(payload);
      },
    );
    this.logger.debug(`${method} ${url.pathname} → ${status}`);

    if (status < 200 || status > 299) {
      const reason = errorText(text);
      throw CTL_ERRORS.managerError(status, reason);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw CTL_ERRORS.notJson.withCause(err, status, errorText(text) || '(empty)');
    }
  }
}
