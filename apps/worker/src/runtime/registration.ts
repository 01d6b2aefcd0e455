import type { Logger } from '@tunasync/api-types';
import { ManagerHttpError } from '../errors';
import { Backoff, type BackoffOptions } from '../reporting/backoff';
import type { ManagerClient } from '../reporting/manager-client';

/** Why a registration attempt failed, in words an operator can act on. */
export function registrationProblem(client: ManagerClient, err: unknown): string {
  if (err instanceof ManagerHttpError && (err.status === 401 || err.status === 403)) {
    return `manager ${client.apiBase} refused this worker's token (HTTP ${err.status}: ${err.reason}); check [manager] token in worker.conf`;
  }
  return `cannot register with manager ${client.apiBase}: ${(err as Error).message}`;
}

/**
 * Registers with one manager (POST /workers), retrying with back-off until it works or
 * `signal` aborts. The first failure is an error line, the next ones debug lines (one
 * line per retry would flood the log during a long outage). Resolves true once registered.
 */
export async function registerWithRetry(
  client: ManagerClient,
  url: string,
  options: { signal: AbortSignal; logger: Logger; backoff?: BackoffOptions },
): Promise<boolean> {
  const backoff = new Backoff(options.backoff);
  let failures = 0;
  while (!options.signal.aborted) {
    try {
      await client.register(url);
      options.logger.info(`registered with manager ${client.apiBase} as ${url}`);
      return true;
    } catch (err) {
      const problem = registrationProblem(client, err);
      if (failures++ === 0) options.logger.error(`${problem}; retrying with back-off`);
      else options.logger.debug(problem);
      if (!(await backoff.wait(options.signal))) return false;
    }
  }
  return false;
}
