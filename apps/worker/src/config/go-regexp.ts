/**
 * Compiles a regular expression written for Go (the syntax of `fail_on_match` and
 * `size_pattern` in existing configs) into a JavaScript one. The two agree on what real
 * configs use; Go's leading inline flags `(?i)`, `(?s)`, `(?m)` become JavaScript flags.
 * Throws a `SyntaxError` with the reason when the expression is invalid.
 */
export function compileGoRegExp(source: string, extraFlags = ''): RegExp {
  let body = source;
  let flags = extraFlags;
  const inline = /^\(\?([ims]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of inline[1] as string) if (!flags.includes(f)) flags += f;
  }
  return new RegExp(body, flags);
}

/** How many capture groups `re` has. */
export function captureGroupCount(re: RegExp): number {
  return (
    (new RegExp(`${re.source}|`, re.flags.replace(/[gy]/g, '')).exec('') as RegExpExecArray)
      .length - 1
  );
}
