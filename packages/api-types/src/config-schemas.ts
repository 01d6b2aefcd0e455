import { MIRRORZ_SITE_TEXT_KEYS } from './mirrorz';
import { HISTORY_SIZE_MAX } from './manager-config';
import { PROVIDER_KINDS, STAGE1_PROFILES } from './worker-config';

/*
 * JSON Schemas of the three configuration files (SPEC §5), and through `FromSchema` their
 * TypeScript types (`ManagerConfigFile`, `WorkerConfigFile`, `CtlConfigFile`): a key is
 * written here once, with its doc comment, and nowhere else in this package. Unknown keys
 * are reported by the validators as warnings (`additionalProperties: false` here), never
 * silently dropped. As in the Go program, a numeric 0 (interval, retry, timeout,
 * concurrent, …) means "not set": the loader applies the inherited value or the default.
 *
 * Adding a key: put it in its `table({ … })` below with a doc comment; the type, the
 * validator (precompiled by the build), the did-you-mean suggestions and the file:line
 * places of @tunasync/config follow. Then read it where it is used (the app's loader) and
 * give its default in `*_DEFAULTS` when it has one. A new section is a new `table({ … })`
 * (an array of tables, `[[x]]`: `{ type: 'array', items: table({ … }) }`).
 */

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const nonNegative = { type: 'integer', minimum: 0 } as const;
const strings = { type: 'array', items: str } as const;
const exitCodes = { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } } as const;

/** A TOML table: exactly these keys (an unknown one is reported), each optional. */
function table<const P extends Record<string, object>>(properties: P) {
  return { type: 'object', additionalProperties: false, properties } as const;
}

/** The same schema for each key. */
function each<const K extends string, V>(keys: readonly K[], schema: V): { [Key in K]: V } {
  return Object.fromEntries(keys.map((key) => [key, schema])) as { [Key in K]: V };
}

/** Beyond (§7.6): `[mirrorz.site]`, the `site` object of the mirrorz document. */
const mirrorzSite = table({
  ...each(MIRRORZ_SITE_TEXT_KEYS, str),
  disable: bool,
});

/** Beyond (§7.6): `[mirrorz.mirrors.<name>]`, what the site changes in one mirror's entry. */
const mirrorzMirror = table({
  cname: str,
  desc: str,
  url: str,
  help: str,
  upstream: str,
  /** Leave the mirror out of the document. */
  hidden: bool,
  /** `disable` of the entry: the mirror is out of service. */
  disable: bool,
  /** Mark the mirror as new (`N` in its status). */
  new: bool,
});

// ---- [[alerts]] (issue #17): one rule and its sink per table; checked further by
// `parseAlertRules` of @tunasync/alerts. Keep this block together.
export const ALERT_EVENT_KINDS = [
  'failed',
  'recovered',
  'stale',
  'worker-offline',
  'worker-online',
] as const;

const alertRule = table({
  name: { type: 'string', format: 'tunasync-name' },
  events: { type: 'array', items: { type: 'string', enum: ALERT_EVENT_KINDS } },
  mirrors: strings,
  workers: strings,
  after_failures: { type: 'integer', minimum: 1 },
  throttle: nonNegative,
  retries: { type: 'integer', minimum: 0, maximum: 100 },
  webhook: str,
  webhook_secret: str,
  webhook_timeout: { type: 'integer', minimum: 1, maximum: 600 },
  webhook_template: str,
  email_to: { type: ['string', 'array'], items: str },
  email_from: str,
  smtp_url: str,
  exec: { type: ['string', 'array'], items: str },
});
// ---- end of [[alerts]]

export const managerConfigSchema = {
  $id: 'ManagerConfig',
  ...table({
    debug: bool,
    server: table({
      addr: str,
      port,
      ssl_cert: str,
      ssl_key: str,
      /** Beyond (§7.1): bearer token required on mutating routes. */
      token: str,
      /** Beyond (§7.1): a file whose first line is the token. */
      token_file: str,
      /** Beyond (§7.12): hashed per-worker tokens, lines `<worker-id> sha256:<hex>`. */
      worker_tokens_file: str,
      /** Beyond (§7.12): hashed admin (tunasynctl) tokens, lines `<name> sha256:<hex>`. */
      admin_tokens_file: str,
      drop_unseen_after: nonNegative,
      /** Beyond (§7.3): seconds without news after which a worker counts as offline. */
      worker_offline_after: nonNegative,
      /** Beyond (§7.8): finished runs kept per mirror (0: no history). */
      history_size: { type: 'integer', minimum: 0, maximum: HISTORY_SIZE_MAX },
      // The operator's view (issue #15): the stale rule and the log tails of the page.
      stale_after: { type: ['string', 'integer'] },
      public_logs: bool,
    }),
    files: table({ db_type: str, db_file: str, status_file: str, ca_cert: str }),
    /** Beyond (§7.6): `[mirrorz]`, the `GET /mirrorz.json` document. */
    mirrorz: table({
      enable: bool,
      /** Prefix of every mirror's `url` (`<prefix>/<name>`); default empty: `/<name>`. */
      mirror_url_prefix: str,
      site: mirrorzSite,
      mirrors: { type: 'object', additionalProperties: mirrorzMirror },
    }),
    alerts: { type: 'array', items: alertRule },
  }),
} as const;

