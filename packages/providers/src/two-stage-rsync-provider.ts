import { STAGE1_PROFILES } from '@tunasync/api-types';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stage1Profile } from '@tunasync/api-types';
import type { RunState } from './base-provider';
import {
  archiveSerialOf,
  findArchitectures,
  parseRsyncBytesReceivedLine,
  upstreamHost,
  writeTraceFiles,
} from './debian-trace';
import type { TraceConfig } from './debian-trace';
import type { ConfigProblem } from './errors';
import { PROVIDER_ERRORS } from './errors';
import { findLastLine } from './log-scan';
import { NO_LOG } from './process-runner';
import { RsyncBaseProvider } from './rsync-base-provider';
import type { RsyncBaseProviderOptions } from './rsync-base-provider';
import { buildTwoStageOptions } from './rsync-options';
import type { RsyncCommonOptions } from './rsync-options';

export interface TwoStageRsyncProviderOptions extends RsyncBaseProviderOptions, RsyncCommonOptions {
  /** `stage1_profile`: `debian` or `debian-oldstyle`. */
  stage1Profile: Stage1Profile;
  /** The mirror's `rsync_options` (stage 2 only). */
  rsyncOptions?: readonly string[];
  /** The `trace_*` keys: with them, trace files after each successful run. */
  trace?: TraceConfig;
  /** The clock of the trace file's dates and stage times (tests). */
  now?: () => Date;
}

/** `Creator` of the trace files. */
const CREATOR = 'tunasync-ts';

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
  readonly trace: TraceConfig | undefined;
  private readonly now: () => Date;

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
    const traceName = options.trace?.hostname;
    if (traceName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(traceName)) {
      problems.push({
        mirror: options.name,
        key: 'trace_hostname',
        reason: `must be a host name (letters, digits, "." and "-"; got ${JSON.stringify(traceName)})`,
      });
    }
    super(options, problems);
    this.trace = options.trace;
    this.now = options.now ?? (() => new Date());
    // ftpsync never transfers (nor deletes) its own trace file and lock.
    const own = traceName
      ? [
          `--exclude=/project/trace/${traceName}`,
          `--exclude=/Archive-Update-in-Progress-${traceName}`,
        ]
      : [];
    this.stage1Options = Object.freeze([...buildTwoStageOptions(options, 1), ...own]);
    this.stage2Options = Object.freeze([...buildTwoStageOptions(options, 2), ...own]);
  }

  /** The whole command line of a stage. */
  argv(stage: 1 | 2): string[] {
    const options = stage === 1 ? this.stage1Options : this.stage2Options;
    return [this.rsyncCommand, ...options, this.upstream, this.workingDir];
  }

  protected async execute(state: RunState): Promise<void> {
    const started = this.now();
    const seconds = [0, 0];
    let bytes: number | undefined;
    for (const stage of [1, 2] as const) {
      this.logger.debug(`stage ${stage}`);
      const begin = this.now().getTime();
      const exit = await this.runCommand(state, this.argv(stage), this.commandEnv, stage === 2);
      await this.checkRsyncExit(exit);
      seconds[stage - 1] += Math.round((this.now().getTime() - begin) / 1000);
      const received = await this.lastBytesReceived();
      if (received !== undefined) bytes = (bytes ?? 0) + received;
    }
    this.size = await this.readRsyncSize();
    if (this.trace) await this.writeTrace(this.trace, started, seconds, bytes);
  }

  /** `Total bytes received` of the stage that just ended (the last one in the log). */
  private async lastBytesReceived(): Promise<number | undefined> {
    const logFile = this.logFile();
    if (logFile === NO_LOG) return undefined;
    try {
      return (await findLastLine(logFile, parseRsyncBytesReceivedLine)).value;
    } catch (err) {
      throw PROVIDER_ERRORS.logRead(logFile, err);
    }
  }

  private async writeTrace(
    trace: TraceConfig,
    started: Date,
    seconds: number[],
    bytesReceived: number | undefined,
  ): Promise<void> {
    const master = await readFile(join(this.workingDir, 'project/trace/master'), 'utf8').catch(
      () => '',
    );
    try {
      await writeTraceFiles(this.workingDir, trace, {
        started,
        ended: this.now(),
        stage1Seconds: seconds[0] ?? 0,
        stage2Seconds: seconds[1] ?? 0,
        bytesReceived,
        upstreamHost: upstreamHost(this.upstream),
        archiveSerial: archiveSerialOf(master),
        architectures: await findArchitectures(this.workingDir),
        creator: CREATOR,
      });
    } catch (err) {
      throw PROVIDER_ERRORS.traceWrite(this.workingDir, err);
    }
  }
}
