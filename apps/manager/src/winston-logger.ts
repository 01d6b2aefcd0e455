import winston from 'winston';
import type { Writable } from 'node:stream';
import { formatLogLine } from '@tunasync/api-types';
import type { LogFormat, LogMeta, Logger } from '@tunasync/api-types';

export interface WinstonLoggerOptions {
  /** `debug`, `info`, `warn` or `error`. */
  level: 'debug' | 'info' | 'warn' | 'error';
  /** No timestamps (journald adds its own), as Go's `--with-systemd`. */
  withSystemd?: boolean;
  /** `--log-format`: text lines (default) or JSON lines. */
  format?: LogFormat;
  /** Where lines go; stdout by default, as in the Go manager. */
  stream?: Writable;
}

const HIDDEN = new Set(['level', 'message', 'timestamp']);

/**
 * One line per entry in the format both daemons share (`formatLogLine`):
 * `[26-01-02 15:04:05][INFO] message key="value"`, or a JSON object with `--log-format json`.
 */
export function createWinstonLogger(options: WinstonLoggerOptions): Logger {
  const line = winston.format.printf((info) => {
    const fields = Object.fromEntries(Object.entries(info).filter(([k]) => !HIDDEN.has(k)));
    return formatLogLine(
      {
        time: new Date(),
        level: info.level,
        component: 'manager',
        message: String(info.message),
        fields,
      },
      { format: options.format ?? 'text', withSystemd: options.withSystemd ?? false },
    );
  });
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  const base = winston.createLogger({
    level: options.level,
    format: line,
    transports: [transport],
  });
  return wrap(base);
}

function wrap(w: winston.Logger): Logger {
  return {
    error: (message: string, meta?: LogMeta) => void w.error(message, meta),
    warn: (message: string, meta?: LogMeta) => void w.warn(message, meta),
    info: (message: string, meta?: LogMeta) => void w.info(message, meta),
    debug: (message: string, meta?: LogMeta) => void w.debug(message, meta),
    child: (meta: LogMeta) => wrap(w.child(meta)),
  };
}
