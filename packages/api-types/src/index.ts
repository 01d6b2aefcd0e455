export { SYNC_STATUSES, isSyncStatus } from './sync-status';
export type { SyncStatus } from './sync-status';
export { RUN_RESULTS, finishedRun, isRunResult } from './finished-run';
export type { RunResult } from './finished-run';
export { CMD_VERBS, isCmdVerb } from './cmd-verb';
export type { CmdVerb } from './cmd-verb';
export { NAME_PATTERN, isValidName, nameProblem } from './name-rule';
export type {
  Rfc3339,
  MirrorStatus,
  MirrorStatusReport,
  WebMirrorStatus,
  WorkerStatus,
  CmdOptions,
  ClientCmd,
  WorkerCmd,
  MirrorSchedule,
  MirrorSchedules,
  MirrorSizeMessage,
  MirrorProgressMessage,
  MessageBody,
  ErrorBody,
  WorkerAnswer,
  HistoryRecord,
} from './wire-types';
export {
  ZERO_TIME,
  ZERO_TIME_RFC3339,
  ZERO_TIME_WEB,
  ZERO_TIME_UNIX,
  isZeroTime,
  formatRfc3339,
  parseRfc3339,
  parseRfc3339OrZero,
  formatWebTime,
  toUnixSeconds,
  rfc3339Offset,
  toWebMirrorStatus,
} from './time';
export { parseBearerToken } from './bearer-token';
export { inferredIntervalSeconds, isStaleMirror, staleLimitMs } from './stale-rule';
export type { StaleAfter, StaleRuleInput, StaleRuleSchedule } from './stale-rule';
export { silentLogger } from './logger';
export { MAX_NESTING_DEPTH, MAX_WIRE_VALUES } from './value-limits';
export type { Logger, LogMeta } from './logger';
export { TunasyncError, defineErrors, errorCodes, isTunasyncError } from './tunasync-error';
export type {
  BuiltError,
  ErrorCatalog,
  ErrorCodeOf,
  ErrorEntry,
  ErrorMaker,
  ErrorSpec,
} from './tunasync-error';
export { HISTORY_SIZE_MAX, MANAGER_DEFAULTS } from './manager-config';
export type {
  ManagerConfigFile,
  MirrorzConfigFile,
  MirrorzMirrorConfig,
  MirrorzSiteConfig,
} from './manager-config';
export {
  MIRRORZ_VERSION,
  MIRRORZ_MAIN_STATUSES,
  MIRRORZ_AUX_STATUSES,
  MIRRORZ_SITE_TEXT_KEYS,
} from './mirrorz';
export type {
  MirrorzAuxStatus,
  MirrorzDocument,
  MirrorzInfo,
  MirrorzMainStatus,
  MirrorzMirror,
  MirrorzSite,
  MirrorzSiteTextKey,
} from './mirrorz';
export { CTL_DEFAULTS } from './ctl-config';
export type { CtlConfigFile } from './ctl-config';
export { PROVIDER_KINDS, STAGE1_PROFILES, WORKER_DEFAULTS } from './worker-config';
export type {
  ProviderKind,
  Stage1Profile,
  MirrorConfigFile,
  WorkerConfigFile,
} from './worker-config';
export {
  formatJsonPointer,
  validateMirrorStatus,
  validateWorkerStatus,
  validateClientCmd,
  validateWorkerCmd,
  validateMirrorSchedules,
  validateMirrorSizeMessage,
  validateMirrorProgressMessage,
  validateManagerConfig,
  validateWorkerConfig,
  validateCtlConfig,
} from './validate';
export type { ValidationResult, Validator } from './validate';
export {
  mirrorStatusSchema,
  workerStatusSchema,
  clientCmdSchema,
  workerCmdSchema,
  mirrorSchedulesSchema,
  mirrorSizeMessageSchema,
  mirrorProgressMessageSchema,
} from './wire-schemas';
export { managerConfigSchema, workerConfigSchema, ctlConfigSchema } from './config-schemas';
export {
  hasUrlUserinfo,
  redactUrlUserinfo,
  urlPasswords,
  withoutUrlPassword,
} from './url-userinfo';
export { checkSummary } from './check-summary';
export { LOG_FORMATS, formatLogLine } from './log-line';
export type { LogEntry, LogFormat, LogLineOptions } from './log-line';
export { REDACTED, createLineLogger } from './line-logger';
export type { LineLoggerOptions, LineSink, LogLevel } from './line-logger';
