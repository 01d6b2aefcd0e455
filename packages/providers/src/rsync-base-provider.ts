import { BaseProvider } from './base-provider';
import type { BaseProviderOptions } from './base-provider';
import type { ConfigProblem } from './errors';
import { PROVIDER_ERRORS } from './errors';
import { findRsyncSize } from './log-scan';
import { NO_LOG } from './process-runner';
import type { ProcessExit } from './process-runner';
import { rsyncExitLogLine, rsyncExitMeaning } from './rsync-exit-codes';

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

/** What the rsync and two-stage-rsync providers share. */
export abstract class RsyncBaseProvider extends BaseProvider {
  readonly rsyncCommand: string;
  /** The environment of the rsync commands (holds the password: never log it). */
  protected readonly commandEnv: Record<string, string>;

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
      throw PROVIDER_ERRORS.logRead(logFile, err);
    }
  }
}
