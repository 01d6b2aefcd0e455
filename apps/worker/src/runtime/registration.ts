import type { Logger } from '@tunasync/api-types';
import { systemClock } from '@tunasync/core';
import { ManagerHttpError, ManagerUnreachableError } from '../errors';
import { Backoff, type BackoffOptions } from '../reporting/backoff';
import type { ManagerClient } from '../reporting/manager-client';
import { ProbeWait, type ProbeOptions } from '../reporting/probe-wait';

/** Why a registration attempt failed, in words an operator can act on. */
export function registrationProblem(client: ManagerClient, err: unknown): string {
  if (err instanceof ManagerHttpError && (err.status === 401 || err.status === 403)) {
    return `manager ${client.apiBase} refused this worker's token (HTTP ${err.status}: ${err.reason}); check [manager] token in worker.conf`;
  }
  return `cannot register with manager ${client.apiBase}: ${(err as Error).message}`;
}

/**
 * Registers with one manager (POST /workers), retrying until it works or `signal` aborts:
 * while the manager does not answer, again as soon as it answers a `GET /ping` probe;
 * after an HTTP error (401, 5xx), with back-off. The first failure is an error line, the
 * next ones debug lines (one line per retry would flood the log during a long outage).
 * Resolves true once registered.
 */
export async function registerWithRetry(
  client: ManagerClient,
  url: string,
  options: {
    signal: AbortSignal;
    logger: Logger;
    backoff?: BackoffOptions;
    probe?: ProbeOptions;
  },
): Promise<boolean> {
  const clock = systemClock;
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
      const retry =
        err instanceof ManagerUnreachableError
          ? new ProbeWait({ client, clock, signal: options.signal, ...options.probe }).answered
          : backoff.wait(options.signal);
      if (!(await retry)) return false;
    }
  }
  return false;
}
