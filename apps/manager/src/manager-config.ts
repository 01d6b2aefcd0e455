import { ConfigLocator, readConfigText, readToml } from '@tunasync/config';
import { MANAGER_DEFAULTS, validateManagerConfig } from '@tunasync/api-types';
import type { ManagerConfigFile, StaleAfter } from '@tunasync/api-types';
import { isStoreError, parseRedisAddress } from '@tunasync/store';
import { parseAlertRules } from '@tunasync/alerts';
import type { AlertRule } from '@tunasync/alerts';
import type { ManagerAppConfig } from './app';
import { loadCredentials } from './load-credentials';
import type { CredentialSources } from './load-credentials';
import { checkMirrorzConfig } from './mirrorz-config';

/** Go's default database path; a Go bolt file there is imported (`planDatabase`). */
export const DEFAULT_DB_FILE = '/var/lib/tunasync/tunasync.db';

/** Flags of SPEC §5/§6 that override the file (undefined: not given). */
export interface ManagerFlags {
  config?: string;
  addr?: string;
  port?: number;
  cert?: string;
  key?: string;
  dbFile?: string;
  dbType?: string;
  debug?: boolean;
  /** Unknown keys are errors, not warnings. */
  strict?: boolean;
}

/** Everything the manager runs with, after the file, the flags and the defaults. */
export interface ManagerSettings extends ManagerAppConfig {
  configFile?: string;
  debug: boolean;
  addr: string;
  port: number;
  sslCertFile?: string;
  sslKeyFile?: string;
  /**
   * db_type of the file or flag: `leveldb`, `bolt` (a Go bolt file, imported), `redis` (a
   * shared Redis, db_file its address), or unset — then what db_file holds decides
   * (`planDatabase` in `@tunasync/store`).
   */
  dbType?: DbType;
  dbFile: string;
  caCertFile?: string;
  workerOfflineAfter: number;
  historySize: number;
  /** `[[alerts]]`: the alert rules (issue #17); empty: no alerts. */
  alertRules?: AlertRule[];
  /** `[server] drop_unseen_after` in seconds: statuses of workers gone this long are dropped (0: never). */
  dropUnseenAfter?: number;
  /** `[server] stale_after` of the stale rule (issue #15; set by its loader), default `'auto'`. */
  staleAfter?: StaleAfter;
  /** Where the credentials were read from: read again on SIGHUP. */
  credentialSources?: CredentialSources;
  /** Where the keys of the configuration file are (`file:line:key`), for later problems. */
  configLocator?: ConfigLocator;
}

/** The outcome of loading: settings when usable, every problem and warning as one line each. */
export interface ManagerConfigCheck {
  settings?: ManagerSettings;
  problems: string[];
  warnings: string[];
}

/** The db_type values this manager runs on. */
export type DbType = 'leveldb' | 'bolt' | 'redis';

function dbTypeProblem(dbType: string, where: string): string | undefined {
  if (dbType === 'leveldb' || dbType === 'bolt' || dbType === 'redis') return undefined;
  if (dbType === 'badger') {
    return (
      `${where}: db_type "badger" is a database format of the Go manager, which this manager ` +
      `cannot read; set db_type = "leveldb" and db_file to a new, empty directory and start: ` +
      `workers register again and re-report every mirror, and tunasynctl works at once`
    );
  }
  return `${where}: unknown db_type ${JSON.stringify(dbType)}; the known ones are "leveldb", "bolt" (a Go manager's bolt file, imported) and "redis"`;
}

/** `[server] stale_after`: `"auto"` or whole seconds (0: off); a problem otherwise. */
function parseStaleAfter(
  value: string | number | undefined,
  where: string,
  problems: string[],
): StaleAfter | undefined {
  if (value === undefined || value === 'auto') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  problems.push(
    `${where}: ${JSON.stringify(value)} is neither "auto" (3 × the interval plus the timeout) ` +
      'nor a whole number of seconds (0: never stale)',
  );
  return undefined;
}

/**
 * Reads manager.conf (when given), applies the flags over it and the defaults under it, and
 * checks everything it can without starting: key types, unknown keys (warnings, or problems
 * with `strict`), the database type, the TLS pair, that the token, CA and TLS files can
 * be read, and the `[mirrorz]` section. Never throws for a user mistake: it lists it.
 */
