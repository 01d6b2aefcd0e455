import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Checks an `Authorization` header against the expected bearer token in constant time
 * (both sides are hashed first, so neither content nor length leaks through timing).
 */
export function createBearerCheck(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const match = /^Bearer[ ]+(.+)$/i.exec(header ?? '');
    const given = digest(match?.[1]?.trim() ?? '');
    return timingSafeEqual(given, expected) && match !== null;
  };
}
