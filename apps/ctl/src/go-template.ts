import type { FormatPiece } from './go-printf';
import { CTL_ERRORS, PrintfFormatError } from './errors';
import { goDefaultText, goSprint, goSprintf, parsePrintfFormat } from './go-printf';

/**
 * The subset of Go's `text/template` that `tunasynctl list --format` understands (README
 * "Templates"): literal text; actions `{{.Field}}`, `{{.Field.Sub}}`, `{{.}}`; string,
 * number and boolean constants; the functions `printf`, `print` and `println` called as
 * `{{printf "%-20s %s" .Name .Status}}` or at the end of a pipeline
 * (`{{.Name | printf "%-20s"}}`); comments `{{/* … *\/}}`; and the trim markers `{{- ` and
 * ` -}}`. Anything else (`if`, `range`, variables, other functions) is a `TemplateError`.
 */

export type Operand =
  | { kind: 'field'; path: string[]; offset: number }
  | { kind: 'dot' }
  | { kind: 'const'; value: string | number | boolean };

export type Command =
  | { kind: 'operand'; operand: Operand }
  | { kind: 'printf'; format: FormatPiece[]; args: Operand[] }
  | { kind: 'print' | 'println'; args: Operand[] };

export type TemplateNode = { kind: 'text'; text: string } | { kind: 'action'; pipeline: Command[] };

export interface ParsedTemplate {
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
  /** Every `.Field` used, for checking them against the listed objects. */
  readonly fields: readonly { name: string; offset: number }[];
}

export { TemplateError } from './errors';

/** Go field name → wire key of the objects a template is applied to. */
export type FieldMap = ReadonlyMap<string, string>;

const UNSUPPORTED_KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
]);

const GO_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

function position(source: string, offset: number): string {
  const before = source.slice(0, offset).split('\n');
  return `${before.length}:${(before[before.length - 1] as string).length + 1}`;
}

type Token =
  | { kind: 'field'; path: string[]; offset: number }
  | { kind: 'dot'; offset: number }
  | { kind: 'pipe'; offset: number }
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'number'; value: number; offset: number }
  | { kind: 'ident'; name: string; offset: number };

class Parser {
  private pos = 0;
  readonly nodes: TemplateNode[] = [];
  readonly fields: { name: string; offset: number }[] = [];

  constructor(private readonly source: string) {}

  fail(offset: number, message: string): never {
    throw CTL_ERRORS.templateSyntax(`${position(this.source, offset)}: ${message}`);
  }

  parse(): void {
    const { source } = this;
    while (this.pos < source.length) {
      const open = source.indexOf('{{', this.pos);
      if (open === -1) {
        this.pushText(source.slice(this.pos));
        break;
      }
      this.pushText(source.slice(this.pos, open));
      this.pos = open + 2;
      if (/^-[ \t\r\n]/.test(source.slice(this.pos, this.pos + 2))) {
        this.trimLastText();
        this.pos += 2;
      }
      this.parseAction(open);
    }
  }

  private pushText(text: string): void {
    if (text !== '') this.nodes.push({ kind: 'text', text });
  }

  private trimLastText(): void {
    const last = this.nodes[this.nodes.length - 1];
    if (last?.kind === 'text') {
      last.text = last.text.replace(/[ \t\r\n]+$/, '');
      if (last.text === '') this.nodes.pop();
    }
  }

  /** After an action's `}}`: ` -}}` trims the whitespace that starts the next text. */
  private closeAction(trimRight: boolean): void {
    if (trimRight) {
      const rest = /^[ \t\r\n]*/.exec(this.source.slice(this.pos)) as RegExpExecArray;
      this.pos += rest[0].length;
    }
  }

