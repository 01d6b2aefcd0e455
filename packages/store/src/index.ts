export type {
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
export { checkDatabaseLocation } from './database-location';
export type { DatabaseLocationKind } from './database-location';
export { STORE_ERROR_CODES, StoreError, isStoreError, storeErrors } from './errors';
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
