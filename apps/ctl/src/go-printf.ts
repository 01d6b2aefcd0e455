/**
 * The part of Go's `fmt` that `--format` templates use: `printf` verbs `%v %s %d %q %t %f
 * %x %%` with the flags `-`, `+`, `0`, a width and a precision, and Go's default print of a
 * value (`fmt.Sprint`). Values are the JSON values the manager sent: strings, numbers,
 * booleans, `null`, arrays and objects.
 */
import { CTL_ERRORS } from './errors';

/** One piece of a parsed printf format: literal text, or a verb with its flags. */
export type FormatPiece =
  | { kind: 'text'; text: string }
  | {
      kind: 'verb';
      verb: string;
      minus: boolean;
      plus: boolean;
      zero: boolean;
      width: number | undefined;
      precision: number | undefined;
    };

export const PRINTF_VERBS = 'vsdqtfx';

export { PrintfFormatError } from './errors';

/** Split a printf format into text and verbs; an unsupported verb is a `PrintfFormatError`. */
export function parsePrintfFormat(format: string): FormatPiece[] {
  const pieces: FormatPiece[] = [];
  let text = '';
  let i = 0;
  while (i < format.length) {
    const ch = format[i] as string;
    if (ch !== '%') {
      text += ch;
      i += 1;
      continue;
    }
    i += 1;
    if (format[i] === '%') {
      text += '%';
      i += 1;
      continue;
    }
    let minus = false;
    let plus = false;
    let zero = false;
    for (;;) {
      const flag = format[i];
      if (flag === '-') minus = true;
      else if (flag === '+') plus = true;
      else if (flag === '0') zero = true;
      else break;
      i += 1;
    }
    const widthMatch = /^\d+/.exec(format.slice(i));
    const width = widthMatch ? Number(widthMatch[0]) : undefined;
    i += widthMatch ? widthMatch[0].length : 0;
    let precision: number | undefined;
    if (format[i] === '.') {
      const precisionMatch = /^\d*/.exec(format.slice(i + 1)) as RegExpExecArray;
      precision = Number(precisionMatch[0] || '0');
      i += 1 + precisionMatch[0].length;
    }
    const verb = format[i];
    if (verb === undefined) throw CTL_ERRORS.printfFormat(`printf format ends inside a verb`);
    if (!PRINTF_VERBS.includes(verb)) {
      throw CTL_ERRORS.printfFormat(
        `printf verb %${verb} is not supported (supported: ${[...PRINTF_VERBS].map((v) => `%${v}`).join(' ')} %%)`,
      );
    }
    i += 1;
    if (text !== '') pieces.push({ kind: 'text', text });
    text = '';
    pieces.push({ kind: 'verb', verb, minus, plus, zero, width, precision });
  }
  if (text !== '') pieces.push({ kind: 'text', text });
  return pieces;
}

/** Go's type name for a JSON value, as `%!d(string=abc)` shows it. */
function goTypeName(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (value === null || value === undefined) return '<nil>';
  return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
}

/** Go's `fmt.Sprint` of one value (objects and arrays print as JSON, see README). */
export function goDefaultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '<no value>';
  return JSON.stringify(value);
}

function runeLength(text: string): number {
  return [...text].length;
}

function pad(text: string, piece: Extract<FormatPiece, { kind: 'verb' }>, numeric: boolean) {
  const width = piece.width ?? 0;
  const missing = width - runeLength(text);
  if (missing <= 0) return text;
  if (piece.minus) return text + ' '.repeat(missing);
  if (piece.zero && numeric) {
    const sign = /^[+-]/.test(text) ? (text[0] as string) : '';
    return sign + '0'.repeat(missing) + text.slice(sign.length);
  }
  return ' '.repeat(missing) + text;
}

function bad(verb: string, value: unknown): string {
  return `%!${verb}(${goTypeName(value)}=${goDefaultText(value)})`;
}

function withSign(text: string, value: number, plus: boolean): string {
  return plus && value >= 0 ? `+${text}` : text;
}

function formatOne(piece: Extract<FormatPiece, { kind: 'verb' }>, value: unknown): string {
  switch (piece.verb) {
    case 'v':
    case 's': {
      let text = goDefaultText(value);
      if (typeof value === 'number' && piece.verb === 'v') text = withSign(text, value, piece.plus);
      if (piece.precision !== undefined && typeof value === 'string') {
        text = [...text].slice(0, piece.precision).join('');
      }
      return pad(text, piece, typeof value === 'number');
    }
    case 'd':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad('d', value);
      return pad(withSign(String(value), value, piece.plus), piece, true);
    case 'f':
      if (typeof value !== 'number') return bad('f', value);
      return pad(withSign(value.toFixed(piece.precision ?? 6), value, piece.plus), piece, true);
    case 'x':
      if (typeof value === 'number' && Number.isInteger(value)) {
        return pad(value < 0 ? `-${(-value).toString(16)}` : value.toString(16), piece, true);
      }
      if (typeof value === 'string') return pad(Buffer.from(value).toString('hex'), piece, false);
      return bad('x', value);
    case 't':
      if (typeof value !== 'boolean') return bad('t', value);
      return pad(String(value), piece, false);
    default: // 'q'
      if (typeof value !== 'string') return bad('q', value);
      return pad(JSON.stringify(value), piece, false);
  }
}

/** Go's `fmt.Sprintf(format, args…)` for a parsed format, with Go's MISSING/EXTRA marks. */
export function goSprintf(pieces: readonly FormatPiece[], args: readonly unknown[]): string {
  let out = '';
  let next = 0;
  for (const piece of pieces) {
    if (piece.kind === 'text') {
      out += piece.text;
    } else if (next >= args.length) {
      out += `%!${piece.verb}(MISSING)`;
    } else {
      out += formatOne(piece, args[next]);
      next += 1;
    }
  }
  if (next < args.length) {
    const extra = args.slice(next).map((a) => `${goTypeName(a)}=${goDefaultText(a)}`);
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

/** Go's `fmt.Sprint(args…)`: a space between two operands when neither is a string. */
export function goSprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((arg, index) => {
    if (index > 0 && typeof arg !== 'string' && typeof args[index - 1] !== 'string') out += ' ';
    out += goDefaultText(arg);
  });
  return out;
}
