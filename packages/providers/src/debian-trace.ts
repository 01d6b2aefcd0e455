import { mkdir, readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileDurably } from '@tunasync/core';

/** The `trace_*` keys of a two-stage-rsync mirror: who runs it, as ftpsync's config says. */
export interface TraceConfig {
  /** `trace_hostname` (ftpsync's MIRRORNAME): the file name under `project/trace/`. */
  hostname: string;
  /** `trace_maintainer` (ftpsync's INFO_MAINTAINER). */
  maintainer?: string;
  /** `trace_sponsor` (INFO_SPONSOR). */
  sponsor?: string;
  /** `trace_country` (INFO_COUNTRY), an ISO 3166-1 code. */
  country?: string;
  /** `trace_location` (INFO_LOCATION). */
  location?: string;
  /** `trace_throughput` (INFO_THROUGHPUT), e.g. `10Gb`. */
  throughput?: string;
  /** `trace_architectures_configuration` (ftpsync's ARCH_INCLUDE/EXCLUDE summary); default `ALL`. */
  architecturesConfiguration?: string;
  /** The machine's own name (`Running on host`, ftpsync's TRACEHOST); default `os.hostname()`. */
  runningOnHost?: string;
}

/** What one run measured, for the trace file. */
export interface TraceRun {
  started: Date;
  ended: Date;
  /** Seconds of stage 1 (all its rounds) and stage 2. */
  stage1Seconds: number;
  stage2Seconds: number;
  /** Bytes rsync received, both stages; undefined when the log did not say. */
  bytesReceived: number | undefined;
  /** The upstream's host (`Upstream-mirror`). */
  upstreamHost: string;
  /** `Archive serial` of the upstream's master trace, if it has one. */
  archiveSerial?: string;
  /** `Architectures`: found in the tree. */
  architectures: readonly string[];
  /** `Creator`: name and version of the program. */
  creator: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);
const clock = (d: Date): string =>
  `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** `date -u` with LANG=POSIX: `Thu Dec  3 18:06:16 UTC 2026` (the trace file's first line). */
export function posixDateUtc(d: Date): string {
  const day = pad(d.getUTCDate(), 2, ' ');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${clock(d)} UTC ${d.getUTCFullYear()}`;
}

/** RFC 2822 in UTC: `Thu, 03 Dec 2026 18:06:16 +0000` (`date -u -R`). */
export function rfc2822DateUtc(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${clock(d)} +0000`;
}

/** The host an rsync upstream names: `rsync://host:873/debian/` and `host::debian/` → `host`. */
export function upstreamHost(upstream: string): string {
  let rest = upstream.replace(/^rsync:\/\//, '');
  rest = rest.replace(/^[^@/]*@/, '');
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']'));
  return rest.split(/[:/]/)[0] || 'unknown';
}

/** A config value on one trace line: no line breaks. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

/** The trace file's text, in ftpsync's order of fields (optional ones only when set). */
export function formatTraceFile(config: TraceConfig, run: TraceRun): string {
  const lines = [posixDateUtc(run.ended)];
  const field = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') lines.push(`${name}: ${oneLine(String(value))}`);
  };
  field('Date', rfc2822DateUtc(run.ended));
  field('Date-Started', rfc2822DateUtc(run.started));
  field('Archive serial', run.archiveSerial);
  field('Creator', run.creator);
  field('Running on host', config.runningOnHost || hostname());
  field('Maintainer', config.maintainer);
  field('Sponsor', config.sponsor);
  field('Country', config.country);
  field('Location', config.location);
  field('Throughput', config.throughput);
  field('Architectures', run.architectures.join(' '));
  field('Architectures-Configuration', config.architecturesConfiguration || 'ALL');
  field('Upstream-mirror', run.upstreamHost);
  field('Rsync-Transport', 'plain');
  field('Total bytes received in rsync', run.bytesReceived);
  field('Total time spent in stage1 rsync', run.stage1Seconds);
  field('Total time spent in stage2 rsync', run.stage2Seconds);
  const total = run.stage1Seconds + run.stage2Seconds;
  field('Total time spent in rsync', total);
  if (run.bytesReceived !== undefined && total > 0) {
    field('Average rate', `${Math.floor(run.bytesReceived / total)} B/s`);
  }
  return `${lines.join('\n')}\n`;
}

