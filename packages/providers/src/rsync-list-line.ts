/**
 * What one line of an rsync log says about the transfer (rsync 3.x with `-v`, or with
 * `-i`/`--itemize-changes`):
 * - `header`: a file list starts (`receiving incremental file list`, `receiving file list ...
 *   done`, `sending incremental file list`, `building file list ... done`);
 * - `end`: the empty line that ends the list of transferred items (the statistics follow);
 * - `file`: a regular file being received, by its path relative to the destination;
 * - `maybe-file`: `a -> b` or `a => b` — a symlink or a hard link (not counted), or a regular
 *   file whose name holds the arrow: only the destination tree can tell;
 * - `other`: anything else (directories `dir/`, `deleting …`, messages, progress lines).
 */
export type RsyncListLine =
  | { kind: 'header' }
  | { kind: 'end' }
  | { kind: 'file'; path: Buffer }
  | { kind: 'maybe-file'; path: Buffer }
  | { kind: 'other' };

const HEADERS = [
  'receiving incremental file list',
  'receiving file list',
  'sending incremental file list',
  'building file list',
];

/** Lines rsync prints among the names that are not names (messages, warnings, errors). */
const MESSAGE_PREFIXES = [
  'deleting ',
  '*deleting ',
  'created directory ',
  'rsync: ',
  'rsync error: ',
  'rsync warning: ',
  'file has vanished: ',
  'IO error encountered',
  'cannot delete non-empty directory: ',
  'could not make way for ',
  'skipping ',
  'WARNING: ',
  'ERROR: ',
  '*** ',
];

/** `YXcstpoguax name` of `--itemize-changes`: update type, file type, 9 attribute letters. */
const ITEMIZED = /^([<>ch.*])([fdLDS])[^ ]{9} (.+)$/s;

const OTHER: RsyncListLine = { kind: 'other' };

/**
 * A name as rsync printed it, back to its bytes: rsync writes a byte it cannot print (a
 * newline, a byte that is not valid in the locale, a `\` before `#`) as `\#ooo` (octal).
 * `text` holds the line's bytes one per character (latin1).
 */
export function unescapeRsyncName(text: string): Buffer {
  return Buffer.from(
    text.replace(/\\#([0-7]{3})/g, (_m, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8) & 0xff),
    ),
    'latin1',
  );
}

/** Classifies one line of an rsync log (without its newline), as bytes. */
export function classifyRsyncListLine(line: Buffer): RsyncListLine {
  if (line.length === 0) return { kind: 'end' };
  const text = line.toString('latin1');
  if (HEADERS.some((h) => text.startsWith(h))) return { kind: 'header' };
  // Progress lines (`--progress`, `--info=progress2`) start with spaces; names never do in
  // practice, and a name that does would be indistinguishable from them.
  if (text.startsWith(' ') || text.startsWith('\t')) return OTHER;
  const itemized = ITEMIZED.exec(text);
  if (itemized) {
    // `>f`: a file received; `.f` attributes only, `hf` hard link, `cL` symlink, `cd` dir, …
    return itemized[1] === '>' && itemized[2] === 'f'
      ? { kind: 'file', path: unescapeRsyncName(itemized[3] as string) }
      : OTHER;
  }
  if (text.endsWith('/')) return OTHER;
  if (MESSAGE_PREFIXES.some((p) => text.startsWith(p))) return OTHER;
  if (text.endsWith(' is uptodate')) return OTHER; // -vv
  const path = unescapeRsyncName(text);
  return text.includes(' -> ') || text.includes(' => ')
    ? { kind: 'maybe-file', path }
    : { kind: 'file', path };
}
