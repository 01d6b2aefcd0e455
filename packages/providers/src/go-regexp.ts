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
