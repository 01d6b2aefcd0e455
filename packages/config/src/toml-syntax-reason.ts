/** What the TOML parser (peggy) reports: what it expected where, and what it found. */
interface ParserError {
  message?: unknown;
  line?: unknown;
  column?: unknown;
  found?: unknown;
  expected?: unknown;
  location?: { start?: { line?: unknown; column?: unknown } };
}

/** A TOML syntax error in words, at its line and column (1-based). */
export interface TomlSyntaxProblem {
  line: number;
  column: number;
  reason: string;
}

function literals(expected: unknown): Set<string> {
  const out = new Set<string>();
  if (!Array.isArray(expected)) return out;
  for (const item of expected as { type?: unknown; text?: unknown }[]) {
    if (item?.type === 'literal' && typeof item.text === 'string') out.add(item.text);
  }
  return out;
}

function shown(found: string): string {
  if (found === '\n' || found === '\r') return 'the end of the line';
  return `\`${found}\``;
}

function whole(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * Turns the parser's jargon (`Expected "'", "'''", "0", "0b", … but "b" found.`) into what is
 * wrong, in words: a string value without quotes, a missing closing `]`, `"` or `}`, a
 * value missing after `=`, a duplicate key, two values on one line. `text` is the document,
 * to tell a table header from a key line. Anything else is `unexpected X`.
 */
export function tomlSyntaxReason(err: unknown, text: string): TomlSyntaxProblem {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ParserError;
  const line = whole(e.line) ?? whole(e.location?.start?.line) ?? 1;
  const column = whole(e.column) ?? whole(e.location?.start?.column) ?? 1;
  const at = (reason: string): TomlSyntaxProblem => ({ line, column, reason });
  const message = typeof e.message === 'string' ? e.message : String(err);

  const redefined = /^Cannot redefine existing key '(.*)'\.$/s.exec(message);
  if (redefined) return at(`duplicate key \`${redefined[1]}\``);

  const found = typeof e.found === 'string' ? e.found : undefined;
  const atEnd = found === undefined || found === '\n' || found === '\r';
  const expected = literals(e.expected);
  const rawLine = text.split('\n')[line - 1] ?? '';
  const lineText = rawLine.trimStart();

  if (expected.has('true') && expected.has('"')) {
    if (atEnd || found === '#') return at('a value is missing after `=`');
    if (/^[A-Za-z]/.test(found)) {
      const word = /^[A-Za-z]+/.exec(rawLine.slice(column - 1))?.[0] ?? '';
      if (/^(true|false)$/i.test(word)) return at('true and false are written in lowercase');
      return at('a string value must be in quotes (`key = "value"`)');
    }
    return at(`${shown(found)} cannot start a value`);
  }
  if (expected.has(']') && !expected.has(',') && lineText.startsWith('[')) {
    const close = lineText.startsWith('[[') ? ']]' : ']';
    if (atEnd) return at(`missing closing ${close} of the table header`);
    return at(`${shown(found)} in a table header: quote a key that holds it (\`["a b"]\`)`);
  }
  if (expected.has('"""')) return at('a multi-line string is missing its closing `"""`');
  if (expected.has("'''")) return at("a multi-line string is missing its closing `'''`");
  if (expected.has('\\') && expected.has('"')) {
    return at(atEnd ? 'missing closing `"` of a string' : `${shown(found)} in a string`);
  }
  if (expected.has("'") && expected.size === 1) return at("missing closing `'` of a string");
  if (expected.has(']') && expected.has(',')) {
    return at(
      atEnd && found === undefined
        ? 'missing closing ] of an array'
        : `expected \`,\` or \`]\` in an array, found ${found === undefined ? 'the end of the file' : shown(found)}`,
    );
  }
  if (expected.has('}')) {
    return at(
      atEnd
        ? 'missing closing } of an inline table (an inline table stays on one line)'
        : `expected \`,\` or \`}\` in an inline table, found ${shown(found)}`,
    );
  }
  if (expected.has('=')) {
    if (atEnd) return at('a key must be followed by `= value`');
    return at(`expected \`=\` after the key, found ${shown(found)} (quote a key with spaces)`);
  }
  if (found === '=') return at('a key is missing before `=`');
  if (expected.has('\n') && expected.has('#') && found !== undefined) {
    return at(`${shown(found)} after the value: one \`key = value\` per line`);
  }
  return at(found === undefined ? 'unexpected end of the file' : `unexpected ${shown(found)}`);
}
