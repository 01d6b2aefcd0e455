import { formatJsonPointer } from '@tunasync/api-types';

/** A key path as the validators write it (`mirrors[3].upstream`), from its segments. */
export function formatKeyPath(segments: readonly (string | number)[]): string {
  const pointer = segments
    .map((s) => `/${typeof s === 'number' ? s : s.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
  return formatJsonPointer(pointer);
}

/** `mirrors[3].upstream` → `mirrors[3]` → `mirrors` → `` (a quoted key is one step). */
export function parentPath(path: string): string {
  if (path.endsWith(']')) return path.slice(0, path.lastIndexOf('['));
  let cut = -1;
  let quoted = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '.' || c === '[') cut = i;
  }
  return cut < 0 ? '' : path.slice(0, cut);
}

/**
 * The line where each table and key of a TOML document is written: `[server]` and
 * `server.port`, `[[mirrors]]` as `mirrors[0]`, `[[mirrors.mirrors]]` as
 * `mirrors[0].mirrors[1]`, the items of a multi-line array as `key[i]`, the keys of an
 * inline table as `key.inner`. The text must be valid TOML (parsed already): the scan only
 * follows its structure.
 */
export class TomlPositions {
  private constructor(private readonly lines: ReadonlyMap<string, number>) {}

  /** Scans a valid TOML text. */
  static scan(text: string): TomlPositions {
    return new TomlPositions(scanLines(text));
  }

  /**
   * The line of `path`, or of the nearest table or key around it that is written in the
   * file (a missing required key: its table's header); undefined when none is.
   */
  lineOf(path: string): number | undefined {
    for (let p = path; ; p = parentPath(p)) {
      const line = this.lines.get(p);
      if (line !== undefined) return line;
      if (p === '') return undefined;
    }
  }
}

type Segment = string | number;

function scanLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const arrayCounts = new Map<string, number>();
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  let line = 1;
  let table: Segment[] = [];

  const record = (segments: Segment[], at: number) => {
    const path = formatKeyPath(segments);
    if (!lines.has(path)) lines.set(path, at);
  };
  const step = () => {
    if (text[i] === '\n') line++;
    i++;
  };
  const skipBlanks = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  /** Blanks, line ends and comments (inside arrays). */
  const skipSpace = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') step();
      else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
      else return;
    }
  };
  const skipString = (quote: string, multi: boolean) => {
    const close = multi ? quote.repeat(3) : quote;
    i += close.length;
    while (i < text.length) {
      if (text.startsWith(close, i)) {
        i += close.length;
        // A multi-line string may end in up to two more quotes (`""""` is `"` then `"""`).
        while (multi && text[i] === quote) i++;
        return;
      }
      if (quote === '"' && text[i] === '\\') i++;
      step();
    }
  };
  const readQuotedKey = (quote: string): string => {
    const start = i;
    skipString(quote, false);
    const raw = text.slice(start, i);
    if (quote === "'") return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  };
  const readKey = (): string[] => {
    const keys: string[] = [];
    for (;;) {
      skipBlanks();
      const c = text[i];
      if (c === '"' || c === "'") keys.push(readQuotedKey(c));
      else {
        const start = i;
        while (i < text.length && /[A-Za-z0-9_-]/.test(text[i] as string)) i++;
        if (i === start) return keys;
        keys.push(text.slice(start, i));
      }
      skipBlanks();
      if (text[i] !== '.') return keys;
      i++;
    }
  };
  const readValue = (at: Segment[]) => {
    const c = text[i];
    if (c === '"' || c === "'") {
      skipString(c, text.startsWith(c.repeat(3), i));
    } else if (c === '[') {
      i++;
      for (let index = 0; ; index++) {
        skipSpace();
        if (i >= text.length || text[i] === ']') break;
        const before = i;
        record([...at, index], line);
        readValue([...at, index]);
        skipSpace();
        if (text[i] === ',') i++;
        else if (i === before) break; // not TOML: the parser refused it already
      }
      i++;
    } else if (c === '{') {
      i++;
      for (;;) {
        skipBlanks();
        if (i >= text.length || text[i] === '}' || text[i] === '\n') break;
        const keys = readKey();
        skipBlanks();
        if (text[i] !== '=' || keys.length === 0) break;
        i++;
        skipBlanks();
        keys.forEach((_, k) => record([...at, ...keys.slice(0, k + 1)], line));
        readValue([...at, ...keys]);
        skipBlanks();
        if (text[i] === ',') i++;
      }
      if (text[i] === '}') i++;
    } else {
      while (i < text.length && !',]}\n#'.includes(text[i] as string)) i++;
    }
  };
  const resolveHeader = (keys: string[], isArray: boolean): Segment[] => {
    const resolved: Segment[] = [];
    keys.forEach((key, k) => {
      resolved.push(key);
      const count = arrayCounts.get(formatKeyPath(resolved));
      if (k < keys.length - 1) {
        if (count !== undefined) resolved.push(count - 1);
      } else if (isArray) {
        arrayCounts.set(formatKeyPath(resolved), (count ?? 0) + 1);
        resolved.push(count ?? 0);
      }
    });
    return resolved;
  };

  while (i < text.length) {
    const before = i;
    skipBlanks();
    const c = text[i];
    if (c === '\n' || c === '\r') step();
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else if (c === '[') {
      const isArray = text[i + 1] === '[';
      i += isArray ? 2 : 1;
      table = resolveHeader(readKey(), isArray);
      table.forEach((_, k) => record(table.slice(0, k + 1), line));
      while (i < text.length && text[i] !== '\n') i++;
    } else if (i < text.length) {
      const keys = readKey();
      skipBlanks();
      if (text[i] === '=' && keys.length > 0) {
        i++;
        skipBlanks();
        keys.forEach((_, k) => record([...table, ...keys.slice(0, k + 1)], line));
        readValue([...table, ...keys]);
      }
    }
    if (i === before) i++;
  }
  return lines;
}
