import { splitCommandLine } from '@tunasync/core';
import { BaseProvider } from './base-provider';
import type { BaseProviderOptions, RunState } from './base-provider';
import type { ConfigProblem } from './errors';
import { PROVIDER_ERRORS } from './errors';
import { compileGoRegexp, goRegexpProblem } from './go-regexp';
import { scanLines } from './log-scan';
import { NO_LOG } from './process-runner';

export interface CommandProviderOptions extends BaseProviderOptions {
  /** The command line, split like a shell splits words (no shell is run). */
  command: string;
  /** `fail_on_match`: a run whose log matches fails. */
  failOnMatch?: string;
  /** `size_pattern`: the first capture group of its last match in the log is the size. */
  sizePattern?: string;
}

/** Compile a Go-syntax pattern of a config key; a problem is pushed instead of throwing. */
export function compilePatternOption(
  mirror: string,
  key: string,
  pattern: string | undefined,
  problems: ConfigProblem[],
  needsGroup = false,
): RegExp | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  const reason = goRegexpProblem(pattern, needsGroup);
  if (reason !== undefined) {
    problems.push({ mirror, key, reason });
    return undefined;
  }
  return compileGoRegexp(pattern);
}

/** Split a config command line; a problem is pushed instead of throwing. */
export function splitCommandOption(
  mirror: string,
  key: string,
  text: string,
  problems: ConfigProblem[],
): string[] {
  try {
    const argv = splitCommandLine(text);
    if (argv.length === 0) problems.push({ mirror, key, reason: 'must not be empty' });
    return argv;
  } catch (err) {
    problems.push({ mirror, key, reason: (err as Error).message });
    return [];
  }
}

/**
 * The `command` provider (SPEC §4.4.3): runs the mirror's command with the five
 * `TUNASYNC_*` variables and the mirror's `env`; after exit 0, `fail_on_match` and
 * `size_pattern` are applied to the log, streamed line by line.
 *
 * @throws ProviderConfigError for a command that cannot be split or a bad pattern.
 */
export class CommandProvider extends BaseProvider {
  readonly type = 'command';
  readonly command: readonly string[];
  private readonly failOnMatch: RegExp | undefined;
  private readonly sizePattern: RegExp | undefined;

  constructor(options: CommandProviderOptions) {
    super(options);
    const problems: ConfigProblem[] = [];
    this.command = Object.freeze(
      splitCommandOption(options.name, 'command', options.command, problems),
    );
    this.failOnMatch = compilePatternOption(
      options.name,
      'fail_on_match',
      options.failOnMatch,
      problems,
    );
    this.sizePattern = compilePatternOption(
      options.name,
      'size_pattern',
      options.sizePattern,
      problems,
      true,
    );
    if (problems.length > 0) throw PROVIDER_ERRORS.config(problems);
  }

  /** The environment of a run: `TUNASYNC_*` first, the mirror's `env` over them. */
  commandEnv(): Record<string, string> {
    return {
      TUNASYNC_MIRROR_NAME: this.name,
      TUNASYNC_WORKING_DIR: this.workingDir,
      TUNASYNC_UPSTREAM_URL: this.upstream,
      TUNASYNC_LOG_DIR: this.logDir,
      TUNASYNC_LOG_FILE: this.logFile(),
      ...this.env,
    };
  }

  protected async execute(state: RunState): Promise<void> {
    const exit = await this.runCommand(state, this.command, this.commandEnv());
    const program = this.command[0] as string;
    if (!this.isSuccess(exit)) throw this.exitError(program, exit);
    const logFile = this.logFile();
    if (logFile === NO_LOG || (!this.failOnMatch && !this.sizePattern)) return;

    let failures = 0;
    let size: string | undefined;
    const failOnMatch = this.failOnMatch;
    const sizePattern = this.sizePattern;
    try {
      await scanLines(logFile, (line) => {
        if (failOnMatch) {
          failOnMatch.lastIndex = 0;
          failures += [...line.matchAll(failOnMatch)].length;
        }
        if (sizePattern) {
          sizePattern.lastIndex = 0;
          for (const match of line.matchAll(sizePattern)) {
            if (match[1] !== undefined) size = match[1];
          }
        }
      });
    } catch (err) {
      throw PROVIDER_ERRORS.logRead.withCause(err, logFile, err);
    }
    if (failures > 0) throw PROVIDER_ERRORS.failOnMatch(failures);
    this.size = size;
  }
}
