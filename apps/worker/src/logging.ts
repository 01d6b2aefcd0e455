import type { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '@tunasync/api-types';

export interface WorkerLoggerOptions {
  /** `--verbose`: debug messages too. */
  verbose?: boolean;
  /** `--debug`: debug messages and stack traces of our own errors. */
  debug?: boolean;
  /** `--with-systemd`: no time-stamps and no colours (journald adds its own). */
  withSystemd?: boolean;
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
  const line = winston.format.printf((info) => {
    const { level, message, timestamp, ...meta } = info as Record<string, unknown>;
    const fields = Object.entries(meta)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const head = options.withSystemd
      ? `[${String(level)}]`
      : `${String(timestamp)} [${String(level)}]`;
    return `${head} ${String(message)}${fields ? ` ${fields}` : ''}`;
  });
  const formats = [redact(), ...(options.withSystemd ? [] : [winston.format.timestamp()]), line];
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] });
  return winston.createLogger({
    level: options.verbose || options.debug ? 'debug' : 'info',
    format: winston.format.combine(...formats),
    transports: [transport],
  }) as winston.Logger & Logger;
}