/** A trace file read back: its first line and its `Field: value` lines. */
export interface ParsedTrace {
  date: string;
  fields: Record<string, string>;
}

/** Parse a trace file as Debian's mirror checker does (first line a date, then fields). */
export function parseTraceFile(text: string): ParsedTrace {
  const [date = '', ...rest] = text.split('\n');
  const fields: Record<string, string> = {};
  for (const line of rest) {
    const match = /^([\w -]+):\s?(.*)$/.exec(line);
    if (match) fields[match[1] as string] = (match[2] as string).trim();
  }
  return { date, fields };
}

/** The `Archive serial` of a trace file's text, if any. */
export function archiveSerialOf(text: string): string | undefined {
  return parseTraceFile(text).fields['Archive serial'];
}

/**
 * rsync's `Total bytes received:` value (`--stats`; with `-h` it has a unit of 1000 and
 * thousands separators): `1.23K` → 1230, `4,096` → 4096.
 */
export function parseRsyncBytes(value: string): number | undefined {
  const match = /^([0-9.,]+)([KMGTP]?)$/.exec(value.trim());
  if (!match) return undefined;
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  const n = Number((match[1] as string).replace(/,/g, ''));
  return Number.isFinite(n) ? Math.round(n * 1000 ** units.indexOf(match[2] as string)) : undefined;
}

/** `Total bytes received: X` of a `--stats` line, in bytes. */
export function parseRsyncBytesReceivedLine(line: string): number | undefined {
  const match = /^Total bytes received: (\S+)\s*$/.exec(line);
  return match ? parseRsyncBytes(match[1] as string) : undefined;
}

/**
 * The architectures of a Debian tree as ftpsync reports them: every `binary-<arch>` under
 * `dists/<suite>/<component>/`, and `source` when a component has `source/`; sorted.
 */
export async function findArchitectures(root: string): Promise<string[]> {
  const found = new Set<string>();
  const list = (dir: string): Promise<string[]> =>
    readdir(dir, { withFileTypes: true }).then(
      (entries) => entries.filter((e) => e.isDirectory()).map((e) => e.name),
      () => [],
    );
  const dists = join(root, 'dists');
  for (const suite of await list(dists)) {
    for (const component of await list(join(dists, suite))) {
      for (const entry of await list(join(dists, suite, component))) {
        if (entry.startsWith('binary-')) found.add(entry.slice('binary-'.length));
        else if (entry === 'source') found.add('source');
      }
    }
  }
  return [...found].sort();
}

/**
 * Write `project/trace/<hostname>` and `project/trace/_hierarchy` under `root`: the
 * hierarchy is the upstream's (stage 2 just brought it; kept as `_hierarchy.mirror`, as
 * ftpsync does) followed by this mirror's line `<file> <hostname> <running on host> <upstream>`.
 */
export async function writeTraceFiles(
  root: string,
  config: TraceConfig,
  run: TraceRun,
): Promise<void> {
  const dir = join(root, 'project', 'trace');
  await mkdir(dir, { recursive: true });
  await writeFileDurably(join(dir, config.hostname), formatTraceFile(config, run));
  const hierarchy = join(dir, '_hierarchy');
  const upstream = await readFile(hierarchy, 'utf8').catch(() => '');
  const own = `${config.hostname} ${config.hostname} ${oneLine(config.runningOnHost || hostname())} ${run.upstreamHost}\n`;
  const above = upstream === '' || upstream.endsWith('\n') ? upstream : `${upstream}\n`;
  await writeFileDurably(`${hierarchy}.mirror`, above);
  await writeFileDurably(hierarchy, above + own);
}
