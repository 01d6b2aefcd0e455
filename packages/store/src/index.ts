export type {
  DeleteWorkerOptions,
  MirrorStatusEntry,
  RunRecord,
  Store,
  StoreChange,
  StoreListener,
  StatusUpdater,
  WriteOptions,
} from './store';
export { LevelStore } from './level-store';
export type { LevelStoreOptions } from './level-store';
export { checkDatabaseLocation, inspectDatabaseLocation } from './database-location';
export type { DatabaseContent, DatabaseLocationKind } from './database-location';
export { describePlan, openPlannedDatabase, planDatabase } from './database-plan';
export type { DatabasePlan, PlannedDbType } from './database-plan';
export { openBoltFile } from './bolt-file';
export type { BoltBucket, BoltFile } from './bolt-file';
export { describeGoDatabase, describeImport, importGoDatabase, importTarget } from './go-import';
export type { GoDatabase, GoDatabaseKind, GoImportSummary } from './go-import';
export { isGoLevelDb } from './go-leveldb-source';
export { STORE_ERRORS, STORE_ERROR_CODES, StoreError, isStoreError } from './errors';
export type { StoreErrorCode } from './errors';
export {
  LAYOUT_VERSION,
  HISTORY_SEQ_DIGITS,
  encodeComponent,
  decodeComponent,
  historyKey,
  statusKey,
  workerKey,
} from './key-layout';
export { KeyedMutex } from './keyed-mutex';
export { RedisStore } from './redis-store';
export type { RedisStoreOptions } from './redis-store';
export { parseRedisAddress } from './redis-address';
export type { RedisAddress } from './redis-address';
