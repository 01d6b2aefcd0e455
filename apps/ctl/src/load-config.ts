import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as ConfigModule from '@tunasync/config';
import type { ConfigLocator } from '@tunasync/config';
import type { CtlConfigFile, Logger } from '@tunasync/api-types';
import { CTL_DEFAULTS, validateCtlConfig } from '@tunasync/api-types';
import { CTL_ERRORS } from './errors';
import type { ManagerEndpoint } from './manager-client';

/** The system-wide ctl.conf (SPEC §5). */
export const SYSTEM_CONFIG_FILE = '/etc/tunasync/ctl.conf';

/** `~/.config/tunasync/ctl.conf`, or undefined when `HOME` is not set. */
export function userConfigFile(home: string | undefined): string | undefined {
  return home === undefined || home === '' ? undefined : join(home, '.config/tunasync/ctl.conf');
}

/** The common flags that decide which manager to talk to (SPEC §6). */
export interface EndpointFlags {
  config?: string;
  manager?: string;
  port?: number;
  caCert?: string;
  token?: string;
}

export interface ConfigLocations {
  /** Default `/etc/tunasync/ctl.conf`. */
  systemFile: string;
  /** Default `$HOME/.config/tunasync/ctl.conf`. */
  userFile: string | undefined;
}

/** Default time for one request to the manager. */
export const DEFAULT_TIMEOUT_MS = 10_000;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Read one ctl.conf (synchronously: a CLI reading a small file gains nothing from the
 * promise API, and `node:fs` is already loaded at start-up). A missing optional file is `undefined`; a missing `--config` file, a
 * file that is not TOML or has a wrong value is a `TUNASYNC_E_CTL_CONFIG` naming the file
 * (and the line or key). Unknown keys are warnings.
 */
export async function readCtlConfigFile(
  file: string,
  required: boolean,
  logger: Logger,
): Promise<{ config: CtlConfigFile; locator: ConfigLocator } | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && isMissing(err)) return undefined;
    const reason = isMissing(err) ? 'no such file' : (err as Error).message;
    throw CTL_ERRORS.configUnreadable.withCause(err, file, reason);
  }
  logger.info(`Loading config: ${file}`);
  // The TOML reader is loaded only when there is a file to read (start-up time, SPEC §8).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseToml } = require('@tunasync/config') as typeof ConfigModule;
  const parsed = parseToml(text, file);
  if (!parsed.ok) throw CTL_ERRORS.configProblem(parsed.problem);
  const { locator } = parsed;
  const result = validateCtlConfig(parsed.doc);
  for (const warning of result.warnings) logger.warn(locator.locate(warning));
  if (!result.ok) {
    throw CTL_ERRORS.configProblem(result.problems.map((p) => locator.locate(p)).join('; '));
  }
  return { config: result.value, locator };
}

/** `host:port` for a URL, with brackets around an IPv6 address. */
function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Merge the defaults, `/etc/tunasync/ctl.conf`, `~/.config/tunasync/ctl.conf`, the
 * `--config` file (each later one wins, key by key) and the flags (which win over all) into
 * the manager endpoint. HTTPS is used exactly when a CA certificate is configured, as the Go
 * client does.
 */
export async function resolveEndpoint(
  flags: EndpointFlags,
  locations: ConfigLocations,
  logger: Logger,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ManagerEndpoint> {
  const merged: CtlConfigFile = { ...CTL_DEFAULTS };
  const files: [string, boolean][] = [[locations.systemFile, false]];
  if (locations.userFile !== undefined) files.push([locations.userFile, false]);
  if (flags.config !== undefined) files.push([flags.config, true]);
  // Where the address and the CA file were named, for their errors: `file:line:key` or the flag.
  let addrFrom = 'manager_addr';
  let caFrom = '';
  for (const [file, required] of files) {
    logger.debug(`config file candidate: ${file}`);
    const read = await readCtlConfigFile(file, required, logger);
    if (read === undefined) continue;
    Object.assign(merged, read.config);
    if (read.config.manager_addr !== undefined) addrFrom = read.locator.place('manager_addr');
    if (read.config.ca_cert !== undefined) caFrom = read.locator.place('ca_cert');
  }
  if (flags.manager !== undefined && flags.manager !== '') {
    merged.manager_addr = flags.manager;
    addrFrom = '--manager';
  }
  if (flags.port !== undefined && flags.port > 0) merged.manager_port = flags.port;
  if (flags.caCert !== undefined && flags.caCert !== '') {
    merged.ca_cert = flags.caCert;
    caFrom = '--ca-cert';
  }
  if (flags.token !== undefined && flags.token !== '') merged.token = flags.token;

  const host = merged.manager_addr ?? CTL_DEFAULTS.manager_addr;
  const port = merged.manager_port ?? CTL_DEFAULTS.manager_port;
  const caFile = merged.ca_cert !== undefined && merged.ca_cert !== '' ? merged.ca_cert : undefined;
  const baseUrl = `${caFile === undefined ? 'http' : 'https'}://${hostPort(host, port)}`;
  if (!URL.canParse(baseUrl)) {
    throw CTL_ERRORS.configHost(addrFrom, host, baseUrl);
  }
  logger.info(`Use manager address: ${baseUrl}`);

  const endpoint: ManagerEndpoint = { baseUrl, timeoutMs };
  if (merged.token !== undefined && merged.token !== '') endpoint.token = merged.token;
  if (caFile !== undefined) {
    try {
      endpoint.caCert = readFileSync(caFile, 'utf8');
    } catch (err) {
      const reason = isMissing(err) ? 'no such file' : (err as Error).message;
      throw CTL_ERRORS.caCertUnreadable.withCause(err, caFrom, caFile, reason);
    }
    if (!endpoint.caCert.includes('-----BEGIN CERTIFICATE-----')) {
      throw CTL_ERRORS.caCertNotPem(caFrom, caFile);
    }
  }
  return endpoint;
}
