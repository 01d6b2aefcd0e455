/** A matcher of `mirrors` / `workers` patterns: names, or globs with `*` and `?`. */
export type NameMatcher = (name: string) => boolean;

function globPattern(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'u');
}

/** Matches every name when `globs` is undefined or empty (the default: all). */
export function nameMatcher(globs: readonly string[] | undefined): NameMatcher {
  if (globs === undefined || globs.length === 0) return () => true;
  const patterns = globs.map(globPattern);
  return (name) => patterns.some((p) => p.test(name));
}
