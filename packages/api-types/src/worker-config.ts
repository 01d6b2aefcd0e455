import type { workerConfigSchema } from './config-schemas';
import type { FromRootSchema } from './schema-type';

/** The provider kinds a mirror can use (SPEC §4.4). */
export const PROVIDER_KINDS = ['rsync', 'two-stage-rsync', 'command'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The `stage1_profile` values of two-stage-rsync (SPEC §4.4.2). */
export const STAGE1_PROFILES = ['debian', 'debian-oldstyle'] as const;
export type Stage1Profile = (typeof STAGE1_PROFILES)[number];

/** worker.conf as it is written (SPEC §5): the type of `workerConfigSchema`. */
export type WorkerConfigFile = FromRootSchema<typeof workerConfigSchema>;

/** One `[[mirrors]]` table (SPEC §5). A table with `mirrors` children is a template. */
export type MirrorConfigFile = NonNullable<WorkerConfigFile['mirrors']>[number];

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
