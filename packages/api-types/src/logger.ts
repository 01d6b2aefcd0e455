/** Structured fields attached to a log line (`{ component, worker, mirror }` and such). */
export type LogMeta = Record<string, unknown>;

/**
 * The logger every library takes as a parameter: the daemons' `createLineLogger`, or
 * `silentLogger` below. Libraries never import a global logger.
 */
export interface Logger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  child(meta: LogMeta): Logger;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};
