import { finishedRun, isZeroTime, parseRfc3339OrZero } from '@tunasync/api-types';
import type { MirrorStatus, RunResult, SyncStatus } from '@tunasync/api-types';
import type { JobsSnapshot } from './jobs-snapshot';
import type { MirrorProgress } from './mirror-progress';
import { runDurationSeconds } from './run-duration';
import { sizeBytes } from './human-size';

/** The Content-Type of `GET /metrics`: Prometheus text exposition format 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value as the exposition format wants it: `\`, `"` and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** A sample value: integers as they are, others in the shortest exact decimal form. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labels(pairs: Array<[string, string]>): string {
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** The labels of a mirror's series, `{worker="…",mirror="…"}`. */
function mirrorLabels(s: MirrorStatus): string {
  return labels([
    ['worker', s.worker],
    ['mirror', s.name],
  ]);
}

function header(name: string, type: 'gauge' | 'counter', help: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

/** Unix milliseconds of an RFC 3339 time; undefined for the zero time (or no time). */
function unixMs(text: string): number | undefined {
  const date = parseRfc3339OrZero(text);
  return isZeroTime(date) ? undefined : date.getTime();
}

/** Unix seconds, milliseconds as decimals (`1767323045.123`). */
function seconds(ms: number): string {
  return formatSampleValue(ms / 1000);
}

/** The mirror families, in the order of the exposition. */
const MIRROR_FAMILIES: Array<[name: string, type: 'gauge' | 'counter', help: string]> = [
  [
    'tunasync_mirror_status',
    'gauge',
    'Current sync status of a mirror: 1 on the series labelled with that status.',
  ],
  ['tunasync_mirror_up', 'gauge', 'Whether the mirror status is success (1) or not (0).'],
  [
    'tunasync_mirror_last_success_timestamp_seconds',
    'gauge',
    'Unix time of the end of the last successful sync; absent when there was none.',
  ],
  [
    'tunasync_mirror_last_duration_seconds',
    'gauge',
    'Duration of the last finished sync (last_ended - last_started); absent while a sync runs.',
  ],
  [
    'tunasync_mirror_size_bytes',
    'gauge',
    'Size of the mirror in bytes, as last reported; absent when unknown.',
  ],
  [
    'tunasync_mirror_progress_files',
    'gauge',
    'Regular files transferred so far by the running sync; only while syncing with progress.',
  ],
  [
    'tunasync_mirror_progress_bytes',
    'gauge',
    'Bytes of the files transferred so far by the running sync; only while syncing with progress.',
  ],
  [
    'tunasync_mirror_runs_total',
    'counter',
    'Finished syncs reported to this manager since it started, by result.',
  ],
];

/** A mirror's rendered lines and what they were rendered from. */
interface CachedLines {
  progress: MirrorProgress | undefined;
  success: number;
  failed: number;
  /**
   * Every family's lines of the mirror in one flat string (one allocation instead of a
   * string, often a tree of concatenations, per family), and where each family's lines end.
   */
  text: string;
  ends: number[];
  /** The mirror's labels, `{worker="…",mirror="…"}` (for the stale family too). */
  label: string;
}

/** One flat string of a mirror's lines and the end of each family's part. */
function packLines(lines: string[]): Pick<CachedLines, 'text' | 'ends'> {
  const ends: number[] = [];
  let end = 0;
  for (const line of lines) {
    end += line.length;
    ends.push(end);
  }
  return { text: lines.join(''), ends };
}

function keyOf(workerId: string, mirror: string): string {
  return JSON.stringify([workerId, mirror]);
}

export interface ManagerMetricsOptions {
  snapshot: JobsSnapshot;
  /** The manager's clock (the worker online rule). */
  clock: () => Date;
  /** As `worker_offline_after`, in milliseconds (0: never offline). */
  offlineAfterMs: number;
}

/**
 * `GET /metrics` (SPEC §7.5): the Prometheus text exposition of the `/jobs` snapshot and of
 * the runs reported since this manager started. The mirror families are rendered once per
 * change of the snapshot or of a run counter; the (few) worker lines on every request.
 */
export class ManagerMetrics {
  private readonly runs = new Map<string, Record<RunResult, number>>();
  private runsGeneration = 0;
  /** The mirror families as UTF-8 bytes and the key they were rendered for. */
  private mirrorBytes: { key: string; body: Buffer } | undefined;
  private mirrorRenders = 0;
  /**
   * Each mirror's lines, kept with the status object they show (a stored change replaces the
   * object): a change renders its own mirror's lines again, not every mirror's.
   */
  private readonly linesOf = new WeakMap<MirrorStatus, CachedLines>();
  /** The stale family and until when it holds (the next time a mirror turns stale). */
  private stale: { key: string; until: number; body: Buffer } | undefined;

  constructor(private readonly options: ManagerMetricsOptions) {}

  /** How many times the mirror families were rendered (not answered from the cache). */
  get renders(): number {
    return this.mirrorRenders;
  }

  /**
   * Counts a finished run by the rule of `finishedRun` (the one the run history uses too):
   * the stored status of a report is `success` or `failed` and the status stored before it
   * was another one (a repeated terminal report, e.g. one delivered twice, is not a second run).
   */
  recordReport(previous: SyncStatus | undefined, stored: MirrorStatus): void {
    const result = finishedRun(previous, stored.status);
    if (result === undefined) return;
    const key = keyOf(stored.worker, stored.name);
    const counts = this.runs.get(key) ?? { success: 0, failed: 0 };
    counts[result] += 1;
    this.runs.set(key, counts);
    this.runsGeneration += 1;
  }

  /** Runs of one mirror counted since start. */
  runsOf(workerId: string, mirror: string): Record<RunResult, number> {
    const counts = this.runs.get(keyOf(workerId, mirror));
    return { success: counts?.success ?? 0, failed: counts?.failed ?? 0 };
  }

  /** The whole exposition text. */
  text(): string {
    return this.body().toString('utf8');
  }

  /**
   * The UTF-8 bytes of the whole exposition, then `extra` (other components' lines). The
   * mirror and stale families are kept as bytes, encoded once per change, not per request.
   */
  body(extra = ''): Buffer {
    const { clock, offlineAfterMs } = this.options;
    const now = clock();
    return Buffer.concat([
      this.mirrorsBody(),
      Buffer.from(this.renderWorkers(now, offlineAfterMs), 'utf8'),
      this.staleBody(now),
      Buffer.from(extra, 'utf8'),
    ]);
  }

  private mirrorsBody(): Buffer {
    const key = `${this.options.snapshot.etag()}|${this.runsGeneration}`;
    if (this.mirrorBytes?.key !== key) {
      this.mirrorBytes = undefined; // the old bytes may go before the new ones are made
      this.mirrorBytes = { key, body: Buffer.from(this.renderMirrors(), 'utf8') };
      this.mirrorRenders += 1;
    }
    return this.mirrorBytes.body;
  }

  /**
   * `tunasync_mirror_stale` (§7.13): 1 for a stale mirror, 0 for one that is not, by
   * `isStaleMirror`. It changes with time as well as with the statuses: the text is kept
   * until a status changes or the next mirror's limit passes.
   */
  private staleBody(now: Date): Buffer {
    const { snapshot } = this.options;
    const key = `${snapshot.statusEtag()}|${snapshot.scheduleKey}`;
    const t = now.getTime();
    if (this.stale !== undefined && this.stale.key === key && t <= this.stale.until) {
      return this.stale.body;
    }
    this.stale = undefined;
    const until = snapshot.nextStaleChange(now);
    const lines: string[] = [];
    for (const s of snapshot.ordered()) {
      const l = this.linesOf.get(s)?.label ?? mirrorLabels(s);
      lines.push(`tunasync_mirror_stale${l} ${snapshot.isStale(s, now) ? 1 : 0}\n`);
    }
    const text =
      header(
        'tunasync_mirror_stale',
        'gauge',
        'Whether the last success of the mirror is older than stale_after (1) or not (0).',
      ) + lines.join('');
    const body = Buffer.from(text, 'utf8');
    this.stale = { key, until, body };
    return body;
  }

  /** The lines of one mirror, one string per family of `MIRROR_FAMILIES` (maybe empty). */
  private mirrorLines(s: MirrorStatus, progress: MirrorProgress | undefined): string[] {
    const id: Array<[string, string]> = [
      ['worker', s.worker],
      ['mirror', s.name],
    ];
    const l = labels(id);
    const updated = unixMs(s.last_update);
    const lastDuration = runDurationSeconds(s.last_started, s.last_ended);
    const bytes = sizeBytes(s.size);
    const counts = this.runsOf(s.worker, s.name);
    return [
      `tunasync_mirror_status${labels([...id, ['status', s.status]])} 1\n`,
      `tunasync_mirror_up${l} ${s.status === 'success' ? 1 : 0}\n`,
      updated === undefined
        ? ''
        : `tunasync_mirror_last_success_timestamp_seconds${l} ${seconds(updated)}\n`,
      lastDuration === undefined
        ? ''
        : `tunasync_mirror_last_duration_seconds${l} ${formatSampleValue(lastDuration)}\n`,
      bytes >= 0 ? `tunasync_mirror_size_bytes${l} ${Math.round(bytes)}\n` : '',
      progress === undefined ? '' : `tunasync_mirror_progress_files${l} ${progress.files}\n`,
      progress === undefined ? '' : `tunasync_mirror_progress_bytes${l} ${progress.bytes}\n`,
      (['success', 'failed'] as const)
        .map(
          (result) =>
            `tunasync_mirror_runs_total${labels([...id, ['result', result]])} ${counts[result]}\n`,
        )
        .join(''),
    ];
  }

  private renderMirrors(): string {
    const { snapshot } = this.options;
    const mirrors: CachedLines[] = [];
    for (const s of snapshot.ordered()) {
      const progress = snapshot.progressOf(s);
      const counts = this.runs.get(keyOf(s.worker, s.name));
      let cached = this.linesOf.get(s);
      if (
        cached === undefined ||
        cached.progress !== progress ||
        cached.success !== (counts?.success ?? 0) ||
        cached.failed !== (counts?.failed ?? 0)
      ) {
        cached = {
          progress,
          success: counts?.success ?? 0,
          failed: counts?.failed ?? 0,
          ...packLines(this.mirrorLines(s, progress)),
          label: mirrorLabels(s),
        };
        this.linesOf.set(s, cached);
      }
      mirrors.push(cached);
    }
    const parts: string[] = [];
    MIRROR_FAMILIES.forEach(([name, type, help], family) => {
      parts.push(header(name, type, help));
      for (const { text, ends } of mirrors) {
        const start = family === 0 ? 0 : (ends[family - 1] as number);
        const end = ends[family] as number;
        if (end > start) parts.push(text.slice(start, end));
      }
    });
    return parts.join('');
  }

  private renderWorkers(now: Date, offlineAfterMs: number): string {
    const { snapshot } = this.options;
    const workers = snapshot.workerList();
    const lastSeen: string[] = [];
    const online: string[] = [];
    for (const w of workers) {
      const l = labels([['worker', w.id]]);
      const seen = unixMs(w.last_online);
      if (seen !== undefined) {
        lastSeen.push(`tunasync_worker_last_seen_timestamp_seconds${l} ${seconds(seen)}\n`);
      }
      online.push(
        `tunasync_worker_online${l} ${snapshot.isOnline(w.id, now, offlineAfterMs) ? 1 : 0}\n`,
      );
    }
    return [
      header('tunasync_workers', 'gauge', 'Registered workers.'),
      `tunasync_workers ${workers.length}\n`,
      header(
        'tunasync_worker_last_seen_timestamp_seconds',
        'gauge',
        'Unix time the manager last heard from the worker.',
      ),
      ...lastSeen,
      header(
        'tunasync_worker_online',
        'gauge',
        'Whether the worker was heard from within worker_offline_after (1) or not (0).',
      ),
      ...online,
    ].join('');
  }
}
