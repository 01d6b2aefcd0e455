import type { LogMeta, Logger } from '@tunasync/api-types';

/** How much `tunasynctl` tells on stderr: warnings by default, `-v` info, `--debug` all. */
export type LogLevel = 'warn' | 'info' | 'debug';

const RANK: Record<'error' | LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Something with a `write(text)`: `process.stderr` or a test's sink. */
export interface TextSink {
  write(text: string): unknown;
}

function formatMeta(meta: LogMeta | undefined): string {
  if (meta === undefined) return '';
  const parts = Object.entries(meta).map(([key, value]) => `${key}=${String(value)}`);
  return parts.length === 0 ? '' : ` (${parts.join(' ')})`;
}

/**
 * A `Logger` writing one line per entry to stderr (stdout carries only the command's
 * output): `[WARN] message (key=value …)`. No dependency, so it costs nothing at start-up.
 */
export function createStderrLogger(sink: TextSink, level: LogLevel, bound?: LogMeta): Logger {
  const emit = (name: keyof typeof RANK, message: string, meta?: LogMeta): void => {
    if (RANK[name] > RANK[level]) return;
    const merged = bound === undefined ? meta : { ...bound, ...meta };
    sink.write(`[${name.toUpperCase()}] ${message}${formatMeta(merged)}\n`);
  };
  return {
    error: (message, meta) => emit('error', message, meta),
    warn: (message, meta) => emit('warn', message, meta),
    info: (message, meta) => emit('info', message, meta),
    debug: (message, meta) => emit('debug', message, meta),
    child: (meta) => createStderrLogger(sink, level, { ...bound, ...meta }),
  };
}
