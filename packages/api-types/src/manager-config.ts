import type { MirrorzSiteTextKey } from './mirrorz';

/** Beyond (§7.6): `[mirrorz.site]`, the `site` object of the mirrorz document. */
export type MirrorzSiteConfig = Partial<Record<MirrorzSiteTextKey, string>> & {
  disable?: boolean;
};

/** Beyond (§7.6): `[mirrorz.mirrors.<name>]`, what the site changes in one mirror's entry. */
export interface MirrorzMirrorConfig {
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
export interface MirrorzConfigFile {
  enable?: boolean;
  /** Prefix of every mirror's `url` (`<prefix>/<name>`); default empty: `/<name>`. */
  mirror_url_prefix?: string;
  site?: MirrorzSiteConfig;
  mirrors?: Record<string, MirrorzMirrorConfig>;
}

/** manager.conf as it is written (SPEC §5); every key optional, defaults below. */
export interface ManagerConfigFile {
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
    /**
     * Beyond (issue #18): seconds after which the statuses of a worker deleted or not heard
     * from are dropped (0, the default: never).
     */
    drop_unseen_after?: number;
    /** Beyond (§7.3): seconds without news after which a worker counts as offline. */
    worker_offline_after?: number;
    /** Beyond (§7.8): finished runs kept per mirror (0: no history). */
    history_size?: number;
  };
  files?: {
    db_type?: string;
    db_file?: string;
    status_file?: string;
    ca_cert?: string;
  };
  mirrorz?: MirrorzConfigFile;
  /** Beyond (issue #17): `[[alerts]]`, one rule and its sink each. */
  alerts?: AlertRuleConfigFile[];
}

/** The name of an event the manager alerts on (issue #17). */
export type AlertEventKind = 'failed' | 'recovered' | 'stale' | 'worker-offline' | 'worker-online';

/** One `[[alerts]]` table of manager.conf, as written (documented in the manager README). */
export interface AlertRuleConfigFile {
  name?: string;
  events?: AlertEventKind[];
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
}

export const MANAGER_DEFAULTS = {
  addr: '127.0.0.1',
  port: 14242,
  db_type: 'leveldb',
  drop_unseen_after: 0,
  worker_offline_after: 600,
  mirrorz_enable: false,
  mirrorz_mirror_url_prefix: '',
  history_size: 50,
} as const;

/** The largest `[server] history_size` accepted. */
export const HISTORY_SIZE_MAX = 10000;
