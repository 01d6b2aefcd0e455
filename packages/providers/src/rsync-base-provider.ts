import type { ProviderProgress } from '@tunasync/core';
import { BaseProvider } from './base-provider';
import type { BaseProviderOptions, RunState } from './base-provider';
import type { ConfigProblem } from './errors';
import { PROVIDER_ERRORS } from './errors';
import { findRsyncSize } from './log-scan';
import { NO_LOG } from './process-runner';
import type { ProcessExit } from './process-runner';
import { rsyncExitLogLine, rsyncExitMeaning } from './rsync-exit-codes';
import { RsyncProgressTracker } from './rsync-progress';

/** Credentials of an rsync daemon; passed in the environment only. */
export interface RsyncCredentials {
  /** `username` → `USER`. */
  username?: string;
  /** `password` → `RSYNC_PASSWORD`; never on the command line, never logged. */
  password?: string;
}

export interface RsyncBaseProviderOptions extends BaseProviderOptions, RsyncCredentials {
  /** The rsync program (the mirror's `command`; default `rsync`). */
  rsyncCommand?: string;
}

/** The environment of an rsync command: the mirror's `env`, then `USER` / `RSYNC_PASSWORD`. */
export function rsyncEnv(
  env: Readonly<Record<string, string>>,
  credentials: RsyncCredentials,
): Record<string, string> {
  const out = { ...env };
  if (credentials.username) out.USER = credentials.username;
  if (credentials.password) out.RSYNC_PASSWORD = credentials.password;
  return out;
}

/** Why an rsync upstream is not acceptable (it must end with `/`), or undefined. */
export function rsyncUpstreamProblem(upstream: string): string | undefined {
  if (upstream === '') return 'must be set for an rsync mirror';
  if (!upstream.endsWith('/')) {
    return `must end with "/" for an rsync mirror (got ${JSON.stringify(upstream)})`;
  }
  return undefined;
}

/**
 * What the rsync and two-stage-rsync providers share: credentials, exit codes, the size from
 * the log, and live progress from the log.
 */
export abstract class RsyncBaseProvider extends BaseProvider {
  readonly rsyncCommand: string;
  /** The environment of the rsync commands (holds the password: never log it). */
  protected readonly commandEnv: Record<string, string>;
  /** The progress of the run it belongs to (stage 2 of two-stage keeps stage 1's). */
  private tracking: { run: RunState; tracker: RsyncProgressTracker } | undefined;

  protected constructor(options: RsyncBaseProviderOptions, problems: ConfigProblem[] = []) {
    super(options);
    const upstreamProblem = rsyncUpstreamProblem(options.upstream);
    if (upstreamProblem)
      problems.unshift({ mirror: options.name, key: 'upstream', reason: upstreamProblem });
    if (problems.length > 0) throw PROVIDER_ERRORS.config(problems);
    this.rsyncCommand = options.rsyncCommand || 'rsync';
    this.commandEnv = rsyncEnv(this.env, options);
  }

  /**
   * Live progress of the run in progress (SPEC §7.9): regular files rsync listed as
   * transferred so far and their size in the working directory, read from the run's log
   * (see `RsyncProgressTracker`); `{ files: 0, bytes: 0 }` until rsync has started;
   * undefined when no run is in progress or the log is `/dev/null`. Never rejects.
   */
  async progress(): Promise<ProviderProgress | undefined> {
    const run = this.currentRun;
    if (!run) {
      this.tracking = undefined;
      return undefined;
    }
    if (this.logFile() === NO_LOG) return undefined;
    const tracking = this.tracking;
    if (tracking?.run !== run) return { files: 0, bytes: 0 };
    const progress = await tracking.tracker.read();
    return this.currentRun === run ? progress : undefined;
  }

  protected override commandStarted(run: RunState, appendLog: boolean): void {
    if (appendLog && this.tracking?.run === run) return;
    const logFile = this.logFile();
    this.tracking =
      logFile === NO_LOG
        ? undefined
        : {
            run,
            tracker: new RsyncProgressTracker({
              logFile,
              workingDir: this.workingDir,
              onError: (err) =>
                this.logger.debug(
                  `progress: cannot read log ${logFile}: ${err instanceof Error ? err.message : String(err)}`,
                ),
            }),
          };
  }

  /**
   * A failed exit appends rsync's meaning of the code to the log (`rsync error: …`) and
   * throws; a success exit (0 or a success code) returns.
   */
  protected async checkRsyncExit(exit: ProcessExit): Promise<void> {
    if (this.isSuccess(exit)) return;
    if (exit.code === null) throw this.exitError(this.rsyncCommand, exit);
    await this.appendToLog(rsyncExitLogLine(exit.code));
    throw this.exitError(this.rsyncCommand, exit, rsyncExitMeaning(exit.code));
  }

  /** The size of the last run from the end of its log (undefined without a log). */
  protected async readRsyncSize(): Promise<string | undefined> {
    const logFile = this.logFile();
    if (logFile === NO_LOG) return undefined;
    try {
      return (await findRsyncSize(logFile)).value;
    } catch (err) {
      throw PROVIDER_ERRORS.logRead.withCause(err, logFile, err);
    }
  }
}
