export { BaseProvider } from './base-provider';
export type { BaseProviderOptions, RunState } from './base-provider';
export { RsyncBaseProvider, rsyncEnv, rsyncUpstreamProblem } from './rsync-base-provider';
export type { RsyncBaseProviderOptions, RsyncCredentials } from './rsync-base-provider';
export { RsyncProvider } from './rsync-provider';
export type { RsyncProviderOptions } from './rsync-provider';
export {
  TwoStageRsyncProvider,
  UIP_DEFAULTS,
  UPDATE_IN_PROGRESS_PREFIX,
} from './two-stage-rsync-provider';
export type {
  TwoStageRsyncProviderOptions,
  UpstreamInProgressConfig,
} from './two-stage-rsync-provider';
export { formatTraceFile, parseTraceFile } from './debian-trace';
export type { ParsedTrace, TraceConfig, TraceRun } from './debian-trace';
export { CommandProvider } from './command-provider';
export type { CommandProviderOptions } from './command-provider';
export { createProvider, checkMirrorConfig } from './create-provider';
export type {
  CreateProviderOptions,
  MirrorConfigCheck,
  ProviderGlobalConfig,
} from './create-provider';
export {
  RSYNC_DEFAULT_OPTIONS,
  TWO_STAGE_STAGE1_OPTIONS,
  TWO_STAGE_STAGE2_OPTIONS,
  STAGE1_PROFILE_OPTIONS,
  buildRsyncOptions,
  buildTwoStageOptions,
} from './rsync-options';
export type { RsyncArgsConfig, RsyncCommonOptions, TwoStageArgsConfig } from './rsync-options';
export { RSYNC_EXIT_CODES, rsyncExitMeaning, rsyncExitLogLine } from './rsync-exit-codes';
export {
  LogFollower,
  findLastLine,
  findRsyncSize,
  parseRsyncTotalSize,
  scanLines,
} from './log-scan';
export type {
  BackwardSearchOptions,
  BackwardSearchResult,
  LogFollowerOptions,
  ScanLinesOptions,
} from './log-scan';
export { RSYNC_PROGRESS_LIMITS, RsyncProgressTracker } from './rsync-progress';
export type { RsyncProgressOptions } from './rsync-progress';
export { classifyRsyncListLine, unescapeRsyncName } from './rsync-list-line';
export type { RsyncListLine } from './rsync-list-line';
export { captureGroupCount, compileGoRegexp, goRegexpProblem } from './go-regexp';
export {
  LOG_DIR_TEMPLATE_FIELDS,
  expandLogDirTemplate,
  logDirTemplateProblem,
} from './log-dir-template';
export { DEFAULT_KILL_GRACE_MS, NO_LOG, describeProcessExit, startProcess } from './process-runner';
export type { ProcessExit, RunningProcess, Sleep, StartProcessOptions } from './process-runner';
export { processGroupAlive, signalProcessGroup } from './process-group';
export { PROVIDER_ERRORS, ProviderConfigError, formatConfigProblem } from './errors';
export type { ConfigProblem, ProviderErrorCode } from './errors';
