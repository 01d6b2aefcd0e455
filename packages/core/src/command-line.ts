import { CORE_ERRORS } from './errors';

const BLANK = new Set([' ', '\t', '\n', '\r']);
/** Characters a backslash escapes inside double quotes (POSIX); before others it stays. */
const DQ_ESCAPABLE = new Set(['\\', '"', '$', '`', '\n']);

/**
 * Split a command line into words like a POSIX shell does, without running a shell and
 * without any expansion: blanks separate words; `'…'` keeps everything literally; `"…"`
 * keeps everything but lets a backslash escape `\ " $ \``; outside quotes a backslash
 * escapes any character (backslash-newline joins lines). `''` alone is an empty word.
 *
 * @throws TunasyncError `TUNASYNC_E_COMMAND_LINE` on an unbalanced quote or a trailing backslash.
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (BLANK.has(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= n) throw CORE_ERRORS.commandLine(text, 'trailing backslash');
      const next = text[i + 1] as string;
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw CORE_ERRORS.commandLine(text, `unbalanced single quote at offset ${i}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const start = i;
      i++;
      let closed = false;
      while (i < n) {
        const d = text[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < n && DQ_ESCAPABLE.has(text[i + 1] as string)) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      if (!closed)
        throw CORE_ERRORS.commandLine(text, `unbalanced double quote at offset ${start}`);
      inWord = true;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
