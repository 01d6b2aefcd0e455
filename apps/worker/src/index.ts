// The worker's public surface: its start function and its configuration types. Embedders
// build on the libraries (see the README, "Embedding"); the rest of src/ is the program's.
export { startWorker } from './runtime/start-worker';
export type { StartWorkerOptions } from './runtime/start-worker';
export type { RunningWorker, StartWorkerContext } from './cli';
export type {
  GlobalConfig,
  ManagerSection,
  MirrorConfig,
  ServerSection,
  WorkerConfig,
} from './config/worker-config';
