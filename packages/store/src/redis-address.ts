import type { RedisOptions } from 'ioredis';
import { STORE_ERRORS } from './errors';

/** Where a RedisStore connects, parsed from `db_file`. */
export interface RedisAddress {
  /** The address with the password replaced by `***`: safe for logs and messages. */
  readonly redacted: string;
  /** The connection options of ioredis (password included). */
  readonly options: RedisOptions;
}

const SCHEMES: Record<string, { tls: boolean; sentinel: boolean }> = {
  'redis:': { tls: false, sentinel: false },
  'rediss:': { tls: true, sentinel: false },
  'redis+sentinel:': { tls: false, sentinel: true },
  'rediss+sentinel:': { tls: true, sentinel: true },
};

/** A `host[:port]` (IPv6 in brackets); the port defaults to `defaultPort`. */
function hostPort(
  text: string,
  defaultPort: number,
  fail: (why: string) => Error,
): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(text);
  if (!m) throw fail(`"${text}" is not host or host:port`);
  const host = (m[1] as string).replace(/^\[(.*)\]$/, '$1');
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!(port >= 1 && port <= 65535)) throw fail(`port ${m[2]} is not 1 to 65535`);
  return { host, port };
}

function database(text: string | undefined, fail: (why: string) => Error): number {
  if (text === undefined || text === '') return 0;
  if (!/^\d{1,9}$/.test(text)) throw fail(`database "${text}" is not a number`);
  return Number(text);
}

function decode(text: string, fail: (why: string) => Error): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw fail('the user or password is not valid percent-encoding');
  }
}

/**
 * Parses the Go manager's `db_file` for `db_type = "redis"`:
 * `redis://[user[:password]@]host[:port][/db]`, `rediss://…` (TLS), and for a Sentinel set
 * `redis+sentinel://[user[:password]@]host[:port][,host[:port]…]/<master name>[/db]`
 * (`rediss+sentinel://` with TLS to the master). The port defaults to 6379 (26379 for a
 * Sentinel), the database to 0. A bad address is a `TUNASYNC_E_STORE_BAD_URL` naming the
 * redacted address.
 */
export function parseRedisAddress(url: string): RedisAddress {
  const m = /^([a-z+]+:)\/\/(?:([^@/]*)@)?([^/?#]*)(?:\/([^?#]*))?$/.exec(url);
  const credentials = m?.[2];
  let redacted = url;
  if (m && credentials !== undefined) {
    const colon = credentials.indexOf(':');
    const user = colon === -1 ? credentials : credentials.slice(0, colon);
    redacted = `${m[1]}//${colon === -1 ? user : `${user}:***`}@${m[3]}${m[4] === undefined ? '' : `/${m[4]}`}`;
  } else if (!m) {
    // Never echo what might be a password: keep the scheme and host part only.
    redacted = url.replace(/\/\/[^@/]*@/, '//***@');
  }
  const fail = (why: string) => STORE_ERRORS.badUrl(redacted, why);
  if (!m) {
    throw fail('expected redis://[user:password@]host:port/db (or rediss://, redis+sentinel://)');
  }
  const scheme = SCHEMES[m[1] as string];
  if (!scheme) {
    throw fail(
      `scheme ${JSON.stringify(m[1])} is not redis:, rediss:, redis+sentinel: or rediss+sentinel:`,
    );
  }
  const options: RedisOptions = {};
  if (credentials !== undefined) {
    const colon = credentials.indexOf(':');
    const user = decode(colon === -1 ? credentials : credentials.slice(0, colon), fail);
    if (user !== '') options.username = user;
    if (colon !== -1) options.password = decode(credentials.slice(colon + 1), fail);
  }
  const hosts = m[3] as string;
  const path = (m[4] ?? '').split('/');
  if (scheme.sentinel) {
    if (hosts === '') throw fail('no Sentinel host');
    options.sentinels = hosts.split(',').map((h) => hostPort(h, 26379, fail));
    const name = path[0] ?? '';
    if (name === '') throw fail('no master name (redis+sentinel://host:port/<master name>/db)');
    if (path.length > 2) throw fail(`path "/${m[4]}" is not /<master name>[/db]`);
    options.name = decode(name, fail);
    options.db = database(path[1], fail);
    if (scheme.tls) options.enableTLSForSentinelMode = true;
  } else {
    if (hosts === '') throw fail('no host');
    if (path.length > 1) throw fail(`path "/${m[4]}" is not /<db>`);
    Object.assign(options, hostPort(hosts, 6379, fail));
    options.db = database(path[0], fail);
  }
  if (scheme.tls) options.tls = {};
  return { redacted, options };
}
