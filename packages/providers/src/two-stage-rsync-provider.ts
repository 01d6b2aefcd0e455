import { STAGE1_PROFILES } from '@tunasync/api-types';
import type { Stage1Profile } from '@tunasync/api-types';
import type { RunState } from './base-provider';
import type { ConfigProblem } from './errors';
import { RsyncBaseProvider } from './rsync-base-provider';
import type { RsyncBaseProviderOptions } from './rsync-base-provider';
import { buildTwoStageOptions } from './rsync-options';
import type { RsyncCommonOptions } from './rsync-options';

export interface TwoStageRsyncProviderOptions extends RsyncBaseProviderOptions, RsyncCommonOptions {
  /** `stage1_profile`: `debian` or `debian-oldstyle`. */
  stage1Profile: Stage1Profile;
  /** The mirror's `rsync_options` (stage 2 only). */
  rsyncOptions?: readonly string[];
}

/**
 * The `two-stage-rsync` provider (SPEC §4.4.2): stage 1 brings new files without touching
 * the index files and without deleting; stage 2, only after stage 1 succeeded, makes the
 * tree equal to upstream. Stage 2 appends to stage 1's log; a stop ends whichever runs.
 *
 * @throws ProviderConfigError for an upstream without `/` or an unknown `stage1_profile`.
 */
export class TwoStageRsyncProvider extends RsyncBaseProvider {
  readonly type = 'two-stage-rsync';
  readonly stage1Options: readonly string[];
  readonly stage2Options: readonly string[];

  constructor(options: TwoStageRsyncProviderOptions) {
    const problems: ConfigProblem[] = [];
    const profileOk = (STAGE1_PROFILES as readonly string[]).includes(options.stage1Profile);
    if (!profileOk) {
      problems.push({
        mirror: options.name,
        key: 'stage1_profile',
        reason: `must be one of ${STAGE1_PROFILES.join(', ')} (got ${JSON.stringify(options.stage1Profile)})`,
      });
    }
    super(options, problems);
    this.stage1Options = Object.freeze(buildTwoStageOptions(options, 1));
    this.stage2Options = Object.freeze(buildTwoStageOptions(options, 2));
  }

  /** The whole command line of a stage. */
  argv(stage: 1 | 2): string[] {
    const options = stage === 1 ? this.stage1Options : this.stage2Options;
    return [this.rsyncCommand, ...options, this.upstream, this.workingDir];
  }

  protected async execute(state: RunState): Promise<void> {
    for (const stage of [1, 2] as const) {
      this.logger.debug(`stage ${stage}`);
      const exit = await this.runCommand(state, this.argv(stage), this.commandEnv, stage === 2);
      await this.checkRsyncExit(exit);
    }
    this.size = await this.readRsyncSize();
  }
}
