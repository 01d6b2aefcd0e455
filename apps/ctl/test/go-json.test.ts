import { goJsonIndent } from '../src/go-json';

describe('goJsonIndent', () => {
  it('indents by two spaces like json.MarshalIndent(v, "", "  ")', () => {
    expect(goJsonIndent([{ name: 'a', is_master: true, size: 1 }])).toBe(
      '[\n  {\n    "name": "a",\n    "is_master": true,\n    "size": 1\n  }\n]',
    );
    expect(goJsonIndent([])).toBe('[]');
    expect(goJsonIndent({})).toBe('{}');
    expect(goJsonIndent(undefined)).toBe('null');
  });

  it('escapes <, >, & and the line separators as Go does', () => {
    expect(goJsonIndent(['<a&b>', '\u2028\u2029'])).toBe(
      '[\n  "\\u003ca\\u0026b\\u003e",\n  "\\u2028\\u2029"\n]',
    );
    expect(JSON.parse(goJsonIndent(['<a&b>']))).toEqual(['<a&b>']);
  });
});
