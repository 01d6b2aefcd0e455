export { makeTempDir, removeTempDir, TempDirs } from './temp-dir';
export { MissingToolError, findExecutable, requireTool } from './require-tool';
export { findFreePort } from './free-port';
export { listProcesses, listProcessGroup, parseProcStat } from './process-group';
export type { ProcessInfo } from './process-group';
export { writeTree, snapshotTree, hardLinkGroups } from './file-tree';
export type { FileSpec, TreeEntry, TreeNode } from './file-tree';
export { createFakeCommand } from './fake-command';
export type { FakeCommand, FakeCommandCall, FakeCommandOptions } from './fake-command';
export { startRsyncDaemon } from './rsync-daemon';
export type { RsyncDaemon, RsyncDaemonOptions, RsyncModuleSpec } from './rsync-daemon';
export { makeTlsCertificate, type TlsCertificate } from './tls-certificate';
export {
  MANAGER_BIN,
  startManagerProcess,
  type ManagerProcess,
  type ManagerProcessOptions,
} from './manager-process';
export { startTlsManagerProcess, type TlsManagerProcessOptions } from './tls-manager-process';
export {
  WORKER_BIN,
  startWorkerProcess,
  type WorkerProcess,
  type WorkerProcessOptions,
} from './worker-process';
export { badConfigLines, mutatedConfig } from './config-mutation';
export type { MutatedConfig } from './config-mutation';
export { watchChild, type WatchedChild } from './watched-child';
export { goManagerFixtures } from './go-manager-fixtures';
export { startRedisServer } from './redis-server';
export type { RedisServer, RedisServerOptions } from './redis-server';
export { commandWorkerConf } from './command-worker-conf';
export type { CommandWorkerConfOptions } from './command-worker-conf';
export { writeGrowingLogScript } from './growing-log';
export type { GrowingLog } from './growing-log';
export { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium-args';
export { checkErrorCatalog, errorTableRows } from './error-table';
export type { CatalogEntryLike } from './error-table';
export { waitUntil } from './wait-until';
export { recordingLogger, type RecordingLogger } from './recording-logger';
export { commandMirror, rsyncMirror, workerConfText, writeWorkerConf } from './worker-conf';
export type { WorkerConfOptions } from './worker-conf';
export { RestartableManager } from './restartable-manager';
export { statusReport } from './status-report';
