import { goDefaultText, goSprint, goSprintf, parsePrintfFormat } from '../src/go-printf';

const sprintf = (format: string, ...args: unknown[]) => goSprintf(parsePrintfFormat(format), args);

describe('printf subset', () => {
  it('formats strings with width, alignment and precision', () => {
    expect(sprintf('[%s]', 'abc')).toBe('[abc]');
    expect(sprintf('[%6s]', 'abc')).toBe('[   abc]');
    expect(sprintf('[%-6s]', 'abc')).toBe('[abc   ]');
    expect(sprintf('[%.2s]', 'abc')).toBe('[ab]');
    expect(sprintf('[%-4s]', 'é')).toBe('[é   ]');
    expect(sprintf('%q', 'a"b')).toBe('"a\\"b"');
    expect(sprintf('%x', 'hi')).toBe('6869');
  });

  it('formats numbers and booleans', () => {
    expect(sprintf('%d', 42)).toBe('42');
    expect(sprintf('%05d', -42)).toBe('-0042');
    expect(sprintf('%+d %+v', 5, 5)).toBe('+5 +5');
    expect(sprintf('%.2f', 1.005)).toBe('1.00');
    expect(sprintf('%f', 2)).toBe('2.000000');
    expect(sprintf('%x %x', 255, -255)).toBe('ff -ff');
    expect(sprintf('%t %v', true, false)).toBe('true false');
    expect(sprintf('%v %s', 1.5, 7)).toBe('1.5 7');
    expect(sprintf('100%%')).toBe('100%');
  });

  it('marks wrong types, missing and extra arguments as Go does', () => {
    expect(sprintf('%d', 'abc')).toBe('%!d(string=abc)');
    expect(sprintf('%d', 1.5)).toBe('%!d(float64=1.5)');
    expect(sprintf('%t', 1)).toBe('%!t(int=1)');
    expect(sprintf('%f', null)).toBe('%!f(<nil>=<no value>)');
    expect(sprintf('%q', [1])).toBe('%!q([]interface {}=[1])');
    expect(sprintf('%x', {})).toBe('%!x(map[string]interface {}={})');
    expect(sprintf('%s %s', 'a')).toBe('a %!s(MISSING)');
    expect(sprintf('%s', 'a', 2, 'b')).toBe('a%!(EXTRA int=2, string=b)');
  });

  it('rejects verbs outside the subset and a dangling %', () => {
    expect(() => parsePrintfFormat('%z')).toThrow('printf verb %z is not supported');
    expect(() => parsePrintfFormat('abc %-5')).toThrow('printf format ends inside a verb');
  });

  it('prints like fmt.Sprint', () => {
    expect(goSprint([1, 2, 'a', 3, true])).toBe('1 2a3 true');
    expect(goDefaultText(undefined)).toBe('<no value>');
    expect(goDefaultText({ a: 1 })).toBe('{"a":1}');
  });
});