  private parseAction(open: number): void {
    const { source } = this;
    const afterSpaces =
      this.pos + (/^[ \t]*/.exec(source.slice(this.pos)) as RegExpExecArray)[0].length;
    if (source.startsWith('/*', afterSpaces) && afterSpaces === this.pos) {
      const end = source.indexOf('*/', this.pos + 2);
      if (end === -1) this.fail(open, 'unclosed comment');
      this.pos = end + 2;
      const close = /^( -)?}}/.exec(source.slice(this.pos));
      if (!close) this.fail(this.pos, 'comment ends without closing delimiter');
      this.pos += close[0].length;
      this.closeAction(close[1] !== undefined);
      return;
    }
    const tokens: Token[] = [];
    let trimRight = false;
    for (;;) {
      const ws = /^[ \t\r\n]*/.exec(source.slice(this.pos)) as RegExpExecArray;
      const hadSpace = ws[0].length > 0;
      this.pos += ws[0].length;
      if (this.pos >= source.length) this.fail(open, 'unclosed action');
      if (source.startsWith('}}', this.pos)) {
        this.pos += 2;
        break;
      }
      if (hadSpace && source.startsWith('-}}', this.pos)) {
        trimRight = true;
        this.pos += 3;
        break;
      }
      tokens.push(this.nextToken());
    }
    this.closeAction(trimRight);
    if (tokens.length === 0) this.fail(open, 'missing value for command');
    this.nodes.push({ kind: 'action', pipeline: this.parsePipeline(tokens) });
  }

  private nextToken(): Token {
    const { source } = this;
    const offset = this.pos;
    const ch = source[offset] as string;
    if (ch === '|') {
      this.pos += 1;
      return { kind: 'pipe', offset };
    }
    if (ch === '.') {
      const match = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(source.slice(offset));
      if (!match) {
        this.pos += 1;
        if (/^[A-Za-z0-9_.]/.test(source[this.pos] ?? ' ')) this.fail(offset, 'bad field name');
        return { kind: 'dot', offset };
      }
      this.pos += match[0].length;
      return { kind: 'field', path: match[0].slice(1).split('.'), offset };
    }
    if (ch === '"') return this.quoted(offset);
    if (ch === '`') {
      const end = source.indexOf('`', offset + 1);
      if (end === -1) this.fail(offset, 'unterminated raw quoted string');
      this.pos = end + 1;
      return { kind: 'string', value: source.slice(offset + 1, end), offset };
    }
    const number = /^-?\d+(\.\d+)?/.exec(source.slice(offset));
    if (number) {
      this.pos += number[0].length;
      return { kind: 'number', value: Number(number[0]), offset };
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(offset));
    if (ident) {
      this.pos += ident[0].length;
      return { kind: 'ident', name: ident[0], offset };
    }
    if (ch === '$') return this.fail(offset, 'variables ($) are not supported');
    if (ch === '(') return this.fail(offset, 'parenthesised pipelines are not supported');
    return this.fail(offset, `unexpected ${JSON.stringify(ch)} in action`);
  }

  private quoted(offset: number): Token {
    const { source } = this;
    let value = '';
    let i = offset + 1;
    for (;;) {
      const ch = source[i];
      if (ch === undefined || ch === '\n') this.fail(offset, 'unterminated quoted string');
      if (ch === '"') break;
      if (ch !== '\\') {
        value += ch;
        i += 1;
        continue;
      }
      const esc = source[i + 1] ?? '';
      if (GO_ESCAPES[esc] !== undefined) {
        value += GO_ESCAPES[esc];
        i += 2;
        continue;
      }
      const hex = /^(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(source.slice(i + 1));
      if (!hex) this.fail(i, `unknown escape sequence \\${esc}`);
      value += String.fromCodePoint(parseInt(hex[0].slice(1), 16));
      i += 1 + hex[0].length;
    }
    this.pos = i + 1;
    return { kind: 'string', value, offset };
  }

  private operand(token: Token): Operand {
    switch (token.kind) {
      case 'field':
        this.fields.push({ name: token.path[0] as string, offset: token.offset });
        return { kind: 'field', path: token.path, offset: token.offset };
      case 'dot':
        return { kind: 'dot' };
      case 'string':
      case 'number':
        return { kind: 'const', value: token.value };
      case 'ident':
        if (token.name === 'true' || token.name === 'false') {
          return { kind: 'const', value: token.name === 'true' };
        }
        return this.fail(token.offset, `function "${token.name}" cannot be an argument`);
      default:
        return this.fail(token.offset, 'unexpected "|"');
    }
  }

  private parsePipeline(tokens: Token[]): Command[] {
    const stages: Token[][] = [[]];
    for (const token of tokens) {
      if (token.kind === 'pipe') {
        if ((stages[stages.length - 1] as Token[]).length === 0) {
          this.fail(token.offset, 'missing command before "|"');
        }
        stages.push([]);
      } else {
        (stages[stages.length - 1] as Token[]).push(token);
      }
    }
    if ((stages[stages.length - 1] as Token[]).length === 0) {
      this.fail((tokens[tokens.length - 1] as Token).offset, 'missing command after "|"');
    }
    return stages.map((stage, index) => this.command(stage, index));
  }

  private command(stage: Token[], index: number): Command {
    const [head, ...rest] = stage as [Token, ...Token[]];
    if (head.kind !== 'ident' || head.name === 'true' || head.name === 'false') {
      if (index > 0)
        this.fail(head.offset, `non executable command in pipeline stage ${index + 1}`);
      if (rest.length > 0) this.fail(rest[0]!.offset, `can't give argument to non-function`);
      return { kind: 'operand', operand: this.operand(head) };
    }
    const name = head.name;
    if (UNSUPPORTED_KEYWORDS.has(name)) {
      this.fail(head.offset, `{{${name}}} is not supported (see tunasynctl list --help)`);
    }
    const args = rest.map((token) => this.operand(token));
    if (name === 'print' || name === 'println') return { kind: name, args };
    if (name !== 'printf') {
      this.fail(head.offset, `function "${name}" not defined (supported: printf, print, println)`);
    }
    const first = rest[0];
    if (first?.kind !== 'string') this.fail(head.offset, 'printf needs a quoted format first');
    try {
      return { kind: 'printf', format: parsePrintfFormat(first.value), args: args.slice(1) };
    } catch (err) {
      if (err instanceof PrintfFormatError) this.fail(first.offset, err.message);
      throw err;
    }
  }
}

