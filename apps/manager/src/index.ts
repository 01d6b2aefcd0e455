export { createManagerApp } from './app';
export { BODY_LIMIT_BYTES } from './json-body';
export type { ManagerApp, ManagerAppConfig, ManagerAppOptions } from './app';
export { ManagerServer } from './manager-server';
export type { ManagerServerOptions } from './manager-server';
export { runManager } from './run-manager';
export type { RunManagerOptions, RunningManager } from './run-manager';
export { loadManagerConfig, DEFAULT_DB_FILE } from './manager-config';
export type { ManagerConfigCheck, ManagerFlags, ManagerSettings } from './manager-config';
export { JobsSnapshot } from './jobs-snapshot';
export type { WebJob, WebMirrorStatusWithWorker } from './jobs-snapshot';
export { progressFields, webProgressFields } from './mirror-progress';
export type {
  MirrorProgress,
  MirrorProgressFields,
  WebMirrorProgressFields,
} from './mirror-progress';
export {
  FAVICON_SVG,
  StatusPage,
  STATUS_PAGE_REFRESH_SECONDS,
  STATUS_PAGE_ROWS,
  escapeHtml,
  renderInitialRows,
} from './status-page';
export { sizeBytes } from './human-size';
export type { StatusPageOptions } from './status-page';
export {
  ManagerMetrics,
  METRICS_CONTENT_TYPE,
  escapeLabelValue,
  formatSampleValue,
} from './metrics';
export { checkMirrorzConfig } from './mirrorz-config';
export type { MirrorzSettings } from './mirrorz-config';
export {
  MirrorzEndpoint,
  MIRRORZ_CONTENT_TYPE,
  mirrorzStatus,
  renderMirrorzDocument,
  representativeStatus,
} from './mirrorz-document';
export type { MirrorzEndpointOptions } from './mirrorz-document';
export type { ManagerMetricsOptions } from './metrics';
export { toHistoryRecord } from './history-record';
export { runDurationSeconds } from './run-duration';
export { applyStatusReport, isMeaningfulSize, normalizeTime } from './status-rules';
export { createWorkerClient } from './worker-client';
export type { WorkerClient, WorkerClientOptions, WorkerReply } from './worker-client';
export { Credentials } from './credentials';
export type { Credential } from './credentials';
export { loadCredentials } from './load-credentials';
export type { CredentialSet, CredentialSources } from './load-credentials';
export { parseTokenFile, tokenDigest } from './token-file';
export type { TokenEntry } from './token-file';
export { createWinstonLogger } from './winston-logger';
export type { WinstonLoggerOptions } from './winston-logger';
export { MANAGER_ERRORS, ManagerError, isManagerError, managerError } from './errors';
export type { ManagerErrorName } from './errors';
export { runCli, main, USAGE, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, managerVersion } from './cli';
export type { CliIo } from './cli';
