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
    /** Beyond (§7.3): seconds without news after which a worker counts as offline. */
    worker_offline_after?: number;
    /** Beyond (§7.8): finished runs kept per mirror (0: no history). */
    history_size?: number;
    // The operator's view (§7.13, §7.14):
    /**
     * When a mirror's last success is too old: `"auto"` (default: 3 × its interval plus its
     * timeout), or seconds (0: never stale). See `isStaleMirror`.
     */
    stale_after?: string | number;
    /** The status page shows log tails (default false: logs can name internal hosts). */
    public_logs?: boolean;
  };
  files?: {
    db_type?: string;
    db_file?: string;
    status_file?: string;
    ca_cert?: string;
  };
  mirrorz?: MirrorzConfigFile;
}

export const MANAGER_DEFAULTS = {
  addr: '127.0.0.1',
  port: 14242,
  db_type: 'leveldb',
  worker_offline_after: 600,
  mirrorz_enable: false,
  mirrorz_mirror_url_prefix: '',
  history_size: 50,
  stale_after: 'auto',
  public_logs: false,
} as const;

/** The largest `[server] history_size` accepted. */
export const HISTORY_SIZE_MAX = 10000;
