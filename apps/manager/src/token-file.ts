import { createHash } from 'node:crypto';
import { nameProblem } from '@tunasync/api-types';

/** One line of a tokens file: who holds the token, and its SHA-256 digest. */
export interface TokenEntry {
  /** A worker id (`worker_tokens_file`) or an admin's name (`admin_tokens_file`). */
  name: string;
  /** SHA-256 of the token (32 bytes). */
  digest: Buffer;
}

/** SHA-256 of a token, the form every token is kept and compared in. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

const HASH = /^sha256:([0-9a-fA-F]{64})$/;

/**
 * Parses a tokens file: one `<name> sha256:<64 hex digits>` a line, blank lines and lines
 * starting with `#` ignored, a name on several lines allowed (two tokens of one holder
 * while rotating). Problems are `file:line: reason`, and never repeat a hash field (a
 * token pasted there by mistake must not reach a log).
 */
export function parseTokenFile(
  text: string,
  file: string,
  holder: 'worker id' | 'admin name',
): { entries: TokenEntry[]; problems: string[] } {
  const entries: TokenEntry[] = [];
  const problems: string[] = [];
  const expected = `expected "<${holder}> sha256:<64 hex digits>"`;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = `${file}:${index + 1}`;
    const fields = line.split(/[ \t]+/);
    if (fields.length !== 2) {
      problems.push(
        `${at}: ${expected}, got ${fields.length} field(s); this file holds hashes, never tokens ` +
          '(tunasynctl token create prints the line to add)',
      );
      return;
    }
    const [name, hash] = fields as [string, string];
    const problem = nameProblem(name);
    if (problem !== undefined) {
      problems.push(`${at}: ${holder} ${JSON.stringify(name)} ${problem}`);
      return;
    }
    const hex = HASH.exec(hash)?.[1];
    if (hex === undefined) {
      problems.push(`${at}: the hash of ${name} is not "sha256:" and 64 hex digits; ${expected}`);
      return;
    }
    entries.push({ name, digest: Buffer.from(hex, 'hex') });
  });
  return { entries, problems };
}
