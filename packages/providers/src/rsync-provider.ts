import type { RunState } from './base-provider';
import type { ConfigProblem } from './errors';
import { RsyncBaseProvider } from './rsync-base-provider';
import type { RsyncBaseProviderOptions } from './rsync-base-provider';
import { buildRsyncOptions } from './rsync-options';
import type { RsyncArgsConfig } from './rsync-options';

export interface RsyncProviderOptions extends RsyncBaseProviderOptions, RsyncArgsConfig {}

/**
 * The `rsync` provider (SPEC §4.4.1): `<rsync> <options…> <upstream> <working dir>`.
 *
 * @throws ProviderConfigError when the upstream does not end with `/` or
 *   `rsync_override_only` is set without `rsync_override`.
 */
export class RsyncProvider extends RsyncBaseProvider {
  readonly type = 'rsync';
  /** The options between the program and the upstream. */
  readonly options: readonly string[];

  constructor(options: RsyncProviderOptions) {
    const problems: ConfigProblem[] = [];
    if (options.rsyncOverrideOnly === true && options.rsyncOverride === undefined) {
      problems.push({
        mirror: options.name,
        key: 'rsync_override_only',
        reason: 'is set but rsync_override is not',
      });
    }
    super(options, problems);
    this.options = Object.freeze(buildRsyncOptions(options));
  }

  /** The whole command line of a run. */
  argv(): string[] {
    return [this.rsyncCommand, ...this.options, this.upstream, this.workingDir];
  }

  protected async execute(state: RunState): Promise<void> {
    await this.checkRsyncExit(await this.runCommand(state, this.argv(), this.commandEnv));
    this.size = await this.readRsyncSize();
  }
}
