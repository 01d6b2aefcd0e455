import type { CmdVerb } from '@tunasync/api-types';

/** The verbs of a job-level command (SPEC §4.1). */
export type JobCommandVerb = Exclude<CmdVerb, 'reload'>;

/** A command the worker accepted: it takes effect in order, `applied` settles once it has. */
export interface QueuedCommand {
  readonly applied: Promise<void>;
}

/**
 * What the control server asks of the worker (SPEC §4.1). The runtime implements it; the
 * server only parses, authenticates and answers — as soon as a command is accepted, not once
 * it is applied, so a slow stop of one mirror never delays the answer to another.
 */
export interface WorkerCommands {
  /** Whether a job of that name exists (after the reloads accepted so far). */
  hasMirror(name: string): boolean;
  /** The mirror's log directory, for its log routes (§7.14); undefined: none to show. */
  logDirOf?(name: string): string | undefined;
  /**
   * Checks and queues a command for one mirror; throws at once when it is refused
   * (`UnknownMirrorError`, `WorkerHaltedError`). Every verb but `ping` first removes the
   * job's pending schedule entry, when it is applied.
   */
  queueJobCommand(name: string, verb: JobCommandVerb, options: { force: boolean }): QueuedCommand;
  /**
   * Re-reads the config file (as on SIGHUP) and queues the application of the difference;
   * rejects (`ReloadError`) when the file cannot be used, which then changes nothing.
   */
  queueReload(): Promise<QueuedCommand>;
}
