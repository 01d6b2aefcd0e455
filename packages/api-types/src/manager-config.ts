import type { ALERT_EVENT_KINDS, managerConfigSchema } from './config-schemas';
import type { FromSchema } from './schema-type';

/** manager.conf as it is written (SPEC §5): the type of `managerConfigSchema`; defaults below. */
export type ManagerConfigFile = FromSchema<typeof managerConfigSchema>;

/** Beyond (§7.6): `[mirrorz]`, the `GET /mirrorz.json` document. */
export type MirrorzConfigFile = NonNullable<ManagerConfigFile['mirrorz']>;

/** Beyond (§7.6): `[mirrorz.site]`, the `site` object of the mirrorz document. */
export type MirrorzSiteConfig = NonNullable<MirrorzConfigFile['site']>;

/** Beyond (§7.6): `[mirrorz.mirrors.<name>]`, what the site changes in one mirror's entry. */
export type MirrorzMirrorConfig = NonNullable<MirrorzConfigFile['mirrors']>[string];

/** Beyond (issue #17): one `[[alerts]]` table of manager.conf (the manager README). */
export type AlertRuleConfigFile = NonNullable<ManagerConfigFile['alerts']>[number];

/** The name of an event the manager alerts on (issue #17). */
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

export const MANAGER_DEFAULTS = {
  addr: '127.0.0.1',
  port: 14242,
  db_type: 'leveldb',
  drop_unseen_after: 0,
  worker_offline_after: 600,
  mirrorz_enable: false,
  mirrorz_mirror_url_prefix: '',
  history_size: 50,
  // The operator's view (issue #15):
  stale_after: 'auto',
  public_logs: false,
} as const;

/** The largest `[server] history_size` accepted. */
export const HISTORY_SIZE_MAX = 10000;
