import type { Logger } from '@tunasync/api-types';
import type { ConcurrencyGate, MirrorJob, Provider, Scheduler } from '@tunasync/core';
import { loadWorkerConfig } from '../config/load-worker-config';
import type { MirrorConfig, WorkerConfig } from '../config/worker-config';
import type { QueuedCommand } from '../control/worker-commands';
import { ReloadError, WorkerConfigError, WorkerHaltedError } from '../errors';
import type { CommandLanes } from './command-lanes';
import type { InitialJobState, JobEntry } from './job-entry';
import type { LiveProgress } from './live-progress';
import { diffMirrors, type MirrorDiff } from './mirror-diff';
import type { MirrorReports } from './mirror-reports';
import { SerialLock } from './serial-lock';

/** The worker's jobs as a reload changes them. */
export interface ReloadJobs {
  get(name: string): JobEntry | undefined;
  /** Creates, attaches and lists the job of `mirror`. */
  add(mirror: MirrorConfig, provider: Provider, state: InitialJobState): JobEntry;
  /** Disables a job without reporting it, and detaches it. */
  retire(entry: JobEntry): Promise<void>;
  delete(name: string): void;
}

export interface ReloadOptions {
  /** The file a reload re-reads. */
  file: () => string;
  /** A file with unknown keys is refused. */
  strict: boolean;
  /** The configuration the worker runs with. */
  config: () => WorkerConfig;
  /** Applies a reloaded configuration (after the jobs changed). */
  setConfig: (next: WorkerConfig) => void;
  /** Builds the provider of a mirror under a configuration (throws when it cannot). */
  makeProvider: (mirror: MirrorConfig, config: WorkerConfig) => Provider;
  jobs: ReloadJobs;
  lanes: CommandLanes;
  reports: Pick<MirrorReports, 'records' | 'sendDropped' | 'persist' | 'queueSchedules'>;
  scheduler: Pick<Scheduler<MirrorJob>, 'add'>;
  gate: Pick<ConcurrencyGate, 'setLimit'>;
  progress: Pick<LiveProgress, 'restartAll'>;
  /** While it answers true (the worker is halting), a reload is refused. */
  halting: () => boolean;
  logger: Logger;
}

interface PreparedReload {
  file: string;
  next: WorkerConfig;
  diff: MirrorDiff;
  providers: Map<string, Provider>;
}

/**
 * Reload (SPEC §4.6): re-read the configuration file and apply the difference, mirror by
 * mirror. Reloads read their file one after another, in the order they were asked for; a
 * broken file rejects with ReloadError and changes nothing.
 */
export class Reload {
  /** Reloads read their file one after another, in the order they were asked for. */
  private readonly reads = new SerialLock();
  /** The configuration of the last accepted reload: what the queued commands will meet. */
  private acceptedConfig: WorkerConfig;

  constructor(private readonly options: ReloadOptions) {
    this.acceptedConfig = options.config();
  }

  /** The configuration of the last accepted reload (the running one before any). */
  get accepted(): WorkerConfig {
    return this.acceptedConfig;
  }

  /**
   * Reads and checks the file and builds the providers of new and changed mirrors (a
   * problem rejects with ReloadError and changes nothing), then queues the application
   * behind every command asked for before it.
   */
  queue(): Promise<QueuedCommand> {
    return this.reads.run(async () => {
      const prepared = await this.prepare();
      this.acceptedConfig = prepared.next;
      const applied = this.options.lanes.runExclusive(() => this.apply(prepared));
      applied.catch((err: unknown) => {
        this.options.logger.error(
          `reload of ${prepared.file} not applied: ${(err as Error).message}`,
        );
      });
      return { applied };
    });
  }

  private async prepare(): Promise<PreparedReload> {
    const { logger } = this.options;
    if (this.options.halting()) throw new WorkerHaltedError('reload');
    const file = this.options.file();
    let next: WorkerConfig;
    try {
      const loaded = await loadWorkerConfig(file, { strict: this.options.strict });
      next = loaded.config;
      for (const warning of loaded.warnings) logger.warn(`reload: ${warning}`);
    } catch (err) {
      const problems =
        err instanceof WorkerConfigError ? [...err.problems] : [(err as Error).message];
      for (const problem of problems) logger.error(`reload: ${problem}`);
      logger.error(`reload of ${file} refused; the running configuration is kept`);
      throw new ReloadError(problems, { cause: err });
    }
    if (this.options.halting()) throw new WorkerHaltedError('reload');
    // Against the last accepted configuration: the earlier reloads are applied first.
    const diff = diffMirrors(this.acceptedConfig, next);
    const providers = new Map<string, Provider>();
    try {
      for (const mirror of [...diff.added, ...diff.changed]) {
        providers.set(mirror.name, this.options.makeProvider(mirror, next));
      }
    } catch (err) {
      logger.error(`reload: ${(err as Error).message}`);
      logger.error(`reload of ${file} refused; the running configuration is kept`);
      throw new ReloadError([(err as Error).message], { cause: err });
    }
    this.warnRestartOnly(this.acceptedConfig, next);
    return { file, next, diff, providers };
  }

  private async apply({ file, next, diff, providers }: PreparedReload): Promise<void> {
    const { jobs, reports, scheduler, logger } = this.options;
    if (this.options.halting()) throw new WorkerHaltedError('reload');
    for (const mirror of diff.removed) {
      const entry = jobs.get(mirror.name);
      if (!entry) continue;
      await jobs.retire(entry);
      jobs.delete(mirror.name);
      reports.sendDropped(entry.job.provider);
      logger.info(`reload: ${mirror.name} removed (disabled and dropped)`, {
        mirror: mirror.name,
      });
    }
    const now = new Date();
    for (const mirror of diff.changed) {
      const old = jobs.get(mirror.name);
      if (!old) continue;
      const before = old.job.state;
      await jobs.retire(old);
      const state = before === 'disabled' ? 'disabled' : before === 'paused' ? 'paused' : 'none';
      const entry = jobs.add(mirror, providers.get(mirror.name) as Provider, state);
      if (state === 'none') scheduler.add(entry.job, now);
      logger.info(`reload: ${mirror.name} changed (${state === 'none' ? 'runs now' : state})`, {
        mirror: mirror.name,
      });
    }
    for (const mirror of diff.added) {
      const entry = jobs.add(mirror, providers.get(mirror.name) as Provider, 'none');
      reports.records.set(mirror.name, { status: 'none', error_msg: '' });
      scheduler.add(entry.job, now);
      logger.info(`reload: ${mirror.name} added (runs now)`, { mirror: mirror.name });
    }
    const current = this.options.config();
    if (next.global.concurrent !== current.global.concurrent) {
      this.options.gate.setLimit(next.global.concurrent);
    }
    const progressChanged = next.global.progress_interval !== current.global.progress_interval;
    this.options.setConfig(next);
    // Running syncs of unchanged mirrors go on: their progress takes the new interval now.
    if (progressChanged) this.options.progress.restartAll();
    reports.persist();
    reports.queueSchedules();
    logger.info(
      `reloaded ${file}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed, ${diff.unchanged.length} unchanged`,
    );
  }

  private warnRestartOnly(before: WorkerConfig, next: WorkerConfig): void {
    const sections = ['manager', 'server'] as const;
    for (const section of sections) {
      if (JSON.stringify(next[section]) !== JSON.stringify(before[section])) {
        this.options.logger.warn(`reload: changes of [${section}] take effect after a restart`);
      }
    }
    if (next.global.name !== before.global.name) {
      this.options.logger.warn('reload: a new [global] name takes effect after a restart');
    }
  }
}
