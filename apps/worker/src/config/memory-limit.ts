const MEMORY = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const UNIT: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

/**
 * Bytes of a memory size such as `256M`, `1.5g`, `512MiB` or `1024` (binary units, as
 * Docker's `RAMInBytes` that the Go worker uses), or `undefined` when it cannot be read.
 */
export function parseMemoryLimit(text: string): number | undefined {
  const m = MEMORY.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return undefined;
  const power = m[2] ? (UNIT[m[2].toLowerCase()] ?? 0) : 0;
  return Math.floor(value * 1024 ** power);
}
