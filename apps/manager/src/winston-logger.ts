import winston from 'winston';
import type { Writable } from 'node:stream';
import type { LogMeta, Logger } from '@tunasync/api-types';

export interface WinstonLoggerOptions {
  /** `debug`, `info`, `warn` or `error`. */
  level: 'debug' | 'info' | 'warn' | 'error';
  /** No timestamps (journald adds its own), as Go's `--with-systemd`. */
  withSystemd?: boolean;
  /** Where lines go; stdout by default, as in the Go manager. */
  stream?: Writable;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `26-01-02 15:04:05`, the Go manager's timestamp (local time). */
function stamp(d: Date): string {
  return `${two(d.getFullYear() % 100)}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(
    d.getHours(),
  )}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const HIDDEN = new Set(['level', 'message', 'timestamp']);

function fields(info: Record<string | symbol, unknown>): string {
  return Object.keys(info)
    .filter((k) => !HIDDEN.has(k))
    .map((k) => {
      const v = info[k];
      return ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v))}`;
    })
    .join('');
}

/** One line per entry: `[26-01-02 15:04:05][INFO] message key="value"`. */
export function createWinstonLogger(options: WinstonLoggerOptions): Logger {
  const line = winston.format.printf((info) => {
    const level = info.level.toUpperCase();
    const head = options.withSystemd ? `[${level}]` : `[${stamp(new Date())}][${level}]`;
    return `${head} ${String(info.message)}${fields(info)}`;
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
