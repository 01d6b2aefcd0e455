// The manager's public surface: its start function and its configuration types. Embedders
// build on the libraries (see the README, "Embedding"); the rest of src/ is the program's.
export { runManager } from './run-manager';
export type { RunManagerOptions, RunningManager } from './run-manager';
export type { DbType, ManagerSettings } from './manager-config';
export type { ManagerAppConfig } from './app';
