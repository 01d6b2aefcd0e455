import fc from 'fast-check';

/** A mutated configuration file: its bytes and the steps that made it (for a failure message). */
export interface MutatedConfig {
  bytes: Buffer;
  steps: string[];
}

type LineStep =
  | { op: 'delete'; at: number }
  | { op: 'duplicate'; at: number }
  | { op: 'swap'; at: number; other: number }
  | { op: 'uncomment'; at: number }
  | { op: 'value'; at: number; value: string }
  | { op: 'key'; at: number; key: string }
  | { op: 'insert'; at: number; line: string };

type ByteStep =
  | { op: 'none' }
  | { op: 'truncate'; fraction: number }
  | { op: 'bytes'; fraction: number; bytes: Uint8Array }
  | { op: 'flip'; fraction: number; mask: number };

/** Values of every TOML type, out-of-range numbers, odd strings, and text that is no TOML. */
const value: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom(
    '0',
    '-1',
    '65536',
    '99999999999999999999',
    '1e309',
    'nan',
    '+inf',
    'true',
    'false',
    '""',
    '" "',
    "'literal'",
    '"""multi\nline"""',
    '"a\\nb"',
    '"\\u0000"',
    '"\\t\\r"',
    '[]',
    '[1, "a"]',
    '[[1], [2]]',
    '["--x", 3]',
    '{}',
    '{ a = 1 }',
    '1979-05-27T07:32:00Z',
    '07:32:00',
    '"/nonexistent/file"',
    '"http://127.0.0.1:1/"',
    '"https://"',
    '"rsync://h/m/"',
    '"leveldb"',
    '"bolt"',
    '"redis://h"',
    '"*/5 * * * *"',
    '"(unclosed"',
    '"{{.Name}"',
  ),
  fc.string({ maxLength: 30 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** Keys known to one of the files, unknown ones, and keys no loader could expect. */
const key: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'name',
    'port',
    'addr',
    'token',
    'token_file',
    'db_file',
    'db_type',
    'interval',
    'concurrent',
    'provider',
    'upstream',
    'listen_port',
    'api_base',
    'mirror_dir',
    'ssl_cert',
    'history_size',
    'manager_port',
  ),
  fc.stringMatching(/^[a-z_]{1,12}$/),
  fc.constantFrom('"a\\nb"', '"a.b"', '""', '"\\u2028"', 'a.b.c', '"[x]"'),
);

const line: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(key, value).map(([k, v]) => `${k} = ${v}`),
  fc.constantFrom(
    '[server]',
    '[files]',
    '[global]',
    '[manager]',
    '[[mirrors]]',
    '[[server]]',
    '[mirrors]',
    '[mirrorz.site]',
    '[unknown_table]',
    '[a.b.c]',
    'key =',
    '= 1',
    '[',
    '"',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const lineStep: fc.Arbitrary<LineStep> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ op: fc.constant('uncomment' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('value' as const), at: fc.nat(), value }),
  fc.record({ op: fc.constant('key' as const), at: fc.nat(), key }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), line }),
);

const fraction = fc.double({ min: 0, max: 1, noNaN: true });

const byteStep: fc.Arbitrary<ByteStep> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('none' as const) }) },
  fc.record({ op: fc.constant('truncate' as const), fraction }),
  fc.record({
    op: fc.constant('bytes' as const),
    fraction,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
  }),
  fc.record({ op: fc.constant('flip' as const), fraction, mask: fc.integer({ min: 1, max: 255 }) }),
);

const ASSIGNMENT = /^(\s*)#?\s*("[^"]*"|[A-Za-z0-9_.-]+)\s*=\s*(.*)$/;

function applyLineStep(lines: string[], step: LineStep): string {
  const at = lines.length === 0 ? 0 : step.at % lines.length;
  const current = lines[at] ?? '';
  switch (step.op) {
    case 'delete':
      lines.splice(at, 1);
      return `delete line ${at + 1}`;
    case 'duplicate':
      lines.splice(at, 0, current);
      return `duplicate line ${at + 1}`;
    case 'swap': {
      const other = lines.length === 0 ? 0 : step.other % lines.length;
      lines[at] = lines[other] ?? '';
      lines[other] = current;
      return `swap lines ${at + 1} and ${other + 1}`;
    }
    case 'uncomment':
      lines[at] = current.replace(/^(\s*)#\s?/, '$1');
      return `uncomment line ${at + 1}`;
    case 'value': {
      const m = ASSIGNMENT.exec(current);
      if (!m) {
        lines.splice(at, 0, `x = ${step.value}`);
        return `insert at ${at + 1}: x = ${step.value}`;
      }
      lines[at] = `${m[1] ?? ''}${m[2] ?? ''} = ${step.value}`;
      return `line ${at + 1}: ${m[2] ?? ''} = ${step.value}`;
    }
    case 'key': {
      const m = ASSIGNMENT.exec(current);
      if (!m) return 'no change';
      lines[at] = `${m[1] ?? ''}${step.key} = ${m[3] ?? ''}`;
      return `line ${at + 1}: key ${m[2] ?? ''} → ${step.key}`;
    }
    case 'insert':
      lines.splice(at, 0, step.line);
      return `insert at ${at + 1}: ${JSON.stringify(step.line)}`;
  }
}

function applyByteStep(bytes: Buffer, step: ByteStep): { bytes: Buffer; step?: string } {
  const at = Math.floor(('fraction' in step ? step.fraction : 0) * bytes.length);
  switch (step.op) {
    case 'none':
      return { bytes };
    case 'truncate':
      return { bytes: bytes.subarray(0, at), step: `truncate at byte ${at}` };
    case 'bytes':
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(step.bytes), bytes.subarray(at)]),
        step: `insert bytes ${Buffer.from(step.bytes).toString('hex')} at ${at}`,
      };
    case 'flip': {
      const out = Buffer.from(bytes);
      if (at < out.length) out[at] = (out[at] as number) ^ step.mask;
      return { bytes: out, step: `xor byte ${at} with ${step.mask}` };
    }
  }
}

/**
 * Mutations of a configuration file (the examples): 1–6 line steps (deleted, duplicated,
 * swapped and uncommented lines, changed values and types, renamed and unknown keys, new
 * tables, random lines), then maybe one byte step (a truncation, random bytes, a flipped
 * byte). For property-based tests of the config loaders: each result must load, or give
 * one-line problems naming the file.
 */
export function mutatedConfig(text: string): fc.Arbitrary<MutatedConfig> {
  return fc
    .tuple(fc.array(lineStep, { minLength: 1, maxLength: 6 }), byteStep)
    .map(([lineSteps, last]) => {
      const lines = text.split('\n');
      const steps = lineSteps.map((s) => applyLineStep(lines, s));
      const { bytes, step } = applyByteStep(Buffer.from(lines.join('\n'), 'utf8'), last);
      const all = step === undefined ? steps : [...steps, step];
      // fast-check prints a counterexample with this, not as a dump of every byte.
      return { bytes, steps: all, [fc.toStringMethod]: () => `mutations: ${all.join('; ')}` };
    });
}

/**
 * The lines a loader (or a CLI) gave for `file` that break the rule: each must be one line
 * naming the file (`file:` then the line or key and the reason), after an optional
 * `error: ` or `warning: ` as the CLIs print them. An empty list: nothing wrong.
 */
export function badConfigLines(lines: readonly string[], file: string): string[] {
  return lines.filter(
    (l) =>
      /[\n\r\u2028\u2029]/.test(l) || !l.replace(/^(?:error|warning): /, '').startsWith(`${file}:`),
  );
}
