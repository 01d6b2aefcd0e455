import { splitCommandLine } from '../command-line';
import { defineHook } from '../define-hook';
import { CORE_ERRORS } from '../errors';
import type { HookContext, JobHook } from '../job-hook';
import type { Provider } from '../provider';
import { describeExit, runTool } from '../run-tool';

export interface ExecHookOptions {
  /** `success`: run after a successful attempt; `failure`: after a failed one. */
  kind: 'success' | 'failure';
  /** Command lines, each split like a shell splits words (no shell is run). */
  commands: readonly string[];
}

/** The variables an exec hook command gets (SPEC §4.5), besides the worker's environment. */
export function execHookEnv(
  provider: Provider,
  kind: 'success' | 'failure',
): Record<string, string> {
  return {
    TUNASYNC_MIRROR_NAME: provider.name,
    TUNASYNC_WORKING_DIR: provider.workingDir,
    TUNASYNC_UPSTREAM_URL: provider.upstream,
    TUNASYNC_LOG_DIR: provider.logDir,
    TUNASYNC_LOG_FILE: provider.logFile(),
    TUNASYNC_JOB_EXIT_STATUS: kind,
  };
}

/**
 * exec_on_success / exec_on_failure (SPEC §4.5): after a successful (or failed) attempt,
 * run each command in list order, without a shell, with the provider's `TUNASYNC_*`
 * variables and `TUNASYNC_JOB_EXIT_STATUS`. A command that cannot start or exits non-zero
 * fails the hook (and so the job); the remaining commands are not run. Build the list
 * with `mergeExecCommands`.
 *
 * @throws TunasyncError `TUNASYNC_E_COMMAND_LINE` at once for a command that cannot be split.
 */
export function createExecHook(options: ExecHookOptions): JobHook {
  const commands = options.commands.map((text) => ({ text, argv: splitCommandLine(text) }));
  for (const { text, argv } of commands) {
    if (argv.length === 0) throw CORE_ERRORS.commandLine(text, 'no command');
  }
  const phase = options.kind === 'success' ? 'post-success' : 'post-fail';
  return defineHook(`exec-on-${options.kind}`, {
    [phase]: async ({ provider, logger }: HookContext) => {
      const env = execHookEnv(provider, options.kind);
      for (const { text, argv } of commands) {
        logger.info(`running exec-on-${options.kind} command: ${text}`);
        const result = await runTool(argv, { env });
        const output = (result.stdout + result.stderr).trim();
        if (output) logger.debug(`output of ${text}: ${output}`);
        if (result.code !== 0) throw CORE_ERRORS.execCommandFailed(text, describeExit(result));
      }
    },
  });
}
