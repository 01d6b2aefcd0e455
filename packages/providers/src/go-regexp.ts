const FLAG_GROUP = /^\(\?([imsU]+)\)/;

/**
 * Compile a regular expression written for the Go program (RE2 syntax, as in
 * `fail_on_match` and `size_pattern`) into a JavaScript RegExp with the `g` flag.
 * Handled differences: leading inline flags `(?i)`, `(?m)`, `(?s)` become RegExp flags,
 * and `(?P<name>…)` becomes `(?<name>…)`. Throws a SyntaxError for anything JavaScript
 * cannot compile (including the Go-only `(?U)` flag).
 */
export function compileGoRegexp(pattern: string): RegExp {
  let source = pattern;
  const flags = new Set(['g']);
  for (let m = FLAG_GROUP.exec(source); m; m = FLAG_GROUP.exec(source)) {
    for (const flag of m[1] as string) {
      if (flag === 'U') throw new SyntaxError('the (?U) flag (ungreedy) is not supported');
      flags.add(flag);
    }
    source = source.slice(m[0].length);
  }
  source = source.replace(/\(\?P</g, '(?<');
  return new RegExp(source, [...flags].join(''));
}

/** How many capture groups `re` has (`size_pattern` needs one for the size). */
export function captureGroupCount(re: RegExp): number {
  const match = new RegExp(`${re.source}|`, re.flags.replace(/[gy]/g, '')).exec('');
  return (match as RegExpExecArray).length - 1;
}

/**
 * Why a Go-syntax pattern cannot be used, or undefined: it does not compile, or
 * (`needsGroup`, for `size_pattern`) it has no capture group. The reason leaves out the
 * pattern JavaScript repeats in its messages (`Invalid regular expression: /(/g: …`).
 */
export function goRegexpProblem(pattern: string, needsGroup = false): string | undefined {
  let re: RegExp;
  try {
    re = compileGoRegexp(pattern);
  } catch (err) {
    const reason = (err as Error).message.replace(
      /^Invalid regular expression: \/.*\/[a-z]*: /,
      '',
    );
    return `invalid regular expression: ${reason}`;
  }
  if (needsGroup && captureGroupCount(re) < 1)
    return 'must have a capture group holding the size, e.g. "size: ([0-9.]+[KMGTP]?)"';
  return undefined;
}
