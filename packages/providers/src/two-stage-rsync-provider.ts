import { STAGE1_PROFILES } from '@tunasync/api-types';
import { mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import type { Stage1Profile } from '@tunasync/api-types';
import { releaseLock, takeLock } from './archive-lock';
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
import { describeProcessExit, NO_LOG } from './process-runner';
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
  /** `uip_retries` / `uip_sleep`: with them, wait for an upstream that is updating. */
  upstreamInProgress?: UpstreamInProgressConfig;
  /** `lock_timeout` in seconds: when a lock file without a PID is stale (default 3600). */
  lockTimeoutSeconds?: number;
  /** `release_last`: the indexes before stage 2, so stage 2 renames only Release/InRelease. */
  releaseLast?: boolean;
  /** `max_delete`: stage 2 fails, deleting nothing, when it would delete more files. */
  maxDelete?: number;
  /** `delete_delay`: stage 2 with `--delete-delay` instead of `--delete-after`. */
  deleteDelay?: boolean;
  /** The clock of the trace file's dates and stage times (tests). */
  now?: () => Date;
  /** The wait between two stage-1 rounds; must end (resolve) when `signal` aborts (tests). */
  waitFor?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** ftpsync's UIPRETRIES / UIPSLEEP. */
export interface UpstreamInProgressConfig {
  /** Stage-1 rounds after the first one while the upstream is updating (0: fail at once). */
  retries: number;
  /** Seconds between two rounds. */
  sleepSeconds: number;
}

/** ftpsync's defaults of UIPRETRIES and UIPSLEEP. */
export const UIP_DEFAULTS: Readonly<UpstreamInProgressConfig> = Object.freeze({
  retries: 3,
  sleepSeconds: 1200,
});

/** ftpsync's LOCKTIMEOUT: seconds after which a lock file without a PID is stale. */
export const LOCK_TIMEOUT_DEFAULT = 3600;

/** The prefix of the file an archive mirror keeps at its top while it syncs. */
export const UPDATE_IN_PROGRESS_PREFIX = 'Archive-Update-in-Progress-';

const abortableDelay = (ms: number, signal: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch(() => undefined);

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
  /**
   * `release_last`: the options of a pass between stage 1 and stage 2 that brings every index
   * but `Release*`/`InRelease`, deleting nothing; undefined without it.
   */
  readonly indexesOptions: readonly string[] | undefined;
  readonly trace: TraceConfig | undefined;
  readonly upstreamInProgress: UpstreamInProgressConfig | undefined;
  /** `max_delete`: the most files stage 2 may delete. */
  readonly maxDelete: number | undefined;
  readonly lockTimeoutSeconds: number;
  private readonly now: () => Date;
  private readonly waitFor: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborts the wait of the run in progress. */
  private wake: AbortController | undefined;

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
    const { maxDelete } = options;
    if (maxDelete !== undefined && !(Number.isSafeInteger(maxDelete) && maxDelete >= 0)) {
      problems.push({
        mirror: options.name,
        key: 'max_delete',
        reason: `must be a non-negative integer (got ${JSON.stringify(maxDelete)})`,
      });
    }
    super(options, problems);
    this.trace = options.trace;
    this.upstreamInProgress = options.upstreamInProgress;
    this.maxDelete = options.maxDelete;
    this.lockTimeoutSeconds = options.lockTimeoutSeconds ?? LOCK_TIMEOUT_DEFAULT;
    this.now = options.now ?? (() => new Date());
    this.waitFor = options.waitFor ?? abortableDelay;
    // ftpsync never transfers (nor deletes) its own trace file and lock.
    const own = traceName
      ? [
          `--exclude=/project/trace/${traceName}`,
          `--exclude=/Archive-Update-in-Progress-${traceName}`,
        ]
      : [];
    this.stage1Options = Object.freeze([...buildTwoStageOptions(options, 1), ...own]);
    this.stage2Options = Object.freeze([...buildTwoStageOptions(options, 2), ...own]);
    this.indexesOptions =
      options.releaseLast === true
        ? Object.freeze([
            ...this.stage2Options.filter(
              (o) => !/^--delete(-after|-delay)?$/.test(o) && !o.startsWith('--max-delete='),
            ),
            '--exclude=Release*',
            '--exclude=InRelease',
          ])
        : undefined;
  }

  /** The whole command line of a stage. */
  argv(stage: 1 | 2): string[] {
    const options = stage === 1 ? this.stage1Options : this.stage2Options;
    return [this.rsyncCommand, ...options, this.upstream, this.workingDir];
  }

  override async terminate(): Promise<void> {
    const stopping = super.terminate(); // marks the run stopped before the wait ends
    this.wake?.abort();
    await stopping;
  }

  protected async execute(state: RunState): Promise<void> {
    const lock = this.trace ? await this.lock(this.trace.hostname) : undefined;
    try {
      await this.sync(state);
    } finally {
      if (lock) await releaseLock(lock);
    }
  }

  /**
   * ftpsync's lock: `Archive-Update-in-Progress-<trace_hostname>` at the top of the mirror
   * dir while a run is in progress (downstream mirrors see it, and wait). A stale one is
   * taken over (see `lockHolder`); a live one fails the run.
   */
  private async lock(host: string): Promise<string> {
    const file = join(this.workingDir, `${UPDATE_IN_PROGRESS_PREFIX}${host}`);
    let taken: Awaited<ReturnType<typeof takeLock>>;
    try {
      await mkdir(this.workingDir, { recursive: true });
      // the file's mtime is the file system's time: compared with the real clock
      taken = await takeLock(file, this.lockTimeoutSeconds * 1000, new Date());
    } catch (err) {
      throw PROVIDER_ERRORS.archiveLockIo.withCause(err, file, err);
    }
    if ('held' in taken) throw PROVIDER_ERRORS.archiveLocked(file, taken.held);
    if (taken.tookOver) this.logger.warn(`took over the stale lock ${file} (${taken.tookOver})`);
    return file;
  }

  private async sync(state: RunState): Promise<void> {
    const started = this.now();
    const seconds: [number, number] = [0, 0];
    let bytes: number | undefined;
    const runStage = async (stage: 1 | 2, appendLog: boolean, options?: readonly string[]) => {
      const begin = this.now().getTime();
      const argv = options
        ? [this.rsyncCommand, ...options, this.upstream, this.workingDir]
        : this.argv(stage);
      const exit = await this.runCommand(state, argv, this.commandEnv, appendLog);
      await this.checkRsyncExit(exit);
      seconds[stage === 1 ? 0 : 1] += Math.round((this.now().getTime() - begin) / 1000);
      const received = await this.lastBytesReceived();
      if (received !== undefined) bytes = (bytes ?? 0) + received;
    };
    const wake = new AbortController();
    this.wake = wake;
    try {
      this.logger.debug('stage 1');
      await runStage(1, false);
      // a stop during the wait makes the next stage 1 throw "terminated"
      for (let round = 0; !(await this.mayRunStage2(state, round, wake.signal)); round += 1) {
        this.logger.debug(`stage 1 again (retry ${round + 1})`);
        await runStage(1, true);
      }
      if (this.maxDelete !== undefined) await this.checkDeletions(state);
      if (this.indexesOptions) {
        this.logger.debug('stage 2, indexes but Release/InRelease (release_last)');
        await runStage(2, true, this.indexesOptions);
      }
      this.logger.debug('stage 2');
      await runStage(2, true);
    } finally {
      this.wake = undefined;
    }
    this.size = await this.readRsyncSize();
    if (this.trace) await this.writeTrace(this.trace, started, seconds, bytes);
  }

  /**
   * After stage 1 (ftpsync): an upstream `Archive-Update-in-Progress-*` that stage 1 brought
   * means the upstream is in the middle of an update. Its copy is removed (it comes back if
   * the upstream still updates), then after `uip_sleep` stage 1 runs again. An upstream master
   * trace (`project/trace/master`) that is no longer the one stage 1 brought means the upstream
   * changed meanwhile: stage 1 runs again at once. After `uip_retries` rounds the run fails and
   * stage 2 never runs on a half-updated tree.
   */
  private async mayRunStage2(
    state: RunState,
    round: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const uip = this.upstreamInProgress;
    if (!uip) return true;
    const own = this.trace ? `${UPDATE_IN_PROGRESS_PREFIX}${this.trace.hostname}` : undefined;
    const entries = await readdir(this.workingDir).catch(() => [] as string[]);
    const updating = entries.filter((e) => e.startsWith(UPDATE_IN_PROGRESS_PREFIX) && e !== own);
    const changed = updating.length === 0 && (await this.masterTraceChanged(state));
    if (updating.length === 0 && !changed) return true;
    const why = changed ? 'upstream master trace changed during stage 1' : updating.join(', ');
    if (round >= uip.retries) {
      const err = PROVIDER_ERRORS.upstreamUpdating(why, uip.retries);
      await this.appendToLog(err.message);
      throw err;
    }
    const retry = `(retry ${round + 1} of ${uip.retries})`;
    if (changed) {
      const line = `upstream master trace changed during stage 1: stage 1 again ${retry}`;
      this.logger.info(line);
      await this.appendToLog(line);
      return false;
    }
    await Promise.all(updating.map((e) => rm(join(this.workingDir, e), { force: true })));
    const line = `upstream is updating (${why}): stage 1 again in ${uip.sleepSeconds} s ${retry}`;
    this.logger.info(line);
    await this.appendToLog(line);
    await this.waitFor(uip.sleepSeconds * 1000, signal);
    return false;
  }

  /**
   * `max_delete`: rsync's `--max-delete` alone deletes up to the limit and then stops (exit 25),
   * so a dry run of stage 2 with the same options comes first; when it would delete more than
   * the limit the run fails and nothing is deleted. (Stage 2 keeps `--max-delete` for an
   * upstream that changes between the two.)
   */
  private async checkDeletions(state: RunState): Promise<void> {
    const dryRun = ['--dry-run', '--no-v', '--info=stats0'];
    const argv = [
      this.rsyncCommand,
      ...this.stage2Options,
      ...dryRun,
      this.upstream,
      this.workingDir,
    ];
    this.logger.debug('stage 2 dry run (max_delete)');
    const exit = await this.runCommand(state, argv, this.commandEnv, true);
    if (exit.code === 25) {
      const err = PROVIDER_ERRORS.maxDelete(this.maxDelete ?? 0);
      await this.appendToLog(err.message);
      throw err;
    }
    await this.checkRsyncExit(exit);
  }

  /**
   * Whether the upstream's `project/trace/master` now differs from the one stage 1 brought
   * (fetched again with rsync into `.~tmp~/`). An upstream without one, or a fetch that fails,
   * counts as unchanged (stage 2 then fails on its own if the upstream is gone).
   */
  private async masterTraceChanged(state: RunState): Promise<boolean> {
    const master = 'project/trace/master';
    const local = await readFile(join(this.workingDir, master), 'utf8').catch(() => undefined);
    if (local === undefined) return false;
    const tmpDir = join(this.workingDir, '.~tmp~');
    const tmp = join(tmpDir, `tunasync-master-trace-${process.pid}`);
    await mkdir(tmpDir, { recursive: true });
    try {
      const carried = this.stage1Options.filter(
        (o) => o.startsWith('--timeout=') || o === '-4' || o === '-6',
      );
      const argv = [
        this.rsyncCommand,
        '-q',
        '--no-motd',
        ...carried,
        `${this.upstream}${master}`,
        tmp,
      ];
      const exit = await this.runCommand(state, argv, this.commandEnv, true);
      if (exit.code !== 0) {
        this.logger.debug(`cannot fetch the upstream master trace (${describeProcessExit(exit)})`);
        return false;
      }
      return (await readFile(tmp, 'utf8')) !== local;
    } finally {
      await rm(tmp, { force: true });
      await rmdir(tmpDir).catch(() => undefined);
    }
  }

  /** `Total bytes received` of the stage that just ended (the last one in the log). */
  private async lastBytesReceived(): Promise<number | undefined> {
    const logFile = this.logFile();
    if (logFile === NO_LOG) return undefined;
    try {
      return (await findLastLine(logFile, parseRsyncBytesReceivedLine)).value;
    } catch (err) {
      throw PROVIDER_ERRORS.logRead.withCause(err, logFile, err);
    }
  }

  private async writeTrace(
    trace: TraceConfig,
    started: Date,
    seconds: [number, number],
    bytesReceived: number | undefined,
  ): Promise<void> {
    const master = await readFile(join(this.workingDir, 'project/trace/master'), 'utf8').catch(
      () => '',
    );
    try {
      await writeTraceFiles(this.workingDir, trace, {
        started,
        ended: this.now(),
        stage1Seconds: seconds[0],
        stage2Seconds: seconds[1],
        bytesReceived,
        upstreamHost: upstreamHost(this.upstream),
        archiveSerial: archiveSerialOf(master),
        architectures: await findArchitectures(this.workingDir),
        creator: CREATOR,
      });
    } catch (err) {
      throw PROVIDER_ERRORS.traceWrite.withCause(err, this.workingDir, err);
    }
  }
}
