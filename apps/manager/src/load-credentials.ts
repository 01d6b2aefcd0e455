import { readConfigText, type ConfigLocator } from '@tunasync/config';
import { parseTokenFile } from './token-file';
import type { TokenEntry } from './token-file';

/** Where the manager's credentials come from (`[server]` of manager.conf). */
export interface CredentialSources {
  /** `token`: the shared token, written in manager.conf itself. */
  token?: string;
  /** `token_file`: a file whose first line is the shared token. */
  tokenFile?: string;
  /** `worker_tokens_file`: hashed per-worker tokens. */
  workerTokensFile?: string;
  /** `admin_tokens_file`: hashed admin (tunasynctl) tokens. */
  adminTokensFile?: string;
}

/** The credentials the manager checks requests against. */
export interface CredentialSet {
  /** The shared token (full rights, and sent to workers that use it). */
  shared?: string;
  /** Per-worker tokens; undefined when `worker_tokens_file` is not set. */
  workers?: TokenEntry[];
  /** Admin tokens; undefined when `admin_tokens_file` is not set. */
  admins?: TokenEntry[];
}

/**
 * Reads every credential file named in `sources` (at start, and again on SIGHUP). Each
 * problem is one line naming the key (`file:line:server.key`, see `ConfigLocator`) or the file and line; the set
 * is returned only when there is none.
 */
export async function loadCredentials(
  sources: CredentialSources,
  locator: ConfigLocator,
): Promise<{ set?: CredentialSet; problems: string[] }> {
  const problems: string[] = [];
  const set: CredentialSet = {};
  if (sources.token !== undefined && sources.tokenFile !== undefined) {
    problems.push(`${locator.place('server')}: set token or token_file, not both`);
  } else if (sources.token !== undefined) {
    set.shared = sources.token;
    if (set.shared === '') problems.push(`${locator.place('server.token')}: must not be empty`);
  } else if (sources.tokenFile !== undefined) {
    const file = sources.tokenFile;
    const text = await readConfigText(file, locator.place('server.token_file'), problems);
    if (text !== undefined) {
      set.shared = text.split(/\r?\n/)[0]?.trim() ?? '';
      if (set.shared === '') {
        problems.push(`${locator.place('server.token_file')}: ${file} has an empty first line`);
      }
    }
  }
  const hashed = [
    ['workers', sources.workerTokensFile, 'worker_tokens_file', 'worker id'],
    ['admins', sources.adminTokensFile, 'admin_tokens_file', 'admin name'],
  ] as const;
  for (const [field, file, key, holder] of hashed) {
    if (file === undefined) continue;
    const text = await readConfigText(file, locator.place(`server.${key}`), problems);
    if (text === undefined) continue;
    const parsed = parseTokenFile(text, file, holder);
    problems.push(...parsed.problems);
    set[field] = parsed.entries;
  }
  return problems.length > 0 ? { problems } : { set, problems };
}
