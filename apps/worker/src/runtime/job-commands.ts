import type { Logger } from '@tunasync/api-types';
import type { MirrorJob, Scheduler } from '@tunasync/core';
import type { MirrorConfig } from '../config/worker-config';
import type { JobCommandVerb, QueuedCommand } from '../control/worker-commands';
import { UnknownMirrorError, WorkerHaltedError } from '../errors';
import type { CommandLanes } from './command-lanes';

/** What a command acts on: a mirror's configuration and its job. */
export interface CommandTarget {
  readonly mirror: Pick<MirrorConfig, 'name' | 'push_rerun'>;
  readonly job: MirrorJob;
}

export interface JobCommandsOptions {
  /** The lanes the commands queue in (start-up, reload and halt are worker-wide sections). */
  lanes: CommandLanes;
  /** The mirror is in the last accepted configuration (what a queued command will meet). */
  hasMirror: (name: string) => boolean;
  /** The current job of a mirror. */
  target: (name: string) => CommandTarget | undefined;
  /** A command drops the job's pending schedule entry. */
  scheduler: Pick<Scheduler<MirrorJob>, 'remove'>;
  /** The schedule list changed. */
  schedulesChanged: () => void;
  /** Called before a run is stopped: its live progress stops first. */
  stopProgress: (job: MirrorJob) => void;
  /** While it answers true (the worker is halting), every command is refused. */
  halting: () => boolean;
  logger: Logger;
}

/**
 * The job commands of SPEC §4.1 (start, restart, stop, disable, ping): each queued in its
 * mirror's lane, so it waits only for earlier commands of the same mirror and for an earlier
 * start-up or reload, never for another mirror's slow stop.
 */
export class JobCommands {
  constructor(private readonly options: JobCommandsOptions) {}

  /**
   * Queues a command; throws at once (WorkerHaltedError, UnknownMirrorError) when it is
   * refused, and `applied` settles once it is done (a failure is logged too).
   */
  queue(name: string, verb: JobCommandVerb, options: { force: boolean }): QueuedCommand {
    const { halting, hasMirror, logger } = this.options;
    if (halting()) throw new WorkerHaltedError(`${verb} ${name}`);
    if (!hasMirror(name)) throw new UnknownMirrorError(name);
    const applied = this.options.lanes.run(name, async () => {
      if (halting()) throw new WorkerHaltedError(`${verb} ${name}`);
      const target = this.options.target(name);
      if (!target) throw new UnknownMirrorError(name);
      if (verb !== 'ping' && this.options.scheduler.remove(target.job)) {
        this.options.schedulesChanged();
      }
      await this.apply(target, verb, options);
    });
    applied.catch((err: unknown) => {
      logger.warn(`${verb} ${name} not applied: ${(err as Error).message}`, { mirror: name });
    });
    return { applied };
  }

  private apply(
    target: CommandTarget,
    verb: JobCommandVerb,
    options: { force: boolean },
  ): Promise<void> {
    const job = target.job;
    switch (verb) {
      case 'start':
        // Only a command (a push) asks for the extra run, never the schedule.
        return job.start({ force: options.force, rerun: target.mirror.push_rerun === true });
      case 'ping':
        return job.ping();
      case 'restart':
      case 'stop':
      case 'disable':
        // The progress of the run stops before the kill.
        this.options.stopProgress(job);
        return job.act(verb);
    }
  }
}
