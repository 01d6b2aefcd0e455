/**
 * What the control server asks of the worker (SPEC §4.1). The runtime implements it; the
 * server only parses, authenticates and answers. Every job-level method first removes the
 * job's pending schedule entry.
 */
export interface WorkerCommands {
  /** Whether a job of that name exists. */
  hasMirror(name: string): boolean;
  /** Bring a disabled job back, make it ready; with `force` run it now, beyond `concurrent`. */
  start(name: string, options: { force: boolean }): Promise<void> | void;
  /** Kill a running sync, then start again. */
  restart(name: string): Promise<void> | void;
  /** Kill a running sync; the job becomes paused. */
  stop(name: string): Promise<void> | void;
  /** Kill a running sync; the job becomes disabled. */
  disable(name: string): Promise<void> | void;
  /** No effect. */
  ping(name: string): Promise<void> | void;
  /** Re-read the config file and apply the difference (as on SIGHUP). */
  reload(): Promise<void> | void;
}
