/**
 * The last line of `tunasync-manager --check-config` and `tunasync-worker --check-config`,
 * the same for both: `FILE: OK, <detail>, M warning(s)` or `FILE: N error(s), M warning(s)`.
 */
export function checkSummary(
  file: string,
  errors: number,
  warnings: number,
  detail?: string,
): string {
  if (errors > 0) return `${file}: ${errors} error(s), ${warnings} warning(s)`;
  return `${file}: OK, ${detail === undefined ? '' : `${detail}, `}${warnings} warning(s)`;
}
