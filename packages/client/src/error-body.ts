/** The keys a tunasync or Go tunasync program puts its words in: manager, worker, success. */
const TEXT_KEYS = ['error', 'msg', 'message'] as const;

/**
 * The one reader of an error answer's body, of the manager (`{"error": …}`) and of a worker's
 * control server (`{"msg": …}`): the first of `error`, `msg`, `message` that is a string,
 * else the body itself on one line (blanks collapsed), cut at `maxChars` with `…`. `''` for
 * an empty or blank body.
 */
export function errorBodyText(text: string, maxChars = 300): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      for (const key of TEXT_KEYS) {
        const value = record[key];
        if (typeof value === 'string') return value;
      }
    }
  } catch {
    // not JSON: the text itself
  }
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars)}…` : oneLine;
}
