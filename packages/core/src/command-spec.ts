/** A command to spawn: never through a shell. */
export interface CommandSpec {
  argv: string[];
  cwd: string;
  /**
   * The job's own variables only (the mirror's `env`, the `TUNASYNC_*` variables, `USER`,
   * `RSYNC_PASSWORD`, …). Whoever spawns the command adds the worker's environment
   * (`process.env`) underneath; a wrapper such as Docker passes exactly these into the
   * container.
   */
  env: Record<string, string>;
}

/**
 * Changes how a provider's command is started for one run (Docker, cgroup). Hooks put a
 * wrapper into the provider's context in pre-exec and take it out in post-exec.
 */
export interface CommandWrapper {
  readonly name: string;
  /** The command to spawn instead of `spec`. */
  wrap(spec: CommandSpec): CommandSpec | Promise<CommandSpec>;
  /** Extra work to stop the wrapped command (e.g. `docker stop`); runs before the process group is signalled. */
  terminate?(): Promise<void>;
}
