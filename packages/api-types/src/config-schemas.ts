import { MIRRORZ_SITE_TEXT_KEYS } from './mirrorz';
import { HISTORY_SIZE_MAX } from './manager-config';
import { PROVIDER_KINDS, STAGE1_PROFILES } from './worker-config';

/*
 * JSON Schemas of the three configuration files (SPEC §5). Unknown keys are reported by
 * the validators as warnings (`additionalProperties: false` here), never silently dropped.
 * As in the Go program, a numeric 0 (interval, retry, timeout, concurrent, …) means "not
 * set": the loader applies the inherited value or the default.
 */

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const nonNegative = { type: 'integer', minimum: 0 } as const;
const strings = { type: 'array', items: str } as const;
const exitCodes = { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } } as const;

function table(properties: Record<string, object>) {
  return { type: 'object', additionalProperties: false, properties } as const;
}

const mirrorzSite = table({
  ...Object.fromEntries(MIRRORZ_SITE_TEXT_KEYS.map((key) => [key, str])),
  disable: bool,
});

const mirrorzMirror = table({
  cname: str,
  desc: str,
  url: str,
  help: str,
  upstream: str,
  hidden: bool,
  disable: bool,
  new: bool,
});

export const managerConfigSchema = {
  $id: 'ManagerConfig',
  ...table({
    debug: bool,
    server: table({
      addr: str,
      port,
      ssl_cert: str,
      ssl_key: str,
      token: str,
      token_file: str,
      worker_tokens_file: str,
      admin_tokens_file: str,
      worker_offline_after: nonNegative,
      history_size: { type: 'integer', minimum: 0, maximum: HISTORY_SIZE_MAX },
      // The operator's view (issue #15): the stale rule and the log tails of the page.
      stale_after: { type: ['string', 'integer'] },
      public_logs: bool,
    }),
    files: table({ db_type: str, db_file: str, status_file: str, ca_cert: str }),
    mirrorz: table({
      enable: bool,
      mirror_url_prefix: str,
      site: mirrorzSite,
      mirrors: { type: 'object', additionalProperties: mirrorzMirror },
    }),
  }),
} as const;

export const ctlConfigSchema = {
  $id: 'CtlConfig',
  ...table({ manager_addr: str, manager_port: port, ca_cert: str, token: str }),
} as const;

const mirror = {
  ...table({
    name: { type: 'string', format: 'tunasync-name' },
    provider: { type: 'string', enum: PROVIDER_KINDS },
    upstream: str,
    interval: nonNegative,
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
    trace_hostname: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$' },
    trace_maintainer: str,
    trace_sponsor: str,
    trace_country: str,
    trace_location: str,
    trace_throughput: str,
    trace_architectures_configuration: str,
    uip_retries: { type: 'integer', minimum: 0, maximum: 100 },
    uip_sleep: { type: 'integer', minimum: 0, maximum: 86400 },
    max_delete: { type: 'integer', minimum: 0 },
    delete_delay: bool,
    release_last: bool,
    lock_timeout: { type: 'integer', minimum: 1 },
    push_rerun: bool,
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
      progress_interval: { type: 'integer', minimum: 0, maximum: 3600 },
      dangerous_global_success_exit_codes: exitCodes,
      dangerous_global_rsync_success_exit_codes: exitCodes,
    }),
    manager: table({
      api_base: str,
      api_base_list: strings,
      ca_cert: str,
      token: str,
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