/** Parse a template; a syntax outside the subset is a `TemplateError` with line:column. */
export function parseTemplate(source: string): ParsedTemplate {
  const parser = new Parser(source);
  parser.parse();
  return { source, nodes: parser.nodes, fields: parser.fields };
}

/** `last_update_ts` → `LastUpdateTs`; `id` → `ID`, `url` → `URL` (Go's initialisms). */
export function goFieldName(wireKey: string): string {
  return wireKey
    .split('_')
    .map((part) =>
      part === 'id' || part === 'url'
        ? part.toUpperCase()
        : part.charAt(0).toUpperCase() + part.slice(1),
    )
    .join('');
}

/**
 * The Go field names a template may use on these objects: the given Go struct fields, plus
 * the Go-style name of any further key the manager sent (extra fields, SPEC §7.3/§7.9).
 */
export function buildFieldMap(
  goFields: Readonly<Record<string, string>>,
  items: readonly Record<string, unknown>[],
): FieldMap {
  const map = new Map(Object.entries(goFields));
  const known = new Set(map.values());
  for (const item of items) {
    for (const key of Object.keys(item)) {
      if (!known.has(key)) {
        known.add(key);
        const name = goFieldName(key);
        if (!map.has(name)) map.set(name, key);
      }
    }
  }
  return map;
}

/** Every `.Field` must be one of the objects' fields; otherwise a `TemplateError`. */
export function checkTemplateFields(template: ParsedTemplate, fields: FieldMap): void {
  for (const field of template.fields) {
    if (!fields.has(field.name)) {
      throw CTL_ERRORS.templateSyntax(
        `${position(template.source, field.offset)}: can't evaluate field ${field.name} (fields: ${[...fields.keys()].join(', ')})`,
      );
    }
  }
}

function evalOperand(
  template: ParsedTemplate,
  operand: Operand,
  item: Record<string, unknown>,
  fields: FieldMap,
): unknown {
  if (operand.kind === 'const') return operand.value;
  if (operand.kind === 'dot') return item;
  const [first, ...rest] = operand.path as [string, ...string[]];
  let value: unknown = item[fields.get(first) ?? first];
  let walked = first;
  for (const name of rest) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw CTL_ERRORS.templateSyntax(
        `${position(template.source, operand.offset)}: can't evaluate field ${name} of ${walked}: not an object`,
      );
    }
    const record = value as Record<string, unknown>;
    const key = Object.keys(record).find((k) => k === name || goFieldName(k) === name);
    if (key === undefined) {
      throw CTL_ERRORS.templateSyntax(
        `${position(template.source, operand.offset)}: can't evaluate field ${name} of ${walked}`,
      );
    }
    value = record[key];
    walked += `.${name}`;
  }
  return value;
}

/** Apply a parsed (and field-checked) template to one object. */
export function renderTemplate(
  template: ParsedTemplate,
  item: Record<string, unknown>,
  fields: FieldMap,
): string {
  let out = '';
  for (const node of template.nodes) {
    if (node.kind === 'text') {
      out += node.text;
      continue;
    }
    let value: unknown;
    node.pipeline.forEach((command, index) => {
      if (command.kind === 'operand') {
        value = evalOperand(template, command.operand, item, fields);
        return;
      }
      const args = command.args.map((arg) => evalOperand(template, arg, item, fields));
      if (index > 0) args.push(value);
      if (command.kind === 'printf') value = goSprintf(command.format, args);
      else if (command.kind === 'print') value = goSprint(args);
      else value = `${args.map((arg) => goDefaultText(arg)).join(' ')}\n`;
    });
    out += goDefaultText(value);
  }
  return out;
}
