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
export { compileGoRegExp } from './config/go-regexp';
export {
  ERROR_CATALOG,
  ManagerHttpError,
  ManagerUnreachableError,
  OutboxClosedError,
  UsageError,
  WorkerConfigError,
} from './errors';
export type { WorkerErrorCode } from './errors';
