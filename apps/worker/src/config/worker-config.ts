import type { MirrorConfigFile, ProviderKind, WorkerConfigFile } from '@tunasync/api-types';

/**
 * One mirror as a job is built from it: a leaf of the `[[mirrors]]` tree with every key
 * inherited from its ancestors, in the file's own key names (what the providers factory
 * reads). `name` and `provider` are always set. Numeric `0` means "not set", as in the Go
 * program: interval, retry and timeout then come from `[global]`.
 */
export type MirrorConfig = Omit<MirrorConfigFile, 'mirrors' | 'name' | 'provider'> & {
  name: string;
  provider: ProviderKind;
};

type FileSection<K extends keyof WorkerConfigFile> = NonNullable<WorkerConfigFile[K]>;

/** `[global]` with every default applied. */
export type GlobalConfig = Required<FileSection<'global'>>;

/** `[manager]` resolved: `api_base_list` wins over `api_base`. */
export interface ManagerSection {
  /** Every manager to report to, without trailing `/`. */
  api_base_list: string[];
  ca_cert?: string;
  token?: string;
  /** Seconds between two heartbeats to each manager; 0: none (default 30). */
  heartbeat_interval: number;
}

/** `[server]` with defaults applied. */
export interface ServerSection {
  hostname: string;
  /** `''` listens on every interface, as the Go worker does. */
  listen_addr: string;
  /** `0` binds any free port (the URL registered with the manager then carries the real one). */
  listen_port: number;
  ssl_cert?: string;
  ssl_key?: string;
}

/** worker.conf, loaded, validated and with every default applied. */
export interface WorkerConfig {
  /** Absolute path of the file it came from. */
  file: string;
  global: GlobalConfig;
  manager: ManagerSection;
  server: ServerSection;
  cgroup: Required<FileSection<'cgroup'>>;
  zfs: Required<FileSection<'zfs'>>;
  btrfs_snapshot: Required<FileSection<'btrfs_snapshot'>>;
  docker: Required<FileSection<'docker'>>;
  include: { include_mirrors: string; files: string[] };
  /** Leaves of the mirror tree, in file order (main file first, then each include). */
  mirrors: MirrorConfig[];
  /** Where each mirror was defined: `file:mirrors[3].mirrors[0]`. */
  origins: Record<string, string>;
}

/** Defaults of worker.conf beyond `WORKER_DEFAULTS` of api-types (documented in the README). */
export const SERVER_DEFAULTS = {
  listen_addr: '',
  listen_port: 6000,
} as const;
