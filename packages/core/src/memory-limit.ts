import { CORE_ERRORS } from './errors';

const UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

const MEMORY_PATTERN = /^(\d+(?:\.\d+)?) ?([kmgtp])?(i?b)?$/i;

/**
 * Parse a `memory_limit` such as `256M`, `1G`, `512k`, `1.5g`, `64MiB` or `1048576` into
 * bytes. Units are binary (k = 1024), case-insensitive, optionally followed by `b` or
 * `ib`, like the Go program's `RAMInBytes`. A fractional result is rounded down.
 *
 * @throws TunasyncError `TUNASYNC_E_MEMORY_LIMIT` on anything else (empty, negative, unknown unit).
 */
export function parseMemoryLimit(text: string): number {
  const match = MEMORY_PATTERN.exec(text.trim());
  if (!match) throw CORE_ERRORS.memoryLimit(text);
  const value = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  if (unit === '' && match[3] && match[3].toLowerCase() === 'ib')
    throw CORE_ERRORS.memoryLimit(text);
  const bytes = Math.floor(value * (UNITS[unit] as number));
  if (!Number.isSafeInteger(bytes)) throw CORE_ERRORS.memoryLimit(text);
  return bytes;
}

/**
 * A hook's `memoryLimit` option in bytes: `undefined` when unset or empty, a number as it
 * is, a string through `parseMemoryLimit`.
 *
 * @throws TunasyncError `TUNASYNC_E_MEMORY_LIMIT` on a string `parseMemoryLimit` rejects.
 */
export function memoryLimitBytes(limit: string | number | undefined): number | undefined {
  if (limit === undefined || limit === '') return undefined;
  return typeof limit === 'number' ? limit : parseMemoryLimit(limit);
}
