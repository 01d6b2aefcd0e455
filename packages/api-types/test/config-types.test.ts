// The config types derived from the schemas (FromSchema) are exactly the interfaces that
// were written by hand before (issue #14): the typecheck of this file fails on a drift.
import type {
  CtlConfigFile,
  ManagerConfigFile,
  MirrorConfigFile,
  MirrorzSiteTextKey,
  ProviderKind,
  Stage1Profile,
  WorkerConfigFile,
} from '../src';

/** One `[[mirrors]]` table (SPEC §5). A table with `mirrors` children is a template. */
interface WrittenMirror {
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
  mirrors?: WrittenMirror[];
}

/** worker.conf as it is written (SPEC §5). */
interface WrittenWorker {
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
  mirrors?: WrittenMirror[];
}

/** Beyond (§7.6): `[mirrorz.site]`, the `site` object of the mirrorz document. */
type WrittenSite = Flat<
  Partial<Record<MirrorzSiteTextKey, string>> & {
    disable?: boolean;
  }
>;

/** One object type of an intersection (the derived type is one mapped object). */
type Flat<T> = { [K in keyof T]: T[K] };

/** Beyond (§7.6): `[mirrorz.mirrors.<name>]`, what the site changes in one mirror's entry. */
interface WrittenMirrorzMirror {
  cname?: string;
  desc?: string;
  url?: string;
  help?: string;
  upstream?: string;
  /** Leave the mirror out of the document. */
  hidden?: boolean;
  /** `disable` of the entry: the mirror is out of service. */
  disable?: boolean;
  /** Mark the mirror as new (`N` in its status). */
  new?: boolean;
}

/** Beyond (§7.6): `[mirrorz]`, the `GET /mirrorz.json` document. */
interface WrittenMirrorz {
  enable?: boolean;
  /** Prefix of every mirror's `url` (`<prefix>/<name>`); default empty: `/<name>`. */
  mirror_url_prefix?: string;
  site?: WrittenSite;
  mirrors?: Record<string, WrittenMirrorzMirror>;
}

/** manager.conf as it is written (SPEC §5); every key optional, defaults below. */
interface WrittenManager {
  debug?: boolean;
  server?: {
    addr?: string;
    port?: number;
    ssl_cert?: string;
    ssl_key?: string;
    /** Beyond (§7.1): bearer token required on mutating routes. */
    token?: string;
    /** Beyond (§7.1): a file whose first line is the token. */
    token_file?: string;
    /** Beyond (§7.12): hashed per-worker tokens, lines `<worker-id> sha256:<hex>`. */
    worker_tokens_file?: string;
    /** Beyond (§7.12): hashed admin (tunasynctl) tokens, lines `<name> sha256:<hex>`. */
    admin_tokens_file?: string;
    drop_unseen_after?: number;
    /** Beyond (§7.3): seconds without news after which a worker counts as offline. */
    worker_offline_after?: number;
    /** Beyond (§7.8): finished runs kept per mirror (0: no history). */
    history_size?: number;
    // The operator's view (issue #15).
    stale_after?: string | number;
    public_logs?: boolean;
  };
  files?: {
    db_type?: string;
    db_file?: string;
    status_file?: string;
    ca_cert?: string;
  };
  mirrorz?: WrittenMirrorz;
  alerts?: Array<{
    name?: string;
    events?: Array<'failed' | 'recovered' | 'stale' | 'worker-offline' | 'worker-online'>;
    mirrors?: string[];
    workers?: string[];
    after_failures?: number;
    throttle?: number;
    retries?: number;
    webhook?: string;
    webhook_secret?: string;
    webhook_timeout?: number;
    webhook_template?: string;
    email_to?: string | string[];
    email_from?: string;
    smtp_url?: string;
    exec?: string | string[];
  }>;
}

/** ctl.conf as it is written (SPEC §5). */
interface WrittenCtl {
  manager_addr?: string;
  manager_port?: number;
  ca_cert?: string;
  /** Beyond (§7.1): bearer token sent to the manager. */
  token?: string;
}

/** True exactly when A and B are the same type (not merely assignable). */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const same: [
  Equals<WorkerConfigFile, WrittenWorker>,
  Equals<MirrorConfigFile, WrittenMirror>,
  Equals<ManagerConfigFile, WrittenManager>,
  Equals<CtlConfigFile, WrittenCtl>,
] = [true, true, true, true];

it('the config types derived from the schemas are the ones written before', () => {
  expect(same).toEqual([true, true, true, true]);
});
