import type { Writable } from 'node:stream';
import { createLineLogger } from '@tunasync/api-types';
import type { LogFormat, Logger } from '@tunasync/api-types';

export { REDACTED } from '@tunasync/api-types';

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

/**
 * The worker's logger from its flags: the daemons' one logger (`createLineLogger`), component
 * `worker`, on stderr. Every line is scrubbed of the configured secrets, whatever field
 * carries them. Child loggers add `{ worker, mirror, … }` fields.
 */
export function createWorkerLogger(options: WorkerLoggerOptions = {}): Logger {
  return createLineLogger({
    component: 'worker',
    level: options.verbose || options.debug ? 'debug' : 'info',
    format: options.format ?? 'text',
    withSystemd: options.withSystemd ?? false,
    sink: options.stream ?? process.stderr,
    secrets: options.secrets ?? [],
    stacks: options.debug ?? false,
  });
}
