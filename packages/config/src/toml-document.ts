import { readFile } from 'node:fs/promises';
import type * as TomlModule from 'toml';
import { ConfigLocator } from './config-locator';
import { tomlSyntaxReason } from './toml-syntax-reason';

/** A parsed TOML file, or its one problem (`file: cannot read file: …`, a syntax error). */
export type TomlDocument =
  | { ok: true; doc: Record<string, unknown>; locator: ConfigLocator }
  | { ok: false; problem: string };

/**
 * Parses the text of `file`: the document and the locator of its keys, or one problem line
 * `file:line:column: TOML syntax error: <what is wrong, in words>`. The parser is loaded on
 * the first call (tunasynctl starts without it when it has no file to read).
 */
export function parseToml(text: string, file: string): TomlDocument {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('toml') as typeof TomlModule;
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    const { line, column, reason } = tomlSyntaxReason(err, text);
    return { ok: false, problem: `${file}:${line}:${column}: TOML syntax error: ${reason}` };
  }
  return { ok: true, doc, locator: ConfigLocator.forText(file, text, doc) };
}

/**
 * Reads and parses a configuration file; `file` is how problems name it, `readPath` where
 * it is read from (default `file`). Never throws for a missing or broken file.
 */
export async function readToml(file: string, readPath = file): Promise<TomlDocument> {
  let text: string;
  try {
    text = await readFile(readPath, 'utf8');
  } catch (err) {
    return { ok: false, problem: `${file}: cannot read file: ${(err as Error).message}` };
  }
  return parseToml(text, file);
}
