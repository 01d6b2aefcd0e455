import type { Logger } from '@tunasync/api-types';
import type { Provider } from '@tunasync/core';
import type { ManagerClient } from '../reporting/manager-client';
import type { ManagerOutbox } from '../reporting/manager-outbox';
import type { MirrorReports } from './mirror-reports';

export interface ReRegistrationOptions {
  /** The records, the tracked writes and the schedule list. */
  reports: Pick<MirrorReports, 'recordedStatus' | 'scheduleBody' | 'track'>;
  /** The provider of every current job. */
  providers: () => readonly Provider[];
  /** The control URL registered with the managers. */
  url: () => string;
  /** While it answers true (the worker is halting), a late registration sends nothing. */
  halting: () => boolean;
  logger: Logger;
}

/**
 * Re-registration (SPEC §4.2.3): a manager that lost this worker, or that was registered
 * with only after start-up, gets every mirror's current status (each with the time the
 * worker observed it, so a success keeps its real end time) and the schedule list.
 */
export class ReRegistration {
  constructor(private readonly options: ReRegistrationOptions) {}

  /** A manager answered `invalid workerID`: register again and re-send every status. */
  async registerAgain(client: ManagerClient, outbox: ManagerOutbox): Promise<void> {
    await client.register(this.options.url());
    this.options.logger.info(
      `registered again with ${client.apiBase}; re-sending the status of ${this.options.providers().length} mirror(s)`,
    );
    await this.enqueueEveryStatus(outbox);
  }

  /**
   * A manager registered with only after the start-up plan was made (it did not answer in
   * time) may not have this worker's statuses (it may have lost its database meanwhile, and
   * it now knows the worker again): it gets every status, as after `invalid workerID`.
   * `registered[i]` tells whether `registrations[i]` had succeeded by then.
   */
  sendAllOnLateRegistration(
    registrations: readonly Promise<boolean>[],
    registered: readonly boolean[],
    targets: readonly { client: ManagerClient; outbox: ManagerOutbox }[],
  ): void {
    registrations.forEach((registration, i) => {
      const target = targets[i];
      if (registered[i] || !target) return;
      void registration.then((ok) => {
        if (!ok || this.options.halting()) return;
        this.options.logger.info(
          `registered with ${target.client.apiBase} after start-up; sending the status of ${this.options.providers().length} mirror(s)`,
        );
        this.options.reports.track(
          this.enqueueEveryStatus(target.outbox),
          `the statuses for ${target.client.apiBase}`,
        );
      });
    });
  }

  /** Every mirror's current status (observed times kept) and the schedule list, into `outbox`. */
  async enqueueEveryStatus(outbox: ManagerOutbox): Promise<void> {
    for (const provider of this.options.providers()) {
      const { status, seenAt } = this.options.reports.recordedStatus(provider);
      await outbox.enqueueStatus(status, seenAt);
    }
    const schedules = this.options.reports.scheduleBody();
    if (schedules.schedules.length > 0) await outbox.setSchedules(schedules);
  }
}
