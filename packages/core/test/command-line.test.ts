import { isTunasyncError } from '@tunasync/api-types';
import { splitCommandLine } from '../src';

describe('splitCommandLine', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    ['  lead and trail  ', ['lead', 'and', 'trail']],
    ['tab\tand\nnewline', ['tab', 'and', 'newline']],
    ["'single quoted' word", ['single quoted', 'word']],
    ['"double quoted" word', ['double quoted', 'word']],
    ["'it'\\''s'", ["it's"]],
    ['say "a \\"b\\" c"', ['say', 'a "b" c']],
    ['"keep \\n backslash"', ['keep \\n backslash']],
    ['"\\$HOME and \\`x\\` and \\\\"', ['$HOME and `x` and \\']],
    ['esc\\ aped space', ['esc aped', 'space']],
    ['a\\\nb', ['ab']],
    ["''", ['']],
    ['x "" y', ['x', '', 'y']],
    ['mixed"dq"\'sq\'plain', ['mixeddqsqplain']],
    ['$HOME ~ *.txt', ['$HOME', '~', '*.txt']],
    ["'no \\escape in single'", ['no \\escape in single']],
    ['', []],
    ['   ', []],
    [
      '/bin/bash -c "echo $TUNASYNC_MIRROR_NAME > /tmp/x"',
      ['/bin/bash', '-c', 'echo $TUNASYNC_MIRROR_NAME > /tmp/x'],
    ],
  ])('splits %j', (text, words) => {
    expect(splitCommandLine(text)).toEqual(words);
  });

  it.each([
    ["echo 'open", /unbalanced single quote at offset 5/],
    ['echo "open', /unbalanced double quote at offset 5/],
    ['echo "a \\"', /unbalanced double quote/],
    ['trailing \\', /trailing backslash/],
  ])('rejects %j with a coded error', (text, message) => {
    let caught: unknown;
    try {
      splitCommandLine(text);
    } catch (err) {
      caught = err;
    }
    expect(isTunasyncError(caught, 'TUNASYNC_E_COMMAND_LINE')).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain(JSON.stringify(text));
  });
});
