/**
 * JSON text as Go's `json.MarshalIndent(v, "", "  ")` writes it, so scripts that compare
 * or parse `tunasynctl` output see the same bytes as from the Go client: two-space
 * indentation, and `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`, `\u003e`,
 * `\u0026`, `\u2028`, `\u2029` (those characters can only occur inside JSON strings, so a
 * textual replacement is exact). An empty array is `[]` and an empty object `{}`, as in Go.
 */
export function goJsonIndent(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (ch) => {
    const code = ch.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${code}`;
  });
}
