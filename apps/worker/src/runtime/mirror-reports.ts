import {
  formatRfc3339,
  type Logger,
  type MirrorSchedule,
  type MirrorSchedules,
  type MirrorStatus,
  type SyncStatus,
} from '@tunasync/api-types';
import { buildMirrorStatus, type JobStatusEvent, type Provider } from '@tunasync/core';
import type { Reporter } from '../reporting/reporter';
import type { JobStateFile } from './job-state-file';
import { meaningfulSize, type MirrorRecord } from './mirror-record';

/** Listener of every status report the worker makes (diagnostics, tests). */
export type ReportListener = (status: MirrorStatus) => void;

export interface MirrorReportsOptions {
  /** The outboxes of every manager. */
  reporter: Pick<Reporter, 'reportStatus' | 'reportSchedules'>;
  /** The local state file the records are saved to. */
  stateFile: Pick<JobStateFile, 'save'>;
  /** `[global] name` of the running configuration. */
  workerName: () => string;
  /** Every pending schedule entry, earliest first. */
  schedules: () => readonly { name: string; at: Date }[];
  /**
   * What the managers' stale rule wants of a mirror's schedule (§7.13): its interval (none
   * for a `cron` mirror) and the longest a run may take, in seconds.
   */
  scheduleFacts?: (name: string) => Pick<MirrorSchedule, 'interval_seconds' | 'timeout_seconds'>;
  /** While it answers true (the worker is halting), no schedule list is posted. */
  halting: () => boolean;
  logger: Logger;
}

/**
 * Reporting and persistence (SPEC §4.2.4): the record of every mirror (status, size, last
 * success, when it was observed), each status change reported to every manager and saved
 * in the local state file, and the schedule list posted once per change. Writes are tracked:
 * a failed one is logged, and `settle()` waits for all of them.
 */
export class MirrorReports {
  /** What the worker knows of each mirror (saved in the state file). */
  readonly records = new Map<string, MirrorRecord>();
  private readonly listeners = new Set<ReportListener>();
  private readonly writes = new Set<Promise<unknown>>();
  private started = false;
  private schedulesQueued = false;

  constructor(private readonly options: MirrorReportsOptions) {}

  /** Calls `listener` with every status report made from now on; returns the unsubscribe. */
  onReport(listener: ReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Start-up is done: from now on the records are saved and schedule lists posted. */
  begin(): void {
    this.started = true;
    this.persist();
    this.queueSchedules();
  }

  /** Keeps what a job's status event says of its size and last success. */
  observe(event: Pick<JobStatusEvent, 'job' | 'status' | 'time' | 'size'>): void {
    const record = this.records.get(event.job);
    if (!record) return;
    if (event.size !== undefined) record.size = meaningfulSize(event.size) ?? record.size;
    if (event.status === 'success') record.last_success = event.time.toISOString();
  }

  /** Records and reports one status, observed at `at`, to every manager (SPEC §4.2.4). */
  send(provider: Provider, status: SyncStatus, message: string, at = new Date()): void {
    const name = provider.name;
    const record = this.records.get(name) ?? { status, error_msg: '' };
    record.status = status;
    record.error_msg = message;
    record.changed_at = at.toISOString();
    this.records.set(name, record);
    const body = this.statusOf(provider, status, record.size, message);
    this.options.logger.debug(`reporting ${status} of ${name}`, { mirror: name });
    this.track(
      this.options.reporter.reportStatus(body, at.getTime()),
      `the ${status} report of ${name}`,
    );
    this.persist();
  }

  /** Reports a mirror removed by a reload as `disabled` and forgets its record. */
  sendDropped(provider: Provider): void {
    const name = provider.name;
    const body = this.statusOf(provider, 'disabled', this.records.get(name)?.size, '');
    this.track(this.options.reporter.reportStatus(body), `the disabled report of ${name}`);
    this.records.delete(name);
  }

  /** The status body of `provider` as recorded now (what a re-registration re-sends). */
  recordedStatus(provider: Provider): { status: MirrorStatus; seenAt: number | undefined } {
    const record = this.records.get(provider.name);
    const status = record?.status ?? 'none';
    const seen = record?.changed_at ?? (status === 'success' ? record?.last_success : undefined);
    return {
      status: buildMirrorStatus(
        this.options.workerName(),
        provider,
        status,
        record?.size,
        record?.error_msg ?? '',
      ),
      seenAt: seen === undefined ? undefined : Date.parse(seen),
    };
  }

  /** Logs the failure of `write` (what it stores) instead of throwing; `settle` waits for it. */
  track(write: Promise<unknown>, what: string): void {
    const tracked = write.catch((err: unknown) => {
      this.options.logger.error(`cannot store ${what}: ${(err as Error).message}`);
    });
    this.writes.add(tracked);
    void tracked.finally(() => this.writes.delete(tracked));
  }

  /** Saves the records in the state file (once start-up is done). */
  persist(): void {
    if (this.started) this.track(this.options.stateFile.save(this.records), 'the job states');
  }

  /** The schedule list as posted to the managers. */
  scheduleBody(): MirrorSchedules {
    return {
      schedules: this.options.schedules().map((e) => ({
        name: e.name,
        next_schedule: formatRfc3339(e.at),
        ...this.options.scheduleFacts?.(e.name),
      })),
    };
  }

  /** Posts the whole schedule list once the current change is done (SPEC §4.2.4). */
  queueSchedules(): void {
    if (this.schedulesQueued || this.options.halting() || !this.started) return;
    this.schedulesQueued = true;
    queueMicrotask(() => {
      this.schedulesQueued = false;
      if (this.options.halting()) return;
      this.track(this.options.reporter.reportSchedules(this.scheduleBody()), 'the schedule list');
    });
  }

  /** Saves the records a last time (once start-up is done) and waits for every write. */
  async settle(): Promise<void> {
    this.persist();
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  private statusOf(
    provider: Provider,
    status: SyncStatus,
    size: string | undefined,
    message: string,
  ): MirrorStatus {
    const body = buildMirrorStatus(this.options.workerName(), provider, status, size, message);
    for (const listener of this.listeners) listener(body);
    return body;
  }
}
