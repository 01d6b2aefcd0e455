import { setTimeout as delay } from 'node:timers/promises';
import {
  formatRfc3339,
  type Logger,
  type MirrorStatus,
  type SyncStatus,
} from '@tunasync/api-types';
import type { MirrorJob, Scheduler } from '@tunasync/core';
import type { MirrorConfig } from '../config/worker-config';
import type { ManagerClient } from '../reporting/manager-client';
import { WORKER_ERRORS } from '../errors';
import type { InitialJobState, JobEntry } from './job-entry';
import type { MirrorRecord } from './mirror-record';
import type { MirrorReports } from './mirror-reports';
import type { StartupDecision } from './startup-plan';

// Start-up (SPEC §4.2): what the worker does between its control server listening and its
// first heartbeat; the decisions themselves are `planStartup`'s.

/**
 * Whether the first manager accepted the registration within `waitMs` (false when it did
 * not, when there is none, or when `signal` aborts first).
 */
export async function waitFirstRegistration(
  registrations: readonly Promise<boolean>[],
  waitMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const first = registrations[0];
  if (!first) return false;
  const timeout = delay(waitMs, false, { signal }).catch(() => false);
  return Promise.race([first, timeout]);
}

/**
 * The statuses the first manager stores for this worker, when it is `registered` and
 * answers with a list; otherwise undefined (logged: start-up then uses the local state).
 */
export async function fetchManagerStatuses(
  client: Pick<ManagerClient, 'apiBase' | 'listJobs'>,
  registered: boolean,
  logger: Logger,
): Promise<MirrorStatus[] | undefined> {
  if (!registered) {
    logger.warn(
      `manager ${client.apiBase} did not answer at start-up; starting from the local state file (registration goes on in the background)`,
    );
    return undefined;
  }
  try {
    const answer: unknown = await client.listJobs();
    if (!Array.isArray(answer)) throw WORKER_ERRORS.badManagerAnswer('a list of statuses');
    return answer as MirrorStatus[];
  } catch (err) {
    logger.warn(
      `cannot fetch the stored statuses from ${client.apiBase}: ${(err as Error).message}; starting from the local state file`,
    );
    return undefined;
  }
}

export function interruptedMessage(name: string, status: SyncStatus | undefined): string {
  return `${name} was interrupted: the worker stopped while it was ${status ?? 'syncing'}`;
}

export interface ApplyStartupPlanOptions {
  mirrors: readonly MirrorConfig[];
  /** Creates, attaches and lists the job of `mirror`. */
  addJob: (mirror: MirrorConfig, state: InitialJobState) => JobEntry;
  reports: Pick<MirrorReports, 'records' | 'send'>;
  scheduler: Pick<Scheduler<MirrorJob>, 'add'>;
  logger: Logger;
  /** The start-up's time (default now). */
  now?: Date;
}

/**
 * Creates every mirror's job as decided: its record, the report of an interrupted run (as
 * `failed`) or of a local paused/disabled state the manager does not know, and its first
 * run (at once, or one interval after its last success).
 */
export function applyStartupPlan(
  decisions: readonly StartupDecision[],
  options: ApplyStartupPlanOptions,
): void {
  const { reports, scheduler, logger } = options;
  const now = options.now ?? new Date();
  for (const decision of decisions) {
    const mirror = options.mirrors.find((m) => m.name === decision.name) as MirrorConfig;
    const entry = options.addJob(mirror, decision.state);
    const record: MirrorRecord = { status: decision.status ?? 'none', error_msg: '' };
    if (decision.size !== undefined) record.size = decision.size;
    if (decision.lastUpdate) record.last_success = decision.lastUpdate.toISOString();
    reports.records.set(mirror.name, record);
    if (decision.interrupted) {
      const message = interruptedMessage(mirror.name, decision.status);
      logger.warn(message, { mirror: mirror.name });
      reports.send(entry.job.provider, 'failed', message);
    } else if (decision.source === 'local' && decision.state !== 'none') {
      // The manager does not know it yet: tell it the mirror is still paused/disabled.
      reports.send(entry.job.provider, decision.state, '');
    }
    if (decision.state !== 'none') continue;
    let at = now;
    if (!decision.interrupted && decision.lastUpdate) {
      at = entry.job.nextRunAfter(decision.lastUpdate);
      if (at.getTime() < now.getTime()) at = now;
    }
    logger.debug(`${mirror.name} scheduled at ${formatRfc3339(at)}`, { mirror: mirror.name });
    scheduler.add(entry.job, at);
  }
}
