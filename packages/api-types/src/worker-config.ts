/** The provider kinds a mirror can use (SPEC §4.4). */
export const PROVIDER_KINDS = ['rsync', 'two-stage-rsync', 'command'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The `stage1_profile` values of two-stage-rsync (SPEC §4.4.2). */
export const STAGE1_PROFILES = ['debian', 'debian-oldstyle'] as const;
export type Stage1Profile = (typeof STAGE1_PROFILES)[number];

/** One `[[mirrors]]` table (SPEC §5). A table with `mirrors` children is a template. */
export interface MirrorConfigFile {
  name?: string;
  provider?: ProviderKind;
  upstream?: string;
  interval?: number;
  /** Beyond (§7.7): a cron expression instead of `interval`. */
  cron?: string;
  retry?: number;
  timeout?: number;
  mirror_dir?: string;
  mirror_subdir?: string;
  log_dir?: string;
  env?: Record<string, string>;
  role?: 'master' | 'slave';
  exec_on_success?: string[];
  exec_on_failure?: string[];
  exec_on_success_extra?: string[];
  exec_on_failure_extra?: string[];
  success_exit_codes?: number[];
  rsync_success_exit_codes?: number[];
  command?: string;
  fail_on_match?: string;
  size_pattern?: string;
  use_ipv6?: boolean;
  use_ipv4?: boolean;
  exclude_file?: string;
  username?: string;
  password?: string;
  rsync_no_timeout?: boolean;
  rsync_timeout?: number;
  rsync_options?: string[];
  rsync_override?: string[];
  rsync_override_only?: boolean;
  stage1_profile?: Stage1Profile;
  /** tunasync-ts, two-stage-rsync: ftpsync's MIRRORNAME; turns trace files on. */
  trace_hostname?: string;
  trace_maintainer?: string;
  trace_sponsor?: string;
  trace_country?: string;
  trace_location?: string;
  trace_throughput?: string;
  trace_architectures_configuration?: string;
  /** tunasync-ts, two-stage-rsync: ftpsync's UIPRETRIES (default 3 once either uip key is set). */
  uip_retries?: number;
  /** tunasync-ts, two-stage-rsync: ftpsync's UIPSLEEP in seconds (default 1200). */
  uip_sleep?: number;
  /** tunasync-ts, two-stage-rsync: stage 2 deletes at most this many files (else fails, deleting none). */
  max_delete?: number;
  /** tunasync-ts, two-stage-rsync: stage 2 with `--delete-delay` instead of `--delete-after`. */
  delete_delay?: boolean;
  /** tunasync-ts, two-stage-rsync: every index but Release/InRelease before stage 2. */
  release_last?: boolean;
  /** tunasync-ts, two-stage-rsync: ftpsync's LOCKTIMEOUT in seconds (default 3600). */
  lock_timeout?: number;
  /** tunasync-ts: a start command during a sync makes one more run after it (ftpsync's Archive-Update-Required). */
  push_rerun?: boolean;
  /** `256M`, `1G`, … or a number of bytes. */
  memory_limit?: string | number;
  docker_image?: string;
  docker_volumes?: string[];
  docker_options?: string[];
  snapshot_path?: string;
  mirrors?: MirrorConfigFile[];
}

/** worker.conf as it is written (SPEC §5). */
export interface WorkerConfigFile {
  global?: {
    name?: string;
    log_dir?: string;
    mirror_dir?: string;
    concurrent?: number;
    interval?: number;
    retry?: number;
    timeout?: number;
    rsync_options?: string[];
    exec_on_success?: string[];
    exec_on_failure?: string[];
    /**
     * tunasync-ts (§7.9): seconds between two progress posts of a syncing mirror; 0 turns
     * progress off. Integer 0–3600, default `WORKER_DEFAULTS.progress_interval`.
     */
    progress_interval?: number;
    dangerous_global_success_exit_codes?: number[];
    dangerous_global_rsync_success_exit_codes?: number[];
  };
  manager?: {
    api_base?: string;
    api_base_list?: string[];
    ca_cert?: string;
    token?: string;
    /**
     * tunasync-ts: seconds between two heartbeats to each manager (it keeps the worker
     * registered and shown online); 0 turns them off. Integer 0–3600, default
     * `WORKER_DEFAULTS.heartbeat_interval`.
     */
    heartbeat_interval?: number;
  };
  server?: {
    hostname?: string;
    listen_addr?: string;
    listen_port?: number;
    ssl_cert?: string;
    ssl_key?: string;
  };
  cgroup?: {
    enable?: boolean;
    base_path?: string;
    group?: string;
    subsystem?: string;
  };
  zfs?: {
    enable?: boolean;
    zpool?: string;
  };
  btrfs_snapshot?: {
    enable?: boolean;
    snapshot_path?: string;
  };
  docker?: {
    enable?: boolean;
    volumes?: string[];
    options?: string[];
  };
  include?: {
    include_mirrors?: string;
  };
  mirrors?: MirrorConfigFile[];
}

export const WORKER_DEFAULTS = {
  concurrent: 10,
  interval: 120,
  retry: 2,
  timeout: 0,
  rsync_timeout: 120,
  progress_interval: 15,
  heartbeat_interval: 30,
  cgroup_base_path: '/sys/fs/cgroup',
  cgroup_group: 'tunasync',
  cgroup_subsystem: 'cpu',
} as const;
