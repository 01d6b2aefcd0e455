export { checkWorkerConfig, loadWorkerConfig } from './config/load-worker-config';
export type { LoadWorkerConfigOptions, WorkerConfigCheck } from './config/load-worker-config';
export { SERVER_DEFAULTS } from './config/worker-config';
export type {
  GlobalConfig,
  ManagerSection,
  MirrorConfig,
  ServerSection,
  WorkerConfig,
} from './config/worker-config';
export { expandGlob } from './config/glob';
export {
  WORKER_ERRORS,
  ManagerHttpError,
  ManagerUnreachableError,
  OutboxClosedError,
  ReloadError,
  StateDirBusyError,
  UnknownMirrorError,
  UsageError,
  WorkerConfigError,
  WorkerHaltedError,
} from './errors';
export type { WorkerErrorCode } from './errors';
export { ManagerClient } from './reporting/manager-client';
export type { ManagerClientOptions } from './reporting/manager-client';
export { ManagerOutbox } from './reporting/manager-outbox';
export type { ManagerOutboxOptions, StatusReport } from './reporting/manager-outbox';
export { DurableQueue } from './reporting/durable-queue';
export { Backoff } from './reporting/backoff';
export type { BackoffOptions } from './reporting/backoff';
export { Reporter, outboxDirName } from './reporting/reporter';
export type { ReporterOptions } from './reporting/reporter';
export { ProgressReporter } from './reporting/progress-reporter';
export type { ProgressReporterOptions } from './reporting/progress-reporter';
export {
  ControlServer,
  CONTROL_ANSWERS,
  bearerMatches,
  createControlApp,
} from './control/control-server';
export type { ControlServerOptions } from './control/control-server';
export type { JobCommandVerb, QueuedCommand, WorkerCommands } from './control/worker-commands';
export { createWorkerLogger, REDACTED } from './logging';
export type { WorkerLoggerOptions } from './logging';
export { defaultStateDir } from './runtime/state-dir';
export { WorkerRuntime } from './runtime/worker-runtime';
export type { ReportListener, WorkerRuntimeOptions } from './runtime/worker-runtime';
export { startWorker } from './runtime/start-worker';
export type { StartWorkerOptions } from './runtime/start-worker';
export { planStartup } from './runtime/startup-plan';
export type { StartupDecision, StartupInput, StatusSource } from './runtime/startup-plan';
export { diffMirrors, jobFingerprint } from './runtime/mirror-diff';
export type { MirrorDiff } from './runtime/mirror-diff';
export { JobStateFile } from './runtime/job-state-file';
export type { MirrorRecord } from './runtime/mirror-record';
export {
  RUN_TOKEN_ENV,
  processesWithToken,
  reapLeftoverRuns,
  writeRunRecord,
} from './runtime/run-records';
export type { ReapOptions, RunRecord } from './runtime/run-records';
export { buildMirrorStatus } from './runtime/mirror-status';
export { ProgressTicker } from './runtime/progress-ticker';
export type { ProgressTickerOptions } from './runtime/progress-ticker';
export { EXIT, USAGE, main, runCli, version } from './cli';
export type { CliDeps, CliIo, RunningWorker, StartWorker, StartWorkerContext } from './cli';
