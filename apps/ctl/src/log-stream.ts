import * as httpModule from 'node:http';
import type { IncomingMessage } from 'node:http';
import type * as httpsModule from 'node:https';
import type { Logger } from '@tunasync/api-types';
import { CtlError } from './errors';
import type { ManagerEndpoint } from './manager-client';

/** The manager's `{"error": …}` text of a refusal, else the start of its body. */
function reasonOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown } | null;
    if (typeof parsed?.error === 'string') return parsed.error;
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * GETs a text route of the manager (`/workers/:id/jobs/:job/log`, SPEC §7.14) and hands
 * every chunk of a 2xx body to `write` as it arrives, so that a followed log prints as it
 * grows. The answer's headers must come within the endpoint's timeout; the body has none
 * (a follow ends when the manager or the user ends it). Failures are one-line `CtlError`s.
 */
export function streamText(
  endpoint: ManagerEndpoint,
  path: string,
  logger: Logger,
  write: (chunk: Buffer) => void,
): Promise<void> {
  const { baseUrl, caCert, token, timeoutMs } = endpoint;
  const url = new URL(path, `${baseUrl}/`);
  const headers: Record<string, string> = { accept: 'text/plain' };
  if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`;
  logger.debug(`GET ${url.href}`);
  const isHttps = url.protocol === 'https:';
  const { request } = isHttps
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('node:https') as typeof httpsModule)
    : httpModule;
  return new Promise<void>((resolve, reject) => {
    const req = request(
      url,
      { headers, agent: false, ...(isHttps && caCert !== undefined ? { ca: caCert } : {}) },
      (res: IncomingMessage) => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status <= 299;
        const refusal: Buffer[] = [];
        res.on('data', (chunk: Buffer) => (ok ? write(chunk) : refusal.push(chunk)));
        res.on('error', reject);
        res.on('end', () => {
          if (ok) {
            resolve();
            return;
          }
          const reason = reasonOf(Buffer.concat(refusal).toString('utf8'));
          reject(
            new CtlError(
              'TUNASYNC_E_CTL_MANAGER_ERROR',
              `the manager answered ${status}${reason === '' ? '' : `: ${reason}`}`,
              reason === '' ? undefined : { managerSaid: reason },
            ),
          );
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(
        new CtlError(
          'TUNASYNC_E_CTL_UNREACHABLE',
          `the manager at ${baseUrl} did not answer within ${timeoutMs / 1000} s`,
        ),
      );
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof CtlError) {
        reject(err);
        return;
      }
      const why = err.message || err.code || String(err);
      reject(
        new CtlError(
          'TUNASYNC_E_CTL_UNREACHABLE',
          `cannot reach the manager at ${baseUrl}: ${why}`,
          {
            cause: err,
          },
        ),
      );
    });
    req.end();
  });
}
