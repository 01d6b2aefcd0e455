/** `--log-format` of both daemons: Go's text line, or one JSON object per line. */
export type LogFormat = 'text' | 'json';

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/** One log entry as both daemons write it. */
export interface LogEntry {
  time: Date;
  /** `error`, `warn`, `info` or `debug`. */
  level: string;
  /** The program that writes it: `manager` or `worker`. */
  component: string;
  message: string;
  /** The logger's and the call's fields (`worker`, `mirror`, …); undefined ones are left out. */
  fields: Readonly<Record<string, unknown>>;
}

export interface LogLineOptions {
  format: LogFormat;
  /** `--with-systemd`: no time (journald adds its own); never colours in any case. */
  withSystemd: boolean;
}

const RESERVED = new Set(['time', 'level', 'component', 'message']);

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `26-01-02 15:04:05`, the Go programs' timestamp (local time). */
function goStamp(d: Date): string {
  return `${two(d.getFullYear() % 100)}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(
    d.getHours(),
  )}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function definedFields(fields: Readonly<Record<string, unknown>>): Array<[string, unknown]> {
  return Object.entries(fields).filter(([, v]) => v !== undefined);
}

/**
 * The one line (without the newline) the manager and the worker write for an entry.
 * - `text`, the Go programs' shape with the component where Go's debug line has its source
 *   file: `[26-01-02 15:04:05][INFO][worker] message k="v"`. With `withSystemd`
 *   `[INFO] message k="v"`: journald adds the time and names the program (the unit's
 *   identifier), so both are left out, as in Go.
 * - `json`: `{"time":"2026-01-02T07:04:05.000Z","level":"info","component":"worker",
 *   "message":"…","k":"v"}`, without `time` with `withSystemd`; a field named like one of
 *   the four keys is written as `field.<name>`.
 */
export function formatLogLine(entry: LogEntry, options: LogLineOptions): string {
  const fields = definedFields(entry.fields);
  if (options.format === 'json') {
    const doc: Record<string, unknown> = {};
    if (!options.withSystemd) doc.time = entry.time.toISOString();
    doc.level = entry.level;
    doc.component = entry.component;
    doc.message = entry.message;
    for (const [k, v] of fields) doc[RESERVED.has(k) ? `field.${k}` : k] = v;
    return JSON.stringify(doc);
  }
  const level = `[${entry.level.toUpperCase()}]`;
  const head = options.withSystemd ? level : `[${goStamp(entry.time)}]${level}[${entry.component}]`;
  const tail = fields.map(([k, v]) => ` ${k}=${JSON.stringify(v) ?? String(v)}`).join('');
  return `${head} ${entry.message}${tail}`;
}
