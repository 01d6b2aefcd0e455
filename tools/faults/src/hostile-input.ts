import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { OutgoingHttpHeaders } from 'node:http';

/**
 * fast-check building blocks for hostile HTTP input, shared by the scenarios that fuzz the
 * manager and the worker's control server.
 */

/** A JSON text nested `depth` levels deep (`[[[…]]]` or `{"a":{"a":…}}`). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Text meant for names and paths: ordinary, empty, unicode, NUL, path tricks, long. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '.', '..', '../etc', 'a/b', 'a\u0000b', 'ü', '😀', '%', '%00', 'a b'),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 200, max: 5000 }).map((n) => 'x'.repeat(n)),
);

/** A JSON value of random shape: any type, any depth up to 8, wrong types everywhere. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 8 });

/** A body text that is hostile as a whole: too deep, huge, not JSON, truncated, odd. */
export const hostileBodyText: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      depth: fc.integer({ min: 60, max: 20_000 }),
      kind: fc.constantFrom<'array' | 'object'>('array', 'object'),
    })
    .map(({ depth, kind }) => deepJson(depth, kind)),
  fc.constantFrom(
    '',
    'null',
    '"x"',
    '[]',
    '{',
    '{"a":',
    'nul',
    '\u0000',
    '{"a":1}garbage',
    '1e999',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  // Wide rather than deep: many wrong items, each a problem for the schema check.
  fc
    .integer({ min: 1_000, max: 300_000 })
    .map(
      (n) =>
        `{"name":"m1","schedules":[${'1,'.repeat(n)}1],"args":[${'"x",'.repeat(Math.floor(n / 10))}"x"]}`,
    ),
  // Just under and over the 1 MiB limit (kept rare by the callers' weights).
  fc.integer({ min: 1_000_000, max: 1_100_000 }).map((n) => `{"error_msg":"${'y'.repeat(n)}"}`),
);

export type Encoding = 'identity' | 'gzip' | 'deflate' | 'br' | 'bogus';

/** A body encoded as declared, or (a lie) declared but left as it is. */
export function encodeBody(text: string, encoding: Encoding, honest: boolean): Buffer {
  const raw = Buffer.from(text, 'utf8');
  if (!honest || encoding === 'identity' || encoding === 'bogus') return raw;
  if (encoding === 'gzip') return gzipSync(raw);
  if (encoding === 'deflate') return deflateSync(raw);
  return brotliCompressSync(raw);
}

/** Request headers with odd and duplicate values besides the usual ones. */
export interface HeaderChoice {
  contentType: string | undefined;
  encoding: Encoding;
  honestEncoding: boolean;
  authorization: 'good' | 'missing' | 'wrong' | 'duplicate' | 'basic' | 'empty';
  extra: OutgoingHttpHeaders;
}

export const headerChoice: fc.Arbitrary<HeaderChoice> = fc.record({
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/json; charset=latin1',
    'application/json; charset=klingon',
    'multipart/form-data; boundary=x',
    'a/b; ;;',
    undefined,
  ),
  encoding: fc.constantFrom<Encoding>(
    'identity',
    'identity',
    'identity',
    'gzip',
    'deflate',
    'br',
    'bogus',
  ),
  honestEncoding: fc.boolean(),
  authorization: fc.constantFrom<HeaderChoice['authorization']>(
    'good',
    'good',
    'good',
    'good',
    'good',
    'good',
    'missing',
    'wrong',
    'duplicate',
    'basic',
    'empty',
  ),
  extra: fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<OutgoingHttpHeaders>(
        { 'content-type': ['application/json', 'text/plain'] },
        { 'x-forwarded-for': '1.2.3.4, 5.6.7.8' },
        { expect: '100-continue' },
        { 'transfer-encoding': 'chunked' },
        { 'content-encoding': 'gzip, deflate' },
        { 'if-none-match': '*' },
        { accept: '*/*;q=0' },
      ),
    },
  ),
});

/** `Authorization` values for a choice, the good one being `Bearer <token>`. */
export function authorizationHeader(
  choice: HeaderChoice['authorization'],
  token: string,
): string | string[] | undefined {
  switch (choice) {
    case 'good':
      return `Bearer ${token}`;
    case 'missing':
      return undefined;
    case 'wrong':
      return `Bearer ${token}x`;
    case 'duplicate':
      return [`Bearer ${token}`, `Bearer ${token}`];
    case 'basic':
      return `Basic ${Buffer.from(`u:${token}`).toString('base64')}`;
    case 'empty':
      return 'Bearer ';
  }
}

/**
 * Percent-encodes a path segment from its UTF-8 bytes, so node:http can send any text
 * (lone surrogates included). `keepPercent` leaves `%` as it is: broken percent-encoding
 * (`%E0%A4%A`, `%`) on purpose.
 */
export function segment(text: string, keepPercent: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9._~-]/.test(c) || (keepPercent && c === '%')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
