import { nameProblem } from '@tunasync/api-types';
import { TomlPositions } from './toml-positions';

const TOKEN = /\[(\d+)\]|("(?:[^"\\]|\\.)*")|([A-Za-z0-9_-]+)|(\.)/gy;

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits a validator's `path: reason` line (a quoted key may hold `: `). */
export function splitProblem(problem: string): { path: string; reason: string } {
  let quoted = false;
  for (let i = 0; i < problem.length; i++) {
    const c = problem[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ':' && problem[i + 1] === ' ') {
      return { path: problem.slice(0, i), reason: problem.slice(i + 2) };
    } else if (c === ' ') break;
  }
  return { path: '', reason: problem };
}

/**
 * Says where a key of one configuration file is: `file:line:path`, the line where the key
 * (or, when it is missing, its table) is written, and each table of an array of tables
 * named by its `name` when it has a valid one: `worker.conf:14:mirrors[debian].upstream`
 * rather than `mirrors[3].upstream`. Without positions (a file that is not there, a flag)
 * the place is `file:path`.
 */
export class ConfigLocator {
  /** The text whose key positions are scanned on the first `lineOf` (a file without problems never is). */
  private unscanned: string | undefined;

  constructor(
    readonly file: string,
    private positions?: TomlPositions,
    private readonly doc?: unknown,
  ) {}

  /** The locator of a parsed TOML text; its positions are scanned when first asked for. */
  static forText(file: string, text: string, doc: unknown): ConfigLocator {
    const locator = new ConfigLocator(file, undefined, doc);
    locator.unscanned = text;
    return locator;
  }

  /** The line of a key path, when the file has it. */
  lineOf(path: string): number | undefined {
    if (this.unscanned !== undefined) {
      this.positions = TomlPositions.scan(this.unscanned);
      this.unscanned = undefined;
    }
    return this.positions?.lineOf(path);
  }

  /** `file:line:path` (`file:line` for the whole file, `file:path` without a line). */
  place(path: string): string {
    const line = this.lineOf(path);
    const shown = this.named(path);
    const head = line === undefined ? this.file : `${this.file}:${line}`;
    return shown === '' ? head : `${head}:${shown}`;
  }

  /** A `path: reason` line (as the validators write them) as `file:line:path: reason`. */
  locate(problem: string): string {
    const { path, reason } = splitProblem(problem);
    return `${this.place(path)}: ${reason}`;
  }

  /** The path with each array item that has a valid `name` shown by that name. */
  named(path: string): string {
    let node: unknown = this.doc;
    let out = '';
    TOKEN.lastIndex = 0;
    for (let match = TOKEN.exec(path); match !== null; match = TOKEN.exec(path)) {
      const [token, index, quoted, bare] = match;
      if (index !== undefined) {
        node = Array.isArray(node) ? (node as unknown[])[Number(index)] : undefined;
        const name = isTable(node) ? node.name : undefined;
        const usable = typeof name === 'string' && nameProblem(name) === undefined;
        out += usable ? `[${name}]` : token;
      } else {
        if (quoted !== undefined || bare !== undefined) {
          const key = bare ?? (JSON.parse(quoted as string) as string);
          node = isTable(node) ? node[key] : undefined;
        }
        out += token;
      }
      if (TOKEN.lastIndex === path.length) return out;
    }
    return path;
  }
}
