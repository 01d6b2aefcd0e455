import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { WORKER_ERRORS } from '../errors';
import { pathExists } from './path-exists';

const MAGIC = /[*?[]/;

/** Whether a path segment holds a wildcard (`*`, `?` or a `[...]` class). */
export function hasGlobMagic(segment: string): boolean {
  return MAGIC.test(segment);
}

/**
 * The regular expression of one glob segment, as Go's `filepath.Match` reads it: `*` is
 * any run of characters except `/`, `?` one such character, `[abc]`, `[a-z]` and
 * `[^…]`/`[!…]` a class; `\` escapes the next character. Throws on a malformed class.
 */
export function globSegmentToRegExp(segment: string): RegExp {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '\\') {
      i++;
      if (i >= segment.length) throw WORKER_ERRORS.badGlob(segment, 'trailing "\\"');
      out += escapeRegExp(segment[i] as string);
    } else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) throw WORKER_ERRORS.badGlob(segment, 'unclosed "["');
      let body = segment.slice(i + 1, end);
      let negate = false;
      if (body.startsWith('^') || body.startsWith('!')) {
        negate = true;
        body = body.slice(1);
      }
      if (body === '') throw WORKER_ERRORS.badGlob(segment, 'empty class');
      const cls = body.replace(/[\]\\^]/g, (m) => `\\${m}`);
      out += negate ? `[^/${cls}]` : `[${cls}]`;
      i = end;
    } else {
      out += escapeRegExp(c);
    }
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The files matching `pattern` (absolute, or relative to `cwd`), sorted, like Go's
 * `filepath.Glob`: wildcards may appear in any segment, a segment never matches `/`,
 * and dot-files are not special. A directory that cannot be read matches nothing.
 */
export async function expandGlob(pattern: string, cwd = process.cwd()): Promise<string[]> {
  const absolute = path.resolve(cwd, pattern);
  const { root } = path.parse(absolute);
  const segments = absolute
    .slice(root.length)
    .split(path.sep)
    .filter((s) => s !== '');
  // Validate every segment up front so a malformed pattern is an error, not "no match".
  const matchers = segments.map((s) => (hasGlobMagic(s) ? globSegmentToRegExp(s) : undefined));

  let current: string[] = [root];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const matcher = matchers[i];
    const next: string[] = [];
    for (const dir of current) {
      if (matcher === undefined) {
        next.push(path.join(dir, segment));
        continue;
      }
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (matcher.test(name)) next.push(path.join(dir, name));
      }
    }
    current = next;
  }
  // Literal segments were joined without looking: keep only what exists.
  const existing: string[] = [];
  for (const candidate of current) {
    if (await pathExists(candidate, { followLinks: false })) existing.push(candidate);
  }
  return existing;
}
