/**
 * Bytes of a human size; -1 when it is not one (`unknown`). `K M G T P E` are powers of 1000,
 * as rsync's `-h` (in the default options) prints its `Total file size`, the source of most
 * sizes; the IEC forms `Ki Mi Gi …` (`12KiB`) are powers of 1024.
 */
export function sizeBytes(size: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTPE]?)(i?)B?\s*$/i.exec(size);
  if (!m) return -1;
  const base = m[3] ? 1024 : 1000;
  return Math.round(Number(m[1]) * base ** ' KMGTPE'.indexOf((m[2] || ' ').toUpperCase()));
}
