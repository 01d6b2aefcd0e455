import type { Logger, LogMeta } from '@tunasync/api-types';

/** A logger that keeps every line, to assert on what was (and was not) logged. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const make = (): Logger & { lines: string[] } => {
    const at =
      (level: string) =>
      (message: string, meta?: LogMeta): void => {
        lines.push(`${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
      };
    return {
      lines,
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      child: () => make(),
    };
  };
  return make();
}

/** Wait until `check` is true, polling; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
