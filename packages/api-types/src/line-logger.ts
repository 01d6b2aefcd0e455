import { formatLogLine, type LogFormat } from './log-line';
import type { LogMeta, Logger } from './logger';

/** The levels, most severe first; a logger at one level writes it and those above it. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Where lines go: a stream such as `process.stderr` (one `write` per line). */
export interface LineSink {
  write(line: string): unknown;
}

export interface LineLoggerOptions {
  /** The program that writes the lines: `manager` or `worker`. */
  component: string;
  /** The least severe level written (default `info`). */
  level?: LogLevel;
  /** `--log-format`: text lines (default) or JSON lines. */
  format?: LogFormat;
  /** `--with-systemd`: no time (journald adds its own). */
  withSystemd?: boolean;
  /** Where lines go. */
  sink: LineSink;
  /** Texts that must never appear in a log line (tokens, passwords). */
  secrets?: readonly string[];
  /** Keep `stack` fields (`--debug`); without it they are dropped. */
  stacks?: boolean;
  /** The time of a line (default the wall clock). */
  now?: () => Date;
}

/** What a secret is replaced by in a log line. */
export const REDACTED = 'REDACTED';

function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
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
 * The daemons' one logger: each entry is one line in the shared format (`formatLogLine`),
 * written to `sink`, scrubbed of every configured secret whatever field carries it (longest
 * first, so a secret that contains another goes whole). `child(meta)` adds fields to every
 * line (the parent's first, then the child's, then the call's). No dependency: the manager
 * and the worker set it up the same way.
 */
export function createLineLogger(options: LineLoggerOptions): Logger {
  const limit = RANK[options.level ?? 'info'];
  const secrets = [...(options.secrets ?? [])]
    .filter((s) => s !== '')
    .sort((a, b) => b.length - a.length);
  const lineOptions = {
    format: options.format ?? 'text',
    withSystemd: options.withSystemd ?? false,
  };
  const now = options.now ?? (() => new Date());

  const emit = (level: LogLevel, message: string, meta: LogMeta): void => {
    if (RANK[level] > limit) return;
    const fields = redactValue(meta, secrets) as Record<string, unknown>;
    if (!options.stacks) delete fields.stack;
    const line = formatLogLine(
      {
        time: now(),
        level,
        component: options.component,
        message: redactText(message, secrets),
        fields,
      },
      lineOptions,
    );
    options.sink.write(`${line}\n`);
  };

  const make = (base: LogMeta): Logger => ({
    error: (message, meta) => emit('error', message, { ...base, ...meta }),
    warn: (message, meta) => emit('warn', message, { ...base, ...meta }),
    info: (message, meta) => emit('info', message, { ...base, ...meta }),
    debug: (message, meta) => emit('debug', message, { ...base, ...meta }),
    child: (meta) => make({ ...base, ...meta }),
  });
  return make({});
}