export async function loadManagerConfig(flags: ManagerFlags): Promise<ManagerConfigCheck> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const file = flags.config;
  let locator = new ConfigLocator(file ?? 'manager.conf');
  let doc: ManagerConfigFile = {};

  if (file !== undefined) {
    const read = await readToml(file);
    if (!read.ok) problems.push(read.problem);
    else {
      locator = read.locator;
      const result = validateManagerConfig(read.doc);
      const located = (text: string) => locator.locate(text);
      (flags.strict ? problems : warnings).push(...result.warnings.map(located));
      if (result.ok) doc = result.value;
      else problems.push(...result.problems.map(located));
    }
  }
  if (problems.length > 0) return { problems, warnings };

  const server = doc.server ?? {};
  const files = doc.files ?? {};
  const at = (key: string, flag?: string) => (flag ? `--${flag}` : locator.place(key));

  const dbType = flags.dbType ?? files.db_type;
  const dbProblem =
    dbType === undefined
      ? undefined
      : dbTypeProblem(dbType, at('files.db_type', flags.dbType && 'db-type'));
  if (dbProblem) problems.push(dbProblem);
  const dbFile = flags.dbFile ?? (files.db_file || undefined);
  if (dbType === 'redis') {
    const where = at('files.db_file', flags.dbFile && 'db-file');
    if (dbFile === undefined) {
      problems.push(
        `${where}: db_type "redis" needs db_file = "redis://[user:password@]host:port/db"`,
      );
    } else {
      try {
        parseRedisAddress(dbFile);
      } catch (err) {
        if (!isStoreError(err)) throw err;
        problems.push(`${where}: ${err.message}`);
      }
    }
  }

  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    problems.push('--cert and --key: give both or neither');
  }
  const sslCertFile = flags.cert ?? (server.ssl_cert || undefined);
  const sslKeyFile = flags.key ?? (server.ssl_key || undefined);
  if ((sslCertFile === undefined) !== (sslKeyFile === undefined)) {
    problems.push(
      `${locator.place('server')}: ssl_cert and ssl_key must both be set for HTTPS (or neither for HTTP)`,
    );
  }
  for (const [path, key, flag] of [
    [sslCertFile, 'server.ssl_cert', flags.cert && 'cert'],
    [sslKeyFile, 'server.ssl_key', flags.key && 'key'],
  ] as const) {
    if (path !== undefined) await readConfigText(path, at(key, flag || undefined), problems);
  }

  const caCertFile = files.ca_cert || undefined;
  const caCert =
    caCertFile === undefined
      ? undefined
      : await readConfigText(caCertFile, at('files.ca_cert'), problems);

  const credentialSources: CredentialSources = {};
  if (server.token !== undefined) credentialSources.token = server.token;
  if (server.token_file !== undefined) credentialSources.tokenFile = server.token_file;
  if (server.worker_tokens_file !== undefined) {
    credentialSources.workerTokensFile = server.worker_tokens_file;
  }
  if (server.admin_tokens_file !== undefined) {
    credentialSources.adminTokensFile = server.admin_tokens_file;
  }
  const credentials = await loadCredentials(credentialSources, locator);
  problems.push(...credentials.problems);
  const set = credentials.set;
  if (set?.workers !== undefined && set.shared === undefined && set.admins === undefined) {
    warnings.push(
      `${locator.place('server')}: worker_tokens_file without admin_tokens_file or token: tunasynctl's ` +
        'mutating commands (start, stop, rm-worker, flush, …) will be refused',
    );
  }

  const alerts = parseAlertRules(doc.alerts, (path) => locator.place(path));
  problems.push(...alerts.problems);
  const mirrorz = checkMirrorzConfig(doc.mirrorz, locator, problems);
  const staleAfter = parseStaleAfter(server.stale_after, at('server.stale_after'), problems);

  if (problems.length > 0) return { problems, warnings };
  const settings: ManagerSettings = {
    debug: flags.debug === true || doc.debug === true,
    addr: flags.addr ?? server.addr ?? MANAGER_DEFAULTS.addr,
    port: flags.port ?? server.port ?? MANAGER_DEFAULTS.port,
    dbFile: dbFile ?? DEFAULT_DB_FILE,
    workerOfflineAfter: server.worker_offline_after ?? MANAGER_DEFAULTS.worker_offline_after,
    alertRules: alerts.rules,
    dropUnseenAfter: server.drop_unseen_after ?? MANAGER_DEFAULTS.drop_unseen_after,
    historySize: server.history_size ?? MANAGER_DEFAULTS.history_size,
    // The operator's view (issue #15).
    staleAfter: staleAfter ?? MANAGER_DEFAULTS.stale_after,
    publicLogs: server.public_logs ?? MANAGER_DEFAULTS.public_logs,
    credentialSources,
    configLocator: locator,
  };
  if (file !== undefined) settings.configFile = file;
  if (dbType === 'leveldb' || dbType === 'bolt' || dbType === 'redis') settings.dbType = dbType;
  if (sslCertFile !== undefined) settings.sslCertFile = sslCertFile;
  if (sslKeyFile !== undefined) settings.sslKeyFile = sslKeyFile;
  if (caCertFile !== undefined) settings.caCertFile = caCertFile;
  if (caCert !== undefined) settings.caCert = caCert;
  if (set?.shared !== undefined) settings.token = set.shared;
  if (set?.workers !== undefined) settings.workerTokens = set.workers;
  if (set?.admins !== undefined) settings.adminTokens = set.admins;
  if (mirrorz !== undefined) settings.mirrorz = mirrorz;
  settings.logRequests = settings.debug;
  return { settings, problems, warnings };
}
