import type { Writable } from 'node:stream';
import winston from 'winston';
import { formatLogLine } from '@tunasync/api-types';
import type { LogFormat, Logger } from '@tunasync/api-types';

export interface WorkerLoggerOptions {
  /** `--verbose`: debug messages too. */
  verbose?: boolean;
  /** `--debug`: debug messages and stack traces of our own errors. */
  debug?: boolean;
  /** `--with-systemd`: no time-stamps and no colours (journald adds its own). */
  withSystemd?: boolean;
  /** `--log-format`: text lines (default) or JSON lines. */
  format?: LogFormat;
  /** Where lines go (stderr by default). */
  stream?: Writable;
  /** Texts that must never appear in a log line (tokens, rsync passwords). */
  secrets?: readonly string[];
}

export const REDACTED = 'REDACTED';

function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join(REDACTED);
  return out;
}

function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, depth + 1)]),
  );
}

/**
 * The worker's winston logger behind the `Logger` interface. Every line is scrubbed of
 * the configured secrets, whatever field carries them. Child loggers add
 * `{ worker, mirror, … }` fields.
 */
export function createWorkerLogger(options: WorkerLoggerOptions = {}): winston.Logger & Logger {
  const secrets = [...(options.secrets ?? [])]
    .filter((s) => s !== '')
    .sort((a, b) => b.length - a.length);
  const redact = winston.format((info) => {
    for (const key of Object.keys(info)) {
      (info as Record<string, unknown>)[key] = redactValue(info[key], secrets);
    }
    if (!options.debug) delete (info as Record<string, unknown>).stack;
    return info;
  });
  // The line format both daemons share (`formatLogLine` of api-types).
  const line = winston.format.printf((info) => {
    const { level, message, ...fields } = info as Record<string, unknown>;
    return formatLogLine(
      {
        time: new Date(),
        level: String(level),
        component: 'worker',
        message: String(message),
        fields,
      },
      { format: options.format ?? 'text', withSystemd: options.withSystemd ?? false },
    );
  });
  const formats = [redact(), line];
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] });
  return winston.createLogger({
    level: options.verbose || options.debug ? 'debug' : 'info',
    format: winston.format.combine(...formats),
    transports: [transport],
  }) as winston.Logger & Logger;
}