export const ctlConfigSchema = {
  $id: 'CtlConfig',
  ...table({
    manager_addr: str,
    manager_port: port,
    ca_cert: str,
    /** Beyond (§7.1): bearer token sent to the manager. */
    token: str,
  }),
} as const;

/** One `[[mirrors]]` table (SPEC §5). A table with `mirrors` children is a template. */
const mirror = {
  ...table({
    name: { type: 'string', format: 'tunasync-name' },
    provider: { type: 'string', enum: PROVIDER_KINDS },
    upstream: str,
    interval: nonNegative,
    /** Beyond (§7.7): a cron expression instead of `interval`. */
    cron: str,
    retry: nonNegative,
    timeout: nonNegative,
    mirror_dir: str,
    mirror_subdir: str,
    log_dir: str,
    env: { type: 'object', additionalProperties: str },
    role: { type: 'string', enum: ['master', 'slave'] },
    exec_on_success: strings,
    exec_on_failure: strings,
    exec_on_success_extra: strings,
    exec_on_failure_extra: strings,
    success_exit_codes: exitCodes,
    rsync_success_exit_codes: exitCodes,
    command: str,
    fail_on_match: str,
    size_pattern: str,
    use_ipv6: bool,
    use_ipv4: bool,
    exclude_file: str,
    username: str,
    password: str,
    rsync_no_timeout: bool,
    rsync_timeout: nonNegative,
    rsync_options: strings,
    rsync_override: strings,
    rsync_override_only: bool,
    stage1_profile: { type: 'string', enum: STAGE1_PROFILES },
    /** tunasync-ts, two-stage-rsync: ftpsync's MIRRORNAME; turns trace files on. */
    trace_hostname: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$' },
    trace_maintainer: str,
    trace_sponsor: str,
    trace_country: str,
    trace_location: str,
    trace_throughput: str,
    trace_architectures_configuration: str,
    /** tunasync-ts, two-stage-rsync: ftpsync's UIPRETRIES (default 3 once either uip key is set). */
    uip_retries: { type: 'integer', minimum: 0, maximum: 100 },
    /** tunasync-ts, two-stage-rsync: ftpsync's UIPSLEEP in seconds (default 1200). */
    uip_sleep: { type: 'integer', minimum: 0, maximum: 86400 },
    /** tunasync-ts, two-stage-rsync: stage 2 deletes at most this many files (else fails, deleting none). */
    max_delete: { type: 'integer', minimum: 0 },
    /** tunasync-ts, two-stage-rsync: stage 2 with `--delete-delay` instead of `--delete-after`. */
    delete_delay: bool,
    /** tunasync-ts, two-stage-rsync: every index but Release/InRelease before stage 2. */
    release_last: bool,
    /** tunasync-ts, two-stage-rsync: ftpsync's LOCKTIMEOUT in seconds (default 3600). */
    lock_timeout: { type: 'integer', minimum: 1 },
    /** tunasync-ts: a start command during a sync makes one more run after it (ftpsync's Archive-Update-Required). */
    push_rerun: bool,
    /** `256M`, `1G`, … or a number of bytes. */
    memory_limit: { type: ['string', 'integer'] },
    docker_image: str,
    docker_volumes: strings,
    docker_options: strings,
    snapshot_path: str,
    mirrors: { type: 'array', items: { $ref: '#/definitions/mirror' } },
  }),
} as const;

export const workerConfigSchema = {
  $id: 'WorkerConfig',
  definitions: { mirror },
  ...table({
    global: table({
      name: { type: 'string', format: 'tunasync-name' },
      log_dir: str,
      mirror_dir: str,
      concurrent: nonNegative,
      interval: nonNegative,
      retry: nonNegative,
      timeout: nonNegative,
      rsync_options: strings,
      exec_on_success: strings,
      exec_on_failure: strings,
      /**
       * tunasync-ts (§7.9): seconds between two progress posts of a syncing mirror; 0 turns
       * progress off. Integer 0–3600, default `WORKER_DEFAULTS.progress_interval`.
       */
      progress_interval: { type: 'integer', minimum: 0, maximum: 3600 },
      dangerous_global_success_exit_codes: exitCodes,
      dangerous_global_rsync_success_exit_codes: exitCodes,
    }),
    manager: table({
      api_base: str,
      api_base_list: strings,
      ca_cert: str,
      token: str,
      /**
       * tunasync-ts: seconds between two heartbeats to each manager (it keeps the worker
       * registered and shown online); 0 turns them off. Integer 0–3600, default
       * `WORKER_DEFAULTS.heartbeat_interval`.
       */
      heartbeat_interval: { type: 'integer', minimum: 0, maximum: 3600 },
    }),
    server: table({
      hostname: str,
      listen_addr: str,
      listen_port: port,
      ssl_cert: str,
      ssl_key: str,
    }),
    cgroup: table({ enable: bool, base_path: str, group: str, subsystem: str }),
    zfs: table({ enable: bool, zpool: str }),
    btrfs_snapshot: table({ enable: bool, snapshot_path: str }),
    docker: table({ enable: bool, volumes: strings, options: strings }),
    include: table({ include_mirrors: str }),
    mirrors: { type: 'array', items: { $ref: '#/definitions/mirror' } },
  }),
} as const;
