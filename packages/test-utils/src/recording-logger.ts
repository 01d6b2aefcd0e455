import type { LogMeta, Logger } from '@tunasync/api-types';

/** A `Logger` that keeps its lines, and those of its children, in `lines`. */
export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

/**
 * A logger that keeps one line per call, `level: message`, followed by the call's fields as
 * JSON when it has any (`warn: late {"mirror":"debian"}`), so a test asserts on what was (and
 * was not) logged by reading lines back. `child()` writes into the same lines; the fields
 * given to `child()` are not recorded. `lines` may be passed in to share it.
 */
export function recordingLogger(lines: string[] = []): RecordingLogger {
  const at =
    (level: string) =>
    (message: string, meta?: LogMeta): void => {
      const fields = meta && Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
      lines.push(`${level}: ${message}${fields}`);
    };
  const logger: RecordingLogger = {
    lines,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: () => logger,
  };
  return logger;
}
