import { timingSafeEqual } from 'node:crypto';
import { MANAGER_ERRORS } from './errors';
import type { CredentialSet } from './load-credentials';
import { tokenDigest } from './token-file';
import type { TokenEntry } from './token-file';

/** Who a request's bearer token belongs to. */
export type Credential =
  { kind: 'shared' } | { kind: 'admin'; name: string } | { kind: 'worker'; id: string };

/** The index of the first entry whose digest is `digest`, looking at every one. */
function findDigest(entries: readonly TokenEntry[], digest: Buffer): number {
  let found = -1;
  entries.forEach((entry, index) => {
    if (timingSafeEqual(entry.digest, digest) && found === -1) found = index;
  });
  return found;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * The manager's credentials (SPEC §7.1, §7.12): the shared token, hashed per-worker tokens
 * and hashed admin tokens, replaceable while running (SIGHUP). Tokens are compared as
 * SHA-256 digests with `timingSafeEqual`, against every entry.
 *
 * To call a worker that has a token of its own, the manager needs that token in clear:
 * it keeps, in memory only, the token each worker registered with (or, until it registers
 * again, the first one it presented since the start), and forgets it when the token
 * leaves the file.
 */
export class Credentials {
  private set: CredentialSet;
  private shared: Buffer | undefined;
  private readonly seen = new Map<string, string>();

  constructor(set: CredentialSet) {
    this.set = set;
    this.shared = set.shared === undefined ? undefined : tokenDigest(set.shared);
  }

  /** Whether requests are checked at all (some credential is configured). */
  get enabled(): boolean {
    return (
      this.set.shared !== undefined ||
      this.set.workers !== undefined ||
      this.set.admins !== undefined
    );
  }

  /** Whose token this is; undefined for none or an unknown one. */
  authenticate(token: string | undefined): Credential | undefined {
    if (token === undefined) return undefined;
    const digest = tokenDigest(token);
    const shared = this.shared !== undefined && timingSafeEqual(this.shared, digest);
    const admins = this.set.admins ?? [];
    const workers = this.set.workers ?? [];
    const admin = findDigest(admins, digest);
    const worker = findDigest(workers, digest);
    if (shared) return { kind: 'shared' };
    if (admin >= 0) return { kind: 'admin', name: (admins[admin] as TokenEntry).name };
    if (worker >= 0) return { kind: 'worker', id: (workers[worker] as TokenEntry).name };
    return undefined;
  }

  /**
   * Takes new credentials (a reload); a remembered worker token that no longer
   * authenticates that worker (or as the shared token) is forgotten.
   */
  replace(set: CredentialSet): void {
    this.set = set;
    this.shared = set.shared === undefined ? undefined : tokenDigest(set.shared);
    for (const [id, token] of this.seen) {
      const who = this.authenticate(token);
      if (!(who?.kind === 'shared' || (who?.kind === 'worker' && who.id === id))) {
        this.seen.delete(id);
      }
    }
  }

  /**
   * Keeps `token` (it authenticated a request of worker `id`) to call that worker with. The
   * token that registered the worker's URL wins; another request's only fills a gap (after
   * a start or a rotation), so a second valid token used elsewhere does not displace it.
   */
  remember(id: string, token: string, registration: boolean): void {
    if (registration || !this.seen.has(id)) this.seen.set(id, token);
  }

  /**
   * The token to send to worker `id` (undefined: none). A worker with entries in the
   * worker tokens file whose token this manager has not seen yet is a 503.
   */
  tokenForWorker(id: string): string | undefined {
    const seen = this.seen.get(id);
    if (seen !== undefined) return seen;
    if (this.set.workers?.some((entry) => entry.name === id)) {
      throw MANAGER_ERRORS.workerTokenUnknown(id);
    }
    return this.set.shared;
  }

  /** What is configured, in words, for the log (never a token). */
  describe(): string {
    const parts: string[] = [];
    if (this.set.shared !== undefined) parts.push('the shared token');
    const workers = this.set.workers;
    if (workers !== undefined) {
      const ids = new Set(workers.map((entry) => entry.name)).size;
      parts.push(`${plural(workers.length, 'worker token')} of ${plural(ids, 'worker')}`);
    }
    if (this.set.admins !== undefined) parts.push(plural(this.set.admins.length, 'admin token'));
    return parts.length === 0 ? 'no authentication' : parts.join(', ');
  }
}
